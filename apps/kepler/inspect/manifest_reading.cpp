#include "inspect/manifest_reading.hpp"

#include <memory>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/recovery.hpp"

namespace kepler::cli {

namespace st = kepler::storage;

st::status read_manifest(const std::string& dir, manifest_reading* out) {
  st::file_system& fs = *st::file_system::posix();
  if (!fs.exists(st::join_path(dir, st::current_file_name)))
    return st::status::corruption(st::join_path(dir, st::current_file_name) + ": missing: " + dir +
                                  " is not a KeplerDB store");
  KEPLER_RETURN_IF_ERROR(st::read_current(fs, dir, &out->number));
  out->path = st::join_path(dir, st::manifest_file_name(out->number));
  // Recovery's own replay, in the default mode, so the verdicts are the store's.
  st::manifest_observer observe;
  observe.on_record = [out](std::uint64_t offset, const st::version_edit& edit) {
    out->records.push_back({offset, edit});
  };
  observe.drops = &out->drops;
  st::version_edit state;
  st::recovery_stats stats;
  KEPLER_RETURN_IF_ERROR(st::replay_manifest(fs, out->path, st::recovery_mode::point_in_time,
                                             &state, &out->versions, &stats, observe));
  out->torn_tail = !out->drops.empty();
  return st::status::ok();
}

}  // namespace kepler::cli
