#pragma once
// What every kepler subcommand shares: the output-form flags, the "kepler: <message>" error line
// and the exit codes (0 success; 1 a failed operation, or a missing key for get; 2 usage).
#include <string>

#include "text/escape.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace kepler::cli {

enum exit_code : int { exit_ok = 0, exit_failed = 1, exit_usage = 2 };

/// The --raw, --hex and --json flags (at most one) of a command that prints keys or values.
struct output_flags {
  bool raw = false;
  bool hex = false;
  bool json = false;
  byte_format format() const {
    return raw    ? byte_format::raw
           : hex  ? byte_format::hex
           : json ? byte_format::json
                  : byte_format::escaped;
  }
};

/// Adds --raw, --hex and --json to `cmd`, excluding each other.
void add_output_flags(CLI::App* cmd, output_flags* flags);

/// Prints "kepler: <message>" to stderr and returns exit_failed.
int fail(const std::string& message);

/// The bytes a command-line argument names: `text` itself, or with `hex_args` (--hex-args) the
/// bytes its hex digits spell. False (with a "kepler:" line naming `what`) when they do not.
bool argument_bytes(bool hex_args, const std::string& text, const char* what, std::string* out);

/// The result of the one subcommand that ran: set by its callback, returned by main.
struct command_status {
  int code = exit_ok;
};

}  // namespace kepler::cli
