#pragma once
// Just enough JSON to read kepler-bench's --json output back in the driver's tests: objects,
// arrays, strings (with \" \\ and \uXXXX below 0x80), numbers, true, false, null.

#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace kepler::test {

struct json {
  enum class kind { null, boolean, number, string, array, object } type = kind::null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<json> array;
  std::map<std::string, json> object;

  const json& operator[](const std::string& key) const {
    auto it = object.find(key);
    if (it == object.end()) throw std::runtime_error("no member '" + key + "'");
    return it->second;
  }
  bool has(const std::string& key) const { return object.count(key) != 0; }
  std::uint64_t count() const { return static_cast<std::uint64_t>(number); }

  static json parse(const std::string& text) {
    std::size_t pos = 0;
    auto value = parse_value(text, pos);
    skip_space(text, pos);
    if (pos != text.size()) throw std::runtime_error("trailing bytes after JSON value");
    return value;
  }

 private:
  static void skip_space(const std::string& t, std::size_t& p) {
    while (p < t.size() && (t[p] == ' ' || t[p] == '\n' || t[p] == '\t' || t[p] == '\r')) ++p;
  }
  static void expect(const std::string& t, std::size_t& p, char c) {
    skip_space(t, p);
    if (p >= t.size() || t[p] != c)
      throw std::runtime_error(std::string("expected '") + c + "' at " + std::to_string(p));
    ++p;
  }
  static std::string parse_string(const std::string& t, std::size_t& p) {
    expect(t, p, '"');
    std::string out;
    while (p < t.size() && t[p] != '"') {
      char c = t[p++];
      if (c == '\\') {
        char e = t.at(p++);
        if (e == 'u') {
          out += static_cast<char>(std::strtol(t.substr(p, 4).c_str(), nullptr, 16));
          p += 4;
        } else {
          out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
      } else {
        out += c;
      }
    }
    expect(t, p, '"');
    return out;
  }
  static json parse_value(const std::string& t, std::size_t& p) {
    skip_space(t, p);
    json v;
    if (p >= t.size()) throw std::runtime_error("unexpected end of JSON");
    if (t[p] == '{') {
      v.type = kind::object;
      ++p;
      skip_space(t, p);
      if (t.at(p) == '}') return ++p, v;
      do {
        auto key = parse_string(t, p);
        expect(t, p, ':');
        v.object[key] = parse_value(t, p);
        skip_space(t, p);
      } while (t.at(p) == ',' && ++p);
      expect(t, p, '}');
    } else if (t[p] == '[') {
      v.type = kind::array;
      ++p;
      skip_space(t, p);
      if (t.at(p) == ']') return ++p, v;
      do {
        v.array.push_back(parse_value(t, p));
        skip_space(t, p);
      } while (t.at(p) == ',' && ++p);
      expect(t, p, ']');
    } else if (t[p] == '"') {
      v.type = kind::string;
      v.string = parse_string(t, p);
    } else if (t.compare(p, 4, "true") == 0 || t.compare(p, 5, "false") == 0) {
      v.type = kind::boolean;
      v.boolean = t[p] == 't';
      p += v.boolean ? 4 : 5;
    } else if (t.compare(p, 4, "null") == 0) {
      p += 4;
    } else {
      v.type = kind::number;
      char* end = nullptr;
      v.number = std::strtod(t.c_str() + p, &end);
      if (end == t.c_str() + p) throw std::runtime_error("bad JSON at " + std::to_string(p));
      p = end - t.c_str();
    }
    return v;
  }
};

}  // namespace kepler::test
