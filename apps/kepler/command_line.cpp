#include "command_line.hpp"

#include <cstdio>

#include <CLI/CLI.hpp>

namespace kepler::cli {

void add_output_flags(CLI::App* cmd, output_flags* flags) {
  auto* raw = cmd->add_flag("--raw", flags->raw, "print keys and values as raw bytes");
  auto* hex = cmd->add_flag("--hex", flags->hex, "print keys and values as hex digits");
  auto* json = cmd->add_flag("--json", flags->json,
                             "print keys and values as JSON strings (bytes as U+0000..U+00FF)");
  raw->excludes(hex)->excludes(json);
  hex->excludes(json);
}

int fail(const std::string& message) {
  std::fprintf(stderr, "kepler: %s\n", message.c_str());
  return exit_failed;
}

bool argument_bytes(bool hex_args, const std::string& text, const char* what, std::string* out) {
  if (!hex_args) {
    *out = text;
    return true;
  }
  auto bytes = parse_bytes(text, byte_format::hex);
  if (!bytes) {
    fail(std::string(what) + " '" + text + "' is not hex digits (--hex-args)");
    return false;
  }
  *out = std::move(*bytes);
  return true;
}

}  // namespace kepler::cli
