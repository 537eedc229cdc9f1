#pragma once
// The commands that work on a store through kepler::db: get, put, del, scan, prefix, count,
// stats, compact, dump, load, repair and shell.
namespace CLI {
class App;
}  // namespace CLI

namespace kepler::cli {

struct command_status;

/// Adds the store commands to `app`; the one that runs sets `status`.
void add_store_commands(CLI::App& app, command_status& status);

}  // namespace kepler::cli
