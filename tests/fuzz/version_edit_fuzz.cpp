// Fuzz target for the MANIFEST's records (manifest_format.md): the input is one version edit.
// version_edit::decode must accept it or say corruption; an edit it accepts must survive an
// encode and decode unchanged and apply to an empty version set or be refused as corruption,
// and the set must then survive its own snapshot (edit_check.hpp). A crash or an over-read
// (ASan) is a finding.
//
//   kepler_fuzz_version_edit -max_len=1024 NEW_DIR tests/fuzz/corpus/version_edit

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edit_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kepler::storage;
  version_edit edit;
  const status decoded =
      edit.decode(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  kepler::fuzz::expect_ok_or_corruption(decoded);
  if (!decoded.is_ok()) return 0;
  kepler::fuzz::check_edit_round_trip(edit);
  version_set versions;
  const status applied = versions.apply(edit, "fuzz");
  kepler::fuzz::expect_ok_or_corruption(applied);
  kepler::fuzz::check_snapshot(versions);
  return 0;
}
