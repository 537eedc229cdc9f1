#include "storage_format/compaction/compaction.hpp"

namespace kepler::storage {

std::uint64_t compaction::input_bytes() const {
  std::uint64_t bytes = 0;
  for (const auto& files : inputs)
    for (const auto& f : files) bytes += f->size;
  return bytes;
}

bool compaction::deeper_levels_hold(std::string_view user_key) const {
  if (base == nullptr) return true;
  for (int deeper = output_level() + 1; deeper < num_levels; ++deeper)
    if (!base->files_for_key(deeper, user_key).empty()) return true;
  return false;
}

}  // namespace kepler::storage
