#include "storage_format/compaction/compaction_input.hpp"

#include <utility>
#include <vector>

#include "storage_format/iterator/empty_iterator.hpp"
#include "storage_format/iterator/level_iterator.hpp"
#include "storage_format/iterator/merging_iterator.hpp"
#include "storage_format/iterator/pinning_iterator.hpp"
#include "storage_format/iterator/table_iterator.hpp"
#include "storage_format/table/table_cache.hpp"

namespace kepler::storage {

std::unique_ptr<internal_iterator> new_compaction_input(file_system& fs, const std::string& dir,
                                                        const compaction& c) {
  // Every level-0 input open at once, and one file of a deeper level at a time.
  const std::size_t readers = c.inputs[0].size() + c.inputs[1].size() + 1;
  auto tables = std::make_shared<table_cache>(fs, dir, readers, nullptr);
  read_options options;
  options.verify_checksums = true;
  options.fill_cache = false;
  std::vector<std::unique_ptr<internal_iterator>> children;
  for (int which = 0; which < 2; ++which) {
    const auto& files = c.inputs[which];
    if (files.empty()) continue;
    if (c.level + which > 0) {
      children.push_back(new_level_iterator(*tables, files, options));
      continue;
    }
    for (const auto& f : files) {
      std::shared_ptr<const table_reader> reader;
      status s = tables->find(*f, &reader);
      children.push_back(s.is_ok() ? new_table_iterator(std::move(reader), options)
                                   : new_error_iterator(std::move(s)));
    }
  }
  // The children read through the cache: it is released after them.
  return new_pinning_iterator(std::move(tables), new_merging_iterator(std::move(children)));
}

}  // namespace kepler::storage
