#include "text/dump_format.hpp"

#include <cstdio>
#include <optional>

namespace kepler::cli {
namespace {

constexpr std::string_view json_key_prefix = "{\"key\":";
constexpr std::string_view json_value_infix = ",\"value\":";

// The end (one past the closing quote) of the JSON string literal starting at text[0], or npos.
std::size_t json_string_end(std::string_view text) {
  if (text.empty() || text[0] != '"') return std::string_view::npos;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::string parse_json_entry(std::string_view line, std::string* key, std::string* value) {
  if (line.substr(0, json_key_prefix.size()) != json_key_prefix)
    return "a json line starts with {\"key\":";
  line.remove_prefix(json_key_prefix.size());
  std::size_t key_end = json_string_end(line);
  if (key_end == std::string_view::npos) return "the key is not a complete JSON string";
  auto k = parse_bytes(line.substr(0, key_end), byte_format::json);
  if (!k) return "the key is not a JSON string of bytes (U+0000..U+00FF)";
  line.remove_prefix(key_end);
  if (line.substr(0, json_value_infix.size()) != json_value_infix)
    return "the key is followed by ,\"value\":";
  line.remove_prefix(json_value_infix.size());
  std::size_t value_end = json_string_end(line);
  if (value_end == std::string_view::npos) return "the value is not a complete JSON string";
  auto v = parse_bytes(line.substr(0, value_end), byte_format::json);
  if (!v) return "the value is not a JSON string of bytes (U+0000..U+00FF)";
  if (line.substr(value_end) != "}") return "the value is followed by } and the end of the line";
  *key = std::move(*k);
  *value = std::move(*v);
  return {};
}

}  // namespace

std::string format_entry(std::string_view key, std::string_view value, byte_format f) {
  if (f == byte_format::json) {
    std::string line(json_key_prefix);
    line += format_bytes(key, f);
    line += json_value_infix;
    line += format_bytes(value, f);
    line += '}';
    return line;
  }
  std::string line = format_bytes(key, f);
  line += '\t';
  line += format_bytes(value, f);
  return line;
}

std::string parse_entry(std::string_view line, byte_format f, std::string* key,
                        std::string* value) {
  if (f == byte_format::raw) return "raw lines cannot be read back (use escaped, hex or json)";
  // A dump never holds a raw control byte; one here is a file from elsewhere (a CRLF line end,
  // say), and taking it as data would store bytes nobody meant.
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      const char* hint = c == '\r' && i + 1 == line.size()
                             ? " (a CRLF line end: convert the file with dos2unix)"
                             : " (write it escaped, as \\xNN)";
      char code[8];
      std::snprintf(code, sizeof code, "0x%02x", c);
      return std::string("a raw control byte ") + code + " at column " + std::to_string(i + 1) +
             hint;
    }
  }
  if (f == byte_format::json) return parse_json_entry(line, key, value);
  std::size_t tab = line.find('\t');
  if (tab == std::string_view::npos) return "no tab between the key and the value";
  if (line.find('\t', tab + 1) != std::string_view::npos)
    return "more than one tab (a tab inside a key or value is written \\x09)";
  const char* form = f == byte_format::hex ? "hex digits" : "escaped bytes";
  auto k = parse_bytes(line.substr(0, tab), f);
  if (!k) return std::string("the key is not ") + form;
  auto v = parse_bytes(line.substr(tab + 1), f);
  if (!v) return std::string("the value is not ") + form;
  *key = std::move(*k);
  *value = std::move(*v);
  return {};
}

}  // namespace kepler::cli
