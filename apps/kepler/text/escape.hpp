#pragma once
// How the kepler CLI prints and reads key and value bytes. Keys and values may hold any bytes,
// so every output names one of four forms (--raw, --hex, --json, or the default escaped form),
// and every form but raw reads back to exactly the bytes it came from.
//
//   escaped  printable ASCII (0x20..0x7e) as it is, except '\' as "\\"; every other byte as
//            "\xNN" (two lowercase hex digits). Never holds a tab or a newline, so it is safe
//            inside tab-separated lines.
//   hex      two lowercase hex digits per byte, nothing else ("" for empty bytes).
//   json     a JSON string literal, quotes included: each byte is one code point U+0000..U+00FF
//            (Latin-1), printable ASCII as it is (with \" and \\), every other byte as \u00NN.
//            Any byte string round-trips; in Python, json.loads(s).encode("latin-1").
//   raw      the bytes as they are (output only: it cannot be read back in general).
#include <optional>
#include <string>
#include <string_view>

namespace kepler::cli {

enum class byte_format { escaped, hex, json, raw };

/// `bytes` in form `f`.
std::string format_bytes(std::string_view bytes, byte_format f);

/// The bytes that `text` spells in form `f` (escaped, hex or json; raw returns `text`), or an
/// empty optional when `text` is not a valid spelling. For the escaped form, "\t", "\n", "\r",
/// "\0" and "\"" are accepted too (people type them), beside "\xNN" and "\\".
std::optional<std::string> parse_bytes(std::string_view text, byte_format f);

}  // namespace kepler::cli
