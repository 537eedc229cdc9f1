// Fuzz target for the log reader (wal_format.md): the input is a whole log file. The reader
// must read every record, report every range it drops in file order within the file, and end;
// each record it returns goes to the batch decoder (batch_check.hpp), as recovery's replay does.
// The file is read as it is and, when that changes it, once more with every fragment's CRC
// repaired (fuzz_support.hpp), so mutated lengths and types reach the reassembly. A crash, a
// hang, an over-read (ASan) or a drop outside the file is a finding.
//
//   kepler_fuzz_wal_reader -max_len=65536 NEW_DIR tests/fuzz/corpus/wal_reader

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "batch_check.hpp"
#include "fuzz_support.hpp"
#include "storage_format/log/log_reader.hpp"
#include "string_files.hpp"

namespace {

using namespace kepler::storage;

void read_log(const std::string& bytes) {
  const std::uint64_t size = bytes.size();
  kepler::test::string_readable file(bytes, UINT64_MAX, UINT64_MAX, "fuzz.log");
  log::reader reader(&file);
  std::string record;
  std::uint64_t offset = 0, records = 0, previous_offset = 0;
  while (reader.read_record(&record, &offset)) {
    // Each record takes at least one 7-byte header, and records come in file order.
    if (++records > size / log::header_size) std::abort();
    if (offset + log::header_size > size || record.size() + log::header_size > size) std::abort();
    if (records > 1 && offset <= previous_offset) std::abort();
    previous_offset = offset;
    kepler::fuzz::check_batch(record);
  }
  if (reader.last_record_end() > size) std::abort();
  // Drops: in file order, not overlapping, within the file.
  std::uint64_t end = 0;
  for (const auto& d : reader.drops()) {
    if (d.offset < end || d.offset > size || d.bytes > size - d.offset) std::abort();
    if (d.reason == log::drop_reason::read_error) std::abort();  // a string never fails a read
    end = d.offset + d.bytes;
  }
  if (reader.drops().empty() != reader.describe_first_drop().empty()) std::abort();
  // A further call after the end stays at the end.
  if (reader.read_record(&record, &offset)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  read_log(bytes);
  if (kepler::fuzz::repair_log_checksums(&bytes)) read_log(bytes);
  return 0;
}
