#include "inspect/inspect_commands.hpp"

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "command_line.hpp"
#include "inspect/log_inspect.hpp"
#include "inspect/manifest_inspect.hpp"
#include "inspect/sst_inspect.hpp"
#include "inspect/store_check.hpp"

namespace kepler::cli {
namespace {

// What the inspection commands' arguments hold; shared_ptr so the callbacks own them.
struct inspect_args {
  std::string path;
  bool scan = false;
  bool verify = false;
  output_flags out;
};

constexpr const char* no_lock_note =
    " Reads without the store's LOCK and writes nothing; meant for a store not being written at "
    "the moment (a running writer may make it report a torn log tail).";

void add_sst(CLI::App& app, command_status& status) {
  auto a = std::make_shared<inspect_args>();
  auto* cmd = app.add_subcommand(
      "sst", "print a table file's properties, index, filter and key range (reads only)");
  cmd->add_option("FILE", a->path, "a table file (NNNNNN.sst), in a store or not")->required();
  cmd->add_flag("--scan", a->scan, "also print every entry: key, sequence, type, value");
  cmd->add_flag("--verify", a->verify,
                "read every data block and check its checksum, decompression and entries");
  add_output_flags(cmd, &a->out);
  cmd->callback([a, &status] {
    status.code = run_sst(sst_request{a->path, a->scan, a->verify, a->out.format()});
  });
}

void add_manifest(CLI::App& app, command_status& status) {
  auto a = std::make_shared<inspect_args>();
  auto* cmd = app.add_subcommand(
      "manifest",
      std::string("print every record of the MANIFEST that CURRENT names, then the version "
                  "they build.") +
          no_lock_note);
  cmd->add_option("DIR", a->path, "store directory")->required();
  add_output_flags(cmd, &a->out);
  cmd->callback([a, &status] { status.code = run_manifest(a->path, a->out.format()); });
}

void add_log(CLI::App& app, command_status& status) {
  auto a = std::make_shared<inspect_args>();
  auto* cmd = app.add_subcommand(
      "log",
      "print a write-ahead log's records and entries, its totals and every dropped byte range "
      "(reads only; exit 1 for damage that sound records follow)");
  cmd->add_option("FILE", a->path, "a write-ahead log (NNNNNN.log)")->required();
  add_output_flags(cmd, &a->out);
  cmd->callback([a, &status] { status.code = run_log(a->path, a->out.format()); });
}

void add_check(CLI::App& app, command_status& status) {
  auto a = std::make_shared<inspect_args>();
  auto* cmd = app.add_subcommand(
      "check",
      std::string("verify every checksum of every live file and that the MANIFEST, the tables "
                  "and the logs agree (exit 1 on any problem).") +
          no_lock_note);
  cmd->add_option("DIR", a->path, "store directory")->required();
  cmd->callback([a, &status] { status.code = run_check(a->path); });
}

}  // namespace

void add_inspect_commands(CLI::App& app, command_status& status) {
  add_sst(app, status);
  add_manifest(app, status);
  add_log(app, status);
  add_check(app, status);
}

}  // namespace kepler::cli
