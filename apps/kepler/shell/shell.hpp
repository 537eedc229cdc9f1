#pragma once
// `kepler shell DIR` and `kepler --connect HOST:PORT shell`: an interactive shell on a store
// (shell_session.hpp for its commands, line_reader.hpp for where its lines come from).
#include <string>

#include "text/escape.hpp"

namespace kepler::cli {

class shell_store;

/// Opens (creating when missing) the store in `dir` and runs the shell on it (run_shell_on).
/// 1 also when the store could not be opened or closed.
int run_shell(const std::string& dir, byte_format f);

/// Runs shell commands on `store` (named `where` in the greeting) until quit or the end of
/// input, printing keys and values in form `f`. Returns the exit code: 0, or 1 when input came
/// from a pipe and a command failed (so a script notices).
int run_shell_on(shell_store& store, const std::string& where, byte_format f);

}  // namespace kepler::cli
