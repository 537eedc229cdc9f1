#include "storage_format/iterator/level_iterator.hpp"

#include <algorithm>
#include <cassert>
#include <optional>
#include <utility>

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

namespace {

class level_iterator final : public internal_iterator {
 public:
  level_iterator(table_cache& cache, std::vector<std::shared_ptr<const file_meta>> files,
                 const read_options& options)
      : cache_(cache), files_(std::move(files)), options_(options) {}

  bool valid() const override { return table_.has_value() && table_->valid(); }

  void seek_to_first() override {
    status_ = status::ok();
    if (files_.empty() || !open_file(0)) return;
    table_->seek_to_first();
    skip_forward();
  }

  void seek_to_last() override {
    status_ = status::ok();
    if (files_.empty() || !open_file(files_.size() - 1)) return;
    table_->seek_to_last();
    skip_backward();
  }

  void seek(std::string_view target) override {
    status_ = status::ok();
    // The first file whose last key is at or after the target: the only one that can hold the
    // first entry at or after it, as the files are disjoint and sorted.
    const auto it =
        std::lower_bound(files_.begin(), files_.end(), target,
                         [](const std::shared_ptr<const file_meta>& f, std::string_view t) {
                           return compare_internal_keys(f->largest, t) < 0;
                         });
    if (it == files_.end()) {
      close_file();
      return;
    }
    if (!open_file(static_cast<std::size_t>(it - files_.begin()))) return;
    table_->seek(target);
    skip_forward();
  }

  void next() override {
    assert(valid());
    table_->next();
    skip_forward();
  }

  void prev() override {
    assert(valid());
    table_->prev();
    skip_backward();
  }

  std::string_view key() const override {
    assert(valid());
    return table_->key();
  }
  std::string_view value() const override {
    assert(valid());
    return table_->value();
  }

  status state() const override {
    if (!status_.is_ok()) return status_;
    return table_.has_value() ? table_->state() : status::ok();
  }

 private:
  // Makes file `index` the current one, positioned nowhere yet. Reuses the open iterator when it
  // is already that file (seeks that land near each other spare a table cache lookup, which
  // takes its lock). False, with the error in status_, when the file does not open.
  bool open_file(std::size_t index) {
    if (table_.has_value() && index_ == index && table_->state().is_ok()) return true;
    close_file();
    std::shared_ptr<const table_reader> reader;
    status s = cache_.find(*files_[index], &reader);
    if (!s.is_ok()) {
      status_ = std::move(s);
      return false;
    }
    index_ = index;
    reader_ = std::move(reader);
    table_.emplace(reader_.get(), options_);
    return true;
  }

  void close_file() {
    table_.reset();
    reader_.reset();
  }

  // At the end of the current file, moves to the first entry of the next file that has one.
  // A file's own error stops the level: skipping it would hide its entries.
  void skip_forward() {
    while (table_.has_value() && !table_->valid()) {
      if (!table_->state().is_ok() || index_ + 1 >= files_.size()) return;
      if (!open_file(index_ + 1)) return;
      table_->seek_to_first();
    }
  }

  void skip_backward() {
    while (table_.has_value() && !table_->valid()) {
      if (!table_->state().is_ok() || index_ == 0) return;
      if (!open_file(index_ - 1)) return;
      table_->seek_to_last();
    }
  }

  table_cache& cache_;
  const std::vector<std::shared_ptr<const file_meta>> files_;
  const read_options options_;
  // The current file: its index, its reader (held so the cache keeps it open) and an iterator
  // over it; none before the first positioning call and after a file failed to open.
  std::size_t index_ = 0;
  std::shared_ptr<const table_reader> reader_;
  std::optional<table_reader::iterator> table_;
  // Why the last file open failed; a failing table's own error is in table_->state().
  status status_;
};

}  // namespace

std::unique_ptr<internal_iterator> new_level_iterator(
    table_cache& cache, std::vector<std::shared_ptr<const file_meta>> files,
    const read_options& options) {
  return std::make_unique<level_iterator>(cache, std::move(files), options);
}

}  // namespace kepler::storage
