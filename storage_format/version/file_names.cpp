#include "storage_format/version/file_names.hpp"

#include <cstdio>

namespace kepler::storage {

namespace {

std::string numbered(const char* prefix, std::uint64_t number, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s%06llu%s", prefix, static_cast<unsigned long long>(number),
                suffix);
  return buf;
}

// Parses a run of decimal digits that is the whole of `digits`.
bool parse_number(std::string_view digits, std::uint64_t* number) {
  if (digits.empty() || digits.size() > 19) return false;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *number = n;
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string log_file_name(std::uint64_t number) {
  return numbered("", number, ".log");
}
std::string manifest_file_name(std::uint64_t number) {
  return numbered("MANIFEST-", number, "");
}
std::string table_file_name(std::uint64_t number) {
  return numbered("", number, ".sst");
}

file_kind parse_file_name(std::string_view name, std::uint64_t* number) {
  if (name == current_file_name) return file_kind::current;
  if (name == lock_file_name) return file_kind::lock;
  if (ends_with(name, ".tmp")) return file_kind::temp;
  constexpr std::string_view manifest_prefix = "MANIFEST-";
  if (name.substr(0, manifest_prefix.size()) == manifest_prefix)
    return parse_number(name.substr(manifest_prefix.size()), number) ? file_kind::manifest
                                                                     : file_kind::other;
  if (ends_with(name, ".log"))
    return parse_number(name.substr(0, name.size() - 4), number) ? file_kind::log
                                                                 : file_kind::other;
  if (ends_with(name, ".sst"))
    return parse_number(name.substr(0, name.size() - 4), number) ? file_kind::table
                                                                 : file_kind::other;
  return file_kind::other;
}

}  // namespace kepler::storage
