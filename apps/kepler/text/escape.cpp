#include "text/escape.hpp"

namespace kepler::cli {
namespace {

const char hex_digits[] = "0123456789abcdef";

bool printable(unsigned char c) {
  return c >= 0x20 && c <= 0x7e;
}

void append_hex(std::string& out, unsigned char c) {
  out += hex_digits[c >> 4];
  out += hex_digits[c & 15];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte spelled by the two hex digits at text[i], or -1.
int hex_byte(std::string_view text, std::size_t i) {
  if (i + 2 > text.size()) return -1;
  int hi = hex_value(text[i]);
  int lo = hex_value(text[i + 1]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

std::optional<std::string> parse_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case '\\':
        out += '\\';
        break;
      case '"':
        out += '"';
        break;
      case '\'':
        out += '\'';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case '0':
        out += '\0';
        break;
      case 'x': {
        int b = hex_byte(text, i + 1);
        if (b < 0) return std::nullopt;
        out += static_cast<char>(b);
        i += 2;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string> parse_hex(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int b = hex_byte(text, i);
    if (b < 0) return std::nullopt;
    out += static_cast<char>(b);
  }
  return out;
}

// A JSON string literal whose code points are all at most U+00FF, as bytes.
std::optional<std::string> parse_json(std::string_view text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c < 0x20 || c >= 0x80) return std::nullopt;  // unescaped quote, control, UTF-8
    if (c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        // Only U+0000..U+00FF stand for bytes.
        if (i + 5 > text.size() || text[i + 1] != '0' || text[i + 2] != '0') return std::nullopt;
        int b = hex_byte(text, i + 3);
        if (b < 0) return std::nullopt;
        out += static_cast<char>(b);
        i += 4;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

}  // namespace

std::string format_bytes(std::string_view bytes, byte_format f) {
  std::string out;
  switch (f) {
    case byte_format::raw:
      return std::string(bytes);
    case byte_format::hex:
      out.reserve(bytes.size() * 2);
      for (unsigned char c : bytes) append_hex(out, c);
      return out;
    case byte_format::escaped:
      out.reserve(bytes.size());
      for (unsigned char c : bytes) {
        if (c == '\\') {
          out += "\\\\";
        } else if (printable(c)) {
          out += static_cast<char>(c);
        } else {
          out += "\\x";
          append_hex(out, c);
        }
      }
      return out;
    case byte_format::json:
      out.reserve(bytes.size() + 2);
      out += '"';
      for (unsigned char c : bytes) {
        if (c == '"' || c == '\\') {
          out += '\\';
          out += static_cast<char>(c);
        } else if (printable(c)) {
          out += static_cast<char>(c);
        } else {
          out += "\\u00";
          append_hex(out, c);
        }
      }
      out += '"';
      return out;
  }
  return out;
}

std::optional<std::string> parse_bytes(std::string_view text, byte_format f) {
  switch (f) {
    case byte_format::raw:
      return std::string(text);
    case byte_format::hex:
      return parse_hex(text);
    case byte_format::json:
      return parse_json(text);
    case byte_format::escaped:
      return parse_escaped(text);
  }
  return std::nullopt;
}

}  // namespace kepler::cli
