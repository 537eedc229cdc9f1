#pragma once
// The inspection commands of the kepler CLI: sst, manifest, log and check. They read a store's
// files directly through storage_format and never write to the store.
namespace CLI {
class App;
}  // namespace CLI

namespace kepler::cli {

struct command_status;

/// Registers `sst`, `manifest`, `log` and `check` on `app`; each sets `status` when it runs.
void add_inspect_commands(CLI::App& app, command_status& status);

}  // namespace kepler::cli
