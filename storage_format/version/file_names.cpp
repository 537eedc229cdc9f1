#include "storage_format/version/file_names.hpp"

#include <cstdio>

namespace kepler::storage {

namespace {

constexpr std::string_view manifest_prefix = "MANIFEST-";
constexpr std::string_view log_suffix = ".log";
constexpr std::string_view table_suffix = ".sst";

std::string numbered(const char* prefix, std::uint64_t number, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s%06llu%s", prefix, static_cast<unsigned long long>(number),
                suffix);
  return buf;
}

// Parses a run of decimal digits that is the whole of `digits`, refusing values past 2^64 - 1.
bool parse_number(std::string_view digits, std::uint64_t* number) {
  if (digits.empty()) return false;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return false;
    n = n * 10 + d;
  }
  *number = n;
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// `digits` must parse and format back to exactly `name`, so each file has one name: 5.log and
// 0000005.log are not 000005.log, and a store never mistakes them for its log 5.
file_kind numbered_kind(std::string_view name, std::string_view digits, file_kind kind,
                        std::string (*format)(std::uint64_t), std::uint64_t* number) {
  std::uint64_t n = 0;
  if (!parse_number(digits, &n) || format(n) != name) return file_kind::other;
  *number = n;
  return kind;
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
  if (name == current_temp_file_name) return file_kind::temp;
  if (name.substr(0, manifest_prefix.size()) == manifest_prefix)
    return numbered_kind(name, name.substr(manifest_prefix.size()), file_kind::manifest,
                         manifest_file_name, number);
  if (ends_with(name, log_suffix))
    return numbered_kind(name, name.substr(0, name.size() - log_suffix.size()), file_kind::log,
                         log_file_name, number);
  if (ends_with(name, table_suffix))
    return numbered_kind(name, name.substr(0, name.size() - table_suffix.size()), file_kind::table,
                         table_file_name, number);
  return file_kind::other;
}

status parse_current(std::string_view contents, const std::string& path,
                     std::uint64_t* manifest_number) {
  if (contents.empty() || contents.back() != '\n')
    return status::corruption(path + ": CURRENT does not end with a newline");
  contents.remove_suffix(1);
  if (parse_file_name(contents, manifest_number) != file_kind::manifest)
    return status::corruption(path + ": CURRENT names '" + std::string(contents) +
                              "', not a MANIFEST");
  return status::ok();
}

}  // namespace kepler::storage
