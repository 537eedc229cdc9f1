#include "shell/shell.hpp"

#include <cstdio>

#include "command_line.hpp"
#include "shell/line_reader.hpp"
#include "shell/shell_session.hpp"
#include "store_actions.hpp"

namespace kepler::cli {

int run_shell(const std::string& dir, byte_format f) {
  auto store = open_for_command(dir, true);
  if (!store) return fail(kepler::to_string(store.error()));
  auto lines = stdin_line_reader(shell_session::command_names());
  if (lines->interactive())
    std::printf("KeplerDB shell on %s: 'help' lists the commands, 'quit' or Ctrl-D leaves\n",
                dir.c_str());
  std::uint64_t failures = 0;
  {
    shell_session session(**store, f, stdout, stderr);
    while (auto line = lines->next(session.prompt()))
      if (!session.execute(*line)) break;
    session.finish();
    failures = session.failures();
  }
  if (auto closed = (*store)->close(); !closed) return fail(kepler::to_string(closed.error()));
  return !lines->interactive() && failures > 0 ? exit_failed : exit_ok;
}

}  // namespace kepler::cli
