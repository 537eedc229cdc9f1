#include "storage_format/version/read_view.hpp"

namespace kepler::storage {

namespace {

// A memtable's verdict: true when it decided the lookup (found or deleted).
bool decided_by(const memtable& mem, std::string_view key, sequence_number snapshot,
                std::optional<std::string>* value) {
  std::string found;
  switch (mem.get(key, snapshot, &found)) {
    case memtable::lookup::found:
      *value = std::move(found);
      return true;
    case memtable::lookup::deleted:
      value->reset();
      return true;
    case memtable::lookup::absent:
      return false;
  }
  return false;
}

}  // namespace

status read_view::get(const read_options& options, std::string_view key, sequence_number snapshot,
                      std::optional<std::string>* value) const {
  value->reset();
  if (decided_by(*mem, key, snapshot, value)) return status::ok();
  for (const auto& m : sealed)
    if (decided_by(*m, key, snapshot, value)) return status::ok();
  if (files->file_count() == 0) return status::ok();
  std::string target;
  append_internal_key(&target, key, snapshot, value_type_for_seek);
  for (int level = 0; level < num_levels; ++level) {
    for (const file_meta* f : files->files_for_key(level, key)) {
      table_lookup result = table_lookup::absent;
      std::string found;
      KEPLER_RETURN_IF_ERROR(tables->get(options, *f, target, &result, &found));
      if (result == table_lookup::found) {
        *value = std::move(found);
        return status::ok();
      }
      if (result == table_lookup::deleted) return status::ok();
    }
  }
  return status::ok();
}

}  // namespace kepler::storage
