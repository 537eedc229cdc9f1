#include "shell/shell.hpp"

#include <cstdio>

#include "command_line.hpp"
#include "kepler/db.hpp"
#include "shell/line_reader.hpp"
#include "shell/shell_session.hpp"
#include "shell/shell_store.hpp"
#include "store_actions.hpp"

namespace kepler::cli {

int run_shell_on(shell_store& store, const std::string& where, byte_format f) {
  auto lines = stdin_line_reader(shell_session::command_names());
  if (lines->interactive())
    std::printf("KeplerDB shell on %s: 'help' lists the commands, 'quit' or Ctrl-D leaves\n",
                where.c_str());
  shell_session session(store, f, stdout, stderr);
  while (auto line = lines->next(session.prompt()))
    if (!session.execute(*line)) break;
  session.finish();
  return !lines->interactive() && session.failures() > 0 ? exit_failed : exit_ok;
}

int run_shell(const std::string& dir, byte_format f) {
  auto store = open_for_command(dir, true);
  if (!store) return fail(kepler::to_string(store.error()));
  int code = exit_ok;
  {
    auto target = local_shell_store(**store);
    code = run_shell_on(*target, dir, f);
  }
  if (auto closed = (*store)->close(); !closed) return fail(kepler::to_string(closed.error()));
  return code;
}

}  // namespace kepler::cli
