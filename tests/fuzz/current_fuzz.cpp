// Fuzz target for CURRENT (manifest_format.md, "Files"): the input is the file's contents.
// parse_current must name a MANIFEST or say corruption, and what it accepts is exactly the
// name the store writes for that number and a newline. A crash or an over-read (ASan) is a
// finding.
//
//   kepler_fuzz_current -max_len=64 NEW_DIR tests/fuzz/corpus/current

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_support.hpp"
#include "storage_format/version/file_names.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kepler::storage;
  const std::string_view contents(reinterpret_cast<const char*>(data), size);
  std::uint64_t number = 0;
  const status parsed = parse_current(contents, "CURRENT", &number);
  kepler::fuzz::expect_ok_or_corruption(parsed);
  if (parsed.is_ok() && manifest_file_name(number) + "\n" != contents) std::abort();
  return 0;
}
