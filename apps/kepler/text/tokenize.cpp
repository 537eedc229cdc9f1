#include "text/tokenize.hpp"

#include <cctype>

#include "text/escape.hpp"

namespace kepler::cli {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::vector<word> tokenize(std::string_view line, std::string* error) {
  std::vector<word> words;
  std::size_t i = 0;
  error->clear();
  while (true) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size() || (line[i] == '#' && words.empty())) return words;
    word w;
    while (i < line.size() && !is_space(line[i])) {
      char c = line[i];
      if (c == '\'' || c == '"') {
        // The closing quote: the next unescaped one of the same kind.
        std::size_t end = i + 1;
        while (end < line.size() && line[end] != c) end += (c == '"' && line[end] == '\\') ? 2 : 1;
        if (end >= line.size()) {
          *error = std::string("no closing ") + (c == '"' ? "double" : "single") +
                   " quote for the one at column " + std::to_string(i + 1);
          return {};
        }
        std::string_view inner = line.substr(i + 1, end - i - 1);
        if (c == '"') {
          auto bytes = parse_bytes(inner, byte_format::escaped);
          if (!bytes) {
            *error = "a bad escape inside the quotes at column " + std::to_string(i + 1) +
                     " (use \\xNN, \\\\, \\\", \\t, \\n, \\r or \\0)";
            return {};
          }
          w.text += *bytes;
        } else {
          w.text += inner;
        }
        w.quoted = true;
        i = end + 1;
      } else {
        w.text += c;
        ++i;
      }
    }
    words.push_back(std::move(w));
  }
}

}  // namespace kepler::cli
