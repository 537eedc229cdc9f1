// Fuzz target for the write batch encoding (wal_format.md, "WAL payload"): the input is one
// batch as a WAL record holds it. batch::validate must accept it or say corruption, agree with
// for_each, and a batch it accepts must apply to a memtable whole, every entry back with the
// sequence the batch gave it and each key's newest version the batch's last operation on it.
// Any other outcome, a crash or an over-read (ASan) is a finding.
//
//   kepler_fuzz_batch -max_len=1024 NEW_DIR tests/fuzz/corpus/batch

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "batch_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  kepler::fuzz::check_batch(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
