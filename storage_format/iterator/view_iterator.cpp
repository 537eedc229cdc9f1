#include "storage_format/iterator/view_iterator.hpp"

#include <cassert>
#include <utility>
#include <vector>

#include "storage_format/iterator/empty_iterator.hpp"
#include "storage_format/iterator/level_iterator.hpp"
#include "storage_format/iterator/memtable_iterator.hpp"
#include "storage_format/iterator/merging_iterator.hpp"
#include "storage_format/iterator/pinning_iterator.hpp"
#include "storage_format/iterator/table_iterator.hpp"

namespace kepler::storage {

namespace {

std::unique_ptr<internal_iterator> level0_file_iterator(table_cache& tables, const file_meta& f,
                                                        const read_options& options) {
  std::shared_ptr<const table_reader> reader;
  status s = tables.find(f, &reader);
  if (!s.is_ok()) return new_error_iterator(std::move(s));
  return new_table_iterator(std::move(reader), options);
}

}  // namespace

std::unique_ptr<internal_iterator> new_view_iterator(std::shared_ptr<const read_view> view,
                                                     const read_options& options) {
  assert(view != nullptr);
  std::vector<std::unique_ptr<internal_iterator>> children;
  if (view->mem) children.push_back(new_memtable_iterator(view->mem));
  for (const auto& m : view->sealed) children.push_back(new_memtable_iterator(m));
  const version& files = *view->files;
  assert(files.file_count() == 0 || view->tables != nullptr);
  for (const auto& f : files.files(0))
    children.push_back(level0_file_iterator(*view->tables, *f, options));
  for (int level = 1; level < num_levels; ++level) {
    if (files.files(level).empty()) continue;
    children.push_back(new_level_iterator(*view->tables, files.files(level), options));
  }
  // The children pin their memtables and readers themselves; the view pins the version, so
  // that level iterators find their files when they open them later.
  return new_pinning_iterator(std::move(view), new_merging_iterator(std::move(children)));
}

}  // namespace kepler::storage
