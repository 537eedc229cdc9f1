// The names of a store's files: parsing is the exact inverse of the names the store writes.

#include "storage_format/version/file_names.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

using namespace kepler::storage;

namespace {

// The kind parse_file_name gives `name`; `*number` is left at `unset` unless it set one.
constexpr std::uint64_t unset = 0xdeadbeef;

file_kind kind_of(const std::string& name, std::uint64_t* number) {
  *number = unset;
  return parse_file_name(name, number);
}

}  // namespace

TEST_CASE("every name the store writes parses back to its kind and number") {
  const std::uint64_t numbers[] = {0, 1, 5, 999999, 1000000, 1234567, UINT64_MAX};
  for (auto n : numbers) {
    std::uint64_t got = 0;
    CHECK(kind_of(log_file_name(n), &got) == file_kind::log);
    CHECK(got == n);
    CHECK(kind_of(manifest_file_name(n), &got) == file_kind::manifest);
    CHECK(got == n);
    CHECK(kind_of(table_file_name(n), &got) == file_kind::table);
    CHECK(got == n);
  }
  std::uint64_t got = 0;
  CHECK(kind_of("CURRENT", &got) == file_kind::current);
  CHECK(kind_of("LOCK", &got) == file_kind::lock);
  CHECK(kind_of("CURRENT.tmp", &got) == file_kind::temp);
  MESSAGE("round trip checked for " << sizeof(numbers) / sizeof(numbers[0]) << " numbers, e.g. "
                                    << log_file_name(1234567) << " and "
                                    << manifest_file_name(UINT64_MAX));
}

TEST_CASE("names the store never writes are other files: 5.log is not 000005.log") {
  // Each of these would map to a number the store may also use under its canonical name, so
  // accepting it would make two files one (a log replayed twice).
  const char* foreign[] = {
      "5.log",                     // no padding
      "0000005.log",               // padded beyond six digits
      "00005.log",                 // padded to five
      "+00005.log",                // a sign
      "00000a.log",                // not a digit
      ".log",                      // no number
      "MANIFEST-1",                // no padding
      "MANIFEST-0000001",          // over-padded
      "MANIFEST-",                 // no number
      "0000012.sst",               // over-padded
      "99999999999999999999.log",  // above 2^64 - 1
      "18446744073709551616.log",  // 2^64: one past the largest number
      "download.tmp",              // a temporary the store never writes
      "LOCK.tmp",                  // ditto
      "current",                   // names are case-sensitive
  };
  int rejected = 0;
  for (const char* name : foreign) {
    std::uint64_t got = 0;
    auto kind = kind_of(name, &got);
    CHECK_MESSAGE(kind == file_kind::other, std::string(name));
    if (kind == file_kind::other) ++rejected;
  }
  MESSAGE(rejected << " of " << sizeof(foreign) / sizeof(foreign[0])
                   << " non-canonical names classified as other");
}

TEST_CASE("CURRENT's contents: a MANIFEST's name and a newline, nothing else") {
  std::uint64_t number = unset;
  CHECK(parse_current("MANIFEST-000007\n", "db/CURRENT", &number).is_ok());
  CHECK(number == 7);
  const char* bad[] = {
      "",                     // empty
      "MANIFEST-000007",      // no newline
      "MANIFEST-000007\n\n",  // two
      "MANIFEST-7\n",         // not the name the store writes
      "000007.log\n",         // not a MANIFEST
      "\n",
      "MANIFEST-000007\r\n",
  };
  for (const char* contents : bad) {  // `number` is unspecified after a failure
    auto s = parse_current(contents, "db/CURRENT", &number);
    CHECK_MESSAGE(s.code() == status_code::corruption, std::string(contents));
    CHECK(s.message().find("db/CURRENT") != std::string::npos);
  }
}
