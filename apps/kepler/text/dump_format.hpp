#pragma once
// One key/value pair per line: the format of `kepler scan`, `kepler dump` and `kepler load`
// (dump_format.md). Escaped and hex lines are KEY<TAB>VALUE; json lines are
// {"key":K,"value":V} (JSON Lines). Every form but raw reads back to the exact bytes.
#include <string>
#include <string_view>
#include <utility>

#include "text/escape.hpp"

namespace kepler::cli {

/// The line (without its newline) for `key` and `value` in form `f`.
std::string format_entry(std::string_view key, std::string_view value, byte_format f);

/// Parses one line (without its newline) in form `f` (not raw) into `*key` and `*value`.
/// Returns an empty string on success, else what is wrong with the line.
std::string parse_entry(std::string_view line, byte_format f, std::string* key, std::string* value);

}  // namespace kepler::cli
