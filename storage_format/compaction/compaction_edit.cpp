#include "storage_format/compaction/compaction_edit.hpp"

namespace kepler::storage {

version_edit compaction_edit(const compaction& c, const compaction_result& result) {
  version_edit edit;
  for (int which = 0; which < 2; ++which)
    for (const auto& f : c.inputs[which])
      edit.deleted_files.push_back({c.level + which, f->number});
  for (const file_meta& f : result.outputs) edit.new_files.push_back({c.output_level(), f});
  return edit;
}

}  // namespace kepler::storage
