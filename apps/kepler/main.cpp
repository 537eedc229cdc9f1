// kepler: the KeplerDB command line. `kepler demo [DIR]` shows the store at work; the store
// commands (get, put, del, scan, ..., shell) work on a store directory; the inspection commands
// read a store's files without changing them. `kepler --help` lists them all.

#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "command_line.hpp"
#include "demo.hpp"
#include "inspect/inspect_commands.hpp"
#include "remote_commands.hpp"
#include "store_commands.hpp"

namespace {

void add_demo_command(CLI::App& app, kepler::cli::command_status& status) {
  auto* cmd = app.add_subcommand("demo", "walk through writes, reads, a batch and recovery");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "store directory (default: a temporary one, removed afterwards)");
  cmd->callback([dir, &status] {
    if (!dir->empty()) {
      status.code = kepler::cli::run_demo(*dir);
      return;
    }
    auto tmp =
        std::filesystem::temp_directory_path() / ("kepler-demo-" + std::to_string(::getpid()));
    status.code = kepler::cli::run_demo(tmp.string());
    std::error_code ignored;
    std::filesystem::remove_all(tmp, ignored);
  });
}

}  // namespace

int main(int argc, char** argv) {
  // `kepler --connect HOST:PORT CMD ...`: get, put, del and scan on a served store.
  if (kepler::cli::wants_remote(argc, argv)) return kepler::cli::run_remote_command(argc, argv);
  CLI::App app{"kepler: the KeplerDB command line"};
  app.name("kepler");
  app.footer(
      "A store that kepler-server serves: kepler --connect HOST:PORT [--tls-cert F --tls-key F "
      "--tls-ca F] get|put|del|scan|shell ... (kepler --connect HOST:PORT --help)");
  app.require_subcommand(1);
  app.fallthrough(false);
  kepler::cli::command_status status;
  add_demo_command(app, status);
  kepler::cli::add_store_commands(app, status);
  kepler::cli::add_inspect_commands(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "kepler: %s\n", e.what());
    std::fprintf(stderr,
                 "kepler: run 'kepler --help' for the commands, 'kepler CMD --help' for "
                 "one command's arguments\n");
    return kepler::cli::exit_usage;
  }
  return status.code;
}
