#include "storage_format/compaction/compaction_input.hpp"

#include <utility>
#include <vector>

#include "storage_format/iterator/empty_iterator.hpp"
#include "storage_format/iterator/level_iterator.hpp"
#include "storage_format/iterator/merging_iterator.hpp"
#include "storage_format/iterator/table_iterator.hpp"
#include "storage_format/table/table_cache.hpp"

namespace kepler::storage {

namespace {

// The merge and the cache its children read through; the cache is declared first, so it
// outlives every child.
class compaction_input final : public internal_iterator {
 public:
  compaction_input(std::unique_ptr<table_cache> tables, const compaction& c)
      : tables_(std::move(tables)) {
    read_options options;
    options.verify_checksums = true;
    options.fill_cache = false;
    std::vector<std::unique_ptr<internal_iterator>> children;
    for (int which = 0; which < 2; ++which) {
      const auto& files = c.inputs[which];
      if (files.empty()) continue;
      if (c.level + which > 0) {
        children.push_back(new_level_iterator(*tables_, files, options));
        continue;
      }
      for (const auto& f : files) {
        std::shared_ptr<const table_reader> reader;
        status s = tables_->find(*f, &reader);
        children.push_back(s.is_ok() ? new_table_iterator(std::move(reader), options)
                                     : new_error_iterator(std::move(s)));
      }
    }
    merged_ = new_merging_iterator(std::move(children));
  }

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
  std::unique_ptr<table_cache> tables_;
  std::unique_ptr<internal_iterator> merged_;
};

}  // namespace

std::unique_ptr<internal_iterator> new_compaction_input(file_system& fs, const std::string& dir,
                                                        const compaction& c) {
  // Every level-0 input open at once, and one file of a deeper level at a time.
  const std::size_t readers = c.inputs[0].size() + c.inputs[1].size() + 1;
  auto tables = std::make_unique<table_cache>(fs, dir, readers, nullptr);
  return std::make_unique<compaction_input>(std::move(tables), c);
}

}  // namespace kepler::storage
