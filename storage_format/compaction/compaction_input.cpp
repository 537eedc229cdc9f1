#include "storage_format/compaction/compaction_input.hpp"

#include <utility>
#include <vector>

#include "storage_format/iterator/empty_iterator.hpp"
#include "storage_format/iterator/level_iterator.hpp"
#include "storage_format/iterator/merging_iterator.hpp"
#include "storage_format/iterator/table_iterator.hpp"

namespace kepler::storage {

std::unique_ptr<internal_iterator> new_compaction_input(table_cache& tables, const compaction& c) {
  read_options options;
  options.verify_checksums = true;
  options.fill_cache = false;
  std::vector<std::unique_ptr<internal_iterator>> children;
  for (int which = 0; which < 2; ++which) {
    const auto& files = c.inputs[which];
    if (files.empty()) continue;
    if (c.level + which == 0) {
      for (const auto& f : files) {
        std::shared_ptr<const table_reader> reader;
        status s = tables.find(*f, &reader);
        if (!s.is_ok()) {
          children.push_back(new_error_iterator(std::move(s)));
          continue;
        }
        children.push_back(new_table_iterator(std::move(reader), options));
      }
    } else {
      children.push_back(new_level_iterator(tables, files, options));
    }
  }
  return new_merging_iterator(std::move(children));
}

}  // namespace kepler::storage
