#pragma once
// The version edit checks shared by the version_edit and manifest targets: an edit that decodes
// encodes back to bytes that decode to the same edit, and a version set's state survives its
// own snapshot (what a MANIFEST roll writes) applied to a fresh set.

#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "storage_format/version/version.hpp"
#include "storage_format/version/version_edit.hpp"
#include "storage_format/version/version_set.hpp"

namespace kepler::fuzz {

inline std::string encoded(const storage::version_edit& e) {
  std::string out;
  e.encode(&out);
  return out;
}

/// decode(encode(e)) == e, compared through the canonical encoding.
inline void check_edit_round_trip(const storage::version_edit& e) {
  const std::string once = encoded(e);
  storage::version_edit again;
  if (!again.decode(once, "round trip").is_ok() || encoded(again) != once) std::abort();
}

/// Levels as version::files promises them: deeper levels ordered by smallest key and disjoint,
/// and each file's range in order (apply refuses what would break that).
inline void check_version(const storage::version& v) {
  for (int level = 0; level < storage::num_levels; ++level) {
    const auto& files = v.files(level);
    for (std::size_t i = 0; i < files.size(); ++i) {
      const auto& f = *files[i];
      (void)v.files_for_key(level, std::string_view(f.smallest).substr(0, f.smallest.size() - 8));
      if (level > 0 && i > 0 &&
          storage::compare_internal_keys(files[i - 1]->largest, f.smallest) >= 0)
        std::abort();
    }
  }
}

inline void check_snapshot(const storage::version_set& vs) {
  check_version(*vs.current());
  const storage::version_edit snap = vs.snapshot();
  check_edit_round_trip(snap);
  storage::version_set fresh;
  if (!fresh.apply(snap, "snapshot").is_ok()) std::abort();
  if (encoded(fresh.snapshot()) != encoded(snap)) std::abort();
}

}  // namespace kepler::fuzz
