// Fuzz target for a whole MANIFEST (manifest_format.md): the input is the file, log records of
// version edits. Each record is decoded and applied to one version set in order, as recovery's
// replay does (an edit that fails to decode or apply is skipped, as salvage skips it); after
// each applied edit the version is checked, and at the end the set must survive its own
// snapshot (edit_check.hpp). The file is read as it is and, when that changes it, once more
// with its fragments' CRCs repaired (fuzz_support.hpp). A crash, a hang or an over-read (ASan)
// is a finding.
//
//   kepler_fuzz_manifest -max_len=8192 NEW_DIR tests/fuzz/corpus/manifest

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "edit_check.hpp"
#include "fuzz_support.hpp"
#include "storage_format/log/log_reader.hpp"
#include "string_files.hpp"

namespace {

using namespace kepler::storage;

void replay(const std::string& bytes) {
  kepler::test::string_readable file(bytes, UINT64_MAX, UINT64_MAX, "MANIFEST-000001");
  log::reader reader(&file);
  version_set versions;
  std::string record;
  std::uint64_t offset = 0, records = 0;
  while (reader.read_record(&record, &offset)) {
    if (++records > bytes.size() / log::header_size) std::abort();
    version_edit edit;
    const status decoded = edit.decode(record, "fuzz: offset " + std::to_string(offset));
    kepler::fuzz::expect_ok_or_corruption(decoded);
    if (!decoded.is_ok()) continue;
    kepler::fuzz::check_edit_round_trip(edit);
    const status applied = versions.apply(edit, "fuzz");
    kepler::fuzz::expect_ok_or_corruption(applied);
    if (applied.is_ok()) kepler::fuzz::check_version(*versions.current());
    (void)versions.take_deletable_tables();
  }
  (void)versions.complete();
  kepler::fuzz::check_snapshot(versions);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  replay(bytes);
  if (kepler::fuzz::repair_log_checksums(&bytes)) replay(bytes);
  return 0;
}
