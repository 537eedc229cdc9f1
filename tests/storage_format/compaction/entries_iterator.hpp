#pragma once
// An internal_iterator over a vector of (internal key, value) entries, for feeding
// run_compaction in tests without tables or a merging iterator. It can be told to fail: once it
// reaches entry `fail_at` it turns invalid with `failure` as its state, as a table iterator does
// when it meets a damaged block.

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/memtable/internal_key.hpp"

namespace kepler::test {

using entry = std::pair<std::string, std::string>;  // internal key, value

class entries_iterator : public storage::internal_iterator {
 public:
  /// `entries` as given: a test that wants bad input passes it unsorted or malformed.
  explicit entries_iterator(std::vector<entry> entries) : entries_(std::move(entries)) {}

  /// Reaching entry `index` (by any move) makes the iterator invalid with `failure`.
  void fail_at(std::size_t index, storage::status failure) {
    fail_at_ = index;
    failure_ = std::move(failure);
  }
  /// Entries the iterator has been positioned at so far.
  std::size_t visited() const { return visited_; }

  bool valid() const override { return state_.is_ok() && pos_ < entries_.size(); }
  void seek_to_first() override { move_to(0); }
  void seek_to_last() override { move_to(entries_.empty() ? 0 : entries_.size() - 1); }
  void seek(std::string_view target) override {
    std::size_t i = 0;
    while (i < entries_.size() && storage::compare_internal_keys(entries_[i].first, target) < 0)
      ++i;
    move_to(i);
  }
  void next() override { move_to(pos_ + 1); }
  void prev() override { move_to(pos_ == 0 ? entries_.size() : pos_ - 1); }
  std::string_view key() const override { return entries_[pos_].first; }
  std::string_view value() const override { return entries_[pos_].second; }
  storage::status state() const override { return state_; }

 private:
  void move_to(std::size_t i) {
    pos_ = i;
    state_ = storage::status::ok();
    if (pos_ >= fail_at_) {
      state_ = failure_;
      return;
    }
    if (pos_ < entries_.size()) ++visited_;
  }

  std::vector<entry> entries_;
  std::size_t pos_ = std::numeric_limits<std::size_t>::max();
  std::size_t fail_at_ = std::numeric_limits<std::size_t>::max();
  storage::status failure_;
  storage::status state_;
  std::size_t visited_ = 0;
};

}  // namespace kepler::test
