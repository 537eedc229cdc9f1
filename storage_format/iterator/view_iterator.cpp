#include "storage_format/iterator/view_iterator.hpp"

#include <cassert>
#include <utility>
#include <vector>

#include "storage_format/iterator/empty_iterator.hpp"
#include "storage_format/iterator/level_iterator.hpp"
#include "storage_format/iterator/memtable_iterator.hpp"
#include "storage_format/iterator/merging_iterator.hpp"
#include "storage_format/iterator/table_iterator.hpp"

namespace kepler::storage {

namespace {

// The merge, holding the view it reads. The children pin their memtables and readers
// themselves; this pin keeps the version, so that level iterators find their files when they
// open them later.
class view_iterator final : public internal_iterator {
 public:
  view_iterator(std::shared_ptr<const read_view> view, std::unique_ptr<internal_iterator> merged)
      : view_(std::move(view)), merged_(std::move(merged)) {}

  bool valid() const override { return merged_->valid(); }
  void seek_to_first() override { merged_->seek_to_first(); }
  void seek_to_last() override { merged_->seek_to_last(); }
  void seek(std::string_view target) override { merged_->seek(target); }
  void next() override { merged_->next(); }
  void prev() override { merged_->prev(); }
  std::string_view key() const override { return merged_->key(); }
  std::string_view value() const override { return merged_->value(); }
  status state() const override { return merged_->state(); }

 private:
  // Declared before merged_, so the view outlives every child.
  std::shared_ptr<const read_view> view_;
  std::unique_ptr<internal_iterator> merged_;
};

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
  std::unique_ptr<internal_iterator> merged = new_merging_iterator(std::move(children));
  return std::make_unique<view_iterator>(std::move(view), std::move(merged));
}

}  // namespace kepler::storage
