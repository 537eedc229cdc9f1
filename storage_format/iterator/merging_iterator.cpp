#include "storage_format/iterator/merging_iterator.hpp"

#include <cassert>
#include <cstdint>
#include <utility>

#include "storage_format/iterator/empty_iterator.hpp"
#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

namespace {

class merging_iterator final : public internal_iterator {
 public:
  explicit merging_iterator(std::vector<std::unique_ptr<internal_iterator>> children)
      : children_(std::move(children)) {
    heap_.reserve(children_.size());
  }

  bool valid() const override { return !failed_ && !heap_.empty(); }

  void seek_to_first() override {
    for (auto& c : children_) c->seek_to_first();
    rebuild(direction::forward);
  }

  void seek_to_last() override {
    for (auto& c : children_) c->seek_to_last();
    rebuild(direction::reverse);
  }

  void seek(std::string_view target) override {
    for (auto& c : children_) c->seek(target);
    rebuild(direction::forward);
  }

  void next() override {
    assert(valid());
    if (direction_ != direction::forward) switch_to_forward();
    children_[heap_.front()]->next();
    settle_top();
  }

  void prev() override {
    assert(valid());
    if (direction_ != direction::reverse) switch_to_reverse();
    children_[heap_.front()]->prev();
    settle_top();
  }

  std::string_view key() const override {
    assert(valid());
    return children_[heap_.front()]->key();
  }

  std::string_view value() const override {
    assert(valid());
    return children_[heap_.front()]->value();
  }

  status state() const override {
    for (const auto& c : children_) {
      status s = c->state();
      if (!s.is_ok()) return s;
    }
    return status::ok();
  }

 private:
  enum class direction { forward, reverse };

  // The merge's order: internal key, then child index. Forward the heap's top is the least
  // entry of that order, backward the greatest.
  bool comes_first(std::uint32_t a, std::uint32_t b) const {
    const int cmp = compare_internal_keys(children_[a]->key(), children_[b]->key());
    if (direction_ == direction::forward) return cmp < 0 || (cmp == 0 && a < b);
    return cmp > 0 || (cmp == 0 && a > b);
  }

  void sift_down(std::size_t pos) {
    const std::size_t n = heap_.size();
    const std::uint32_t moving = heap_[pos];
    for (;;) {
      std::size_t child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && comes_first(heap_[child + 1], heap_[child])) ++child;
      if (!comes_first(heap_[child], moving)) break;
      heap_[pos] = heap_[child];
      pos = child;
    }
    heap_[pos] = moving;
  }

  // The heap of every valid child for `d`; notes whether a child stopped on an error.
  void rebuild(direction d) {
    direction_ = d;
    failed_ = false;
    heap_.clear();
    for (std::uint32_t i = 0; i < children_.size(); ++i) {
      if (children_[i]->valid()) {
        heap_.push_back(i);
      } else if (!children_[i]->state().is_ok()) {
        failed_ = true;
      }
    }
    for (std::size_t pos = heap_.size() / 2; pos-- > 0;) sift_down(pos);
  }

  // After the top child moved: back into place, or out of the heap at its end.
  void settle_top() {
    internal_iterator& top = *children_[heap_.front()];
    if (!top.valid()) {
      if (!top.state().is_ok()) failed_ = true;
      heap_.front() = heap_.back();
      heap_.pop_back();
      if (heap_.empty()) return;
    }
    sift_down(0);
  }

  // Going backward, every other child sits at its last entry before the current one; going
  // forward each must sit at its first entry after it. The current child stays where it is, so
  // its key (a view into it) stays valid while the others seek.
  void switch_to_forward() {
    const std::uint32_t current = heap_.front();
    const std::string_view k = children_[current]->key();
    for (std::uint32_t i = 0; i < children_.size(); ++i) {
      if (i == current) continue;
      internal_iterator& c = *children_[i];
      c.seek(k);
      // An earlier child's equal key comes before the current entry: step past it.
      if (i < current && c.valid() && compare_internal_keys(c.key(), k) == 0) c.next();
    }
    rebuild(direction::forward);
  }

  void switch_to_reverse() {
    const std::uint32_t current = heap_.front();
    const std::string_view k = children_[current]->key();
    for (std::uint32_t i = 0; i < children_.size(); ++i) {
      if (i == current) continue;
      internal_iterator& c = *children_[i];
      c.seek(k);
      if (c.valid()) {
        // An earlier child's equal key comes before the current entry: it stays.
        if (!(i < current && compare_internal_keys(c.key(), k) == 0)) c.prev();
      } else if (c.state().is_ok()) {
        // Every entry of the child is before the current one.
        c.seek_to_last();
      }
    }
    rebuild(direction::reverse);
  }

  std::vector<std::unique_ptr<internal_iterator>> children_;
  // Indices of the valid children, a binary heap whose top (front) is the current entry.
  std::vector<std::uint32_t> heap_;
  direction direction_ = direction::forward;
  // A child stopped on an error: the merge is invalid until the next positioning call.
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<internal_iterator> new_merging_iterator(
    std::vector<std::unique_ptr<internal_iterator>> children) {
  if (children.empty()) return new_empty_iterator();
  if (children.size() == 1) return std::move(children.front());
  return std::make_unique<merging_iterator>(std::move(children));
}

}  // namespace kepler::storage
