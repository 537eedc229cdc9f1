#pragma once
// `kepler shell DIR`: an interactive shell on a store (shell_session.hpp for its commands,
// line_reader.hpp for where its lines come from).
#include <string>

#include "text/escape.hpp"

namespace kepler::cli {

/// Opens (creating when missing) the store in `dir` and runs shell commands until quit or the
/// end of input, printing keys and values in form `f`. Returns the exit code: 0, or 1 when the
/// store could not be opened or closed, or when input came from a pipe and a command failed
/// (so a script notices).
int run_shell(const std::string& dir, byte_format f);

}  // namespace kepler::cli
