#include "storage_format/table/block.hpp"

#include <algorithm>

#include <cstring>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/key_norm.hpp"
#include "storage_format/util/coding.hpp"

namespace kepler::storage {

namespace {

constexpr std::size_t restart_bytes = sizeof(std::uint32_t);
// The shortest key a block may hold: an empty user key and its tag.
constexpr std::size_t min_key_bytes = 8;
constexpr std::uint8_t one_byte_varint_limit = 0x80;

// Decodes an entry's header at `p`; nullptr when it is malformed or its key and value would run
// past `limit`. Most headers are three one-byte varints, decoded without a loop.
const char* decode_entry(const char* p, const char* limit, std::uint32_t* shared,
                         std::uint32_t* non_shared, std::uint32_t* value_length) {
  if (limit - p < 3) return nullptr;
  const auto* u = reinterpret_cast<const std::uint8_t*>(p);
  if ((u[0] | u[1] | u[2]) < one_byte_varint_limit) {
    *shared = u[0];
    *non_shared = u[1];
    *value_length = u[2];
    p += 3;
  } else {
    if ((p = decode_varint32(p, limit, shared)) == nullptr) return nullptr;
    if ((p = decode_varint32(p, limit, non_shared)) == nullptr) return nullptr;
    if ((p = decode_varint32(p, limit, value_length)) == nullptr) return nullptr;
  }
  if (std::uint64_t{*non_shared} + *value_length > static_cast<std::uint64_t>(limit - p)) {
    return nullptr;
  }
  return p;
}

constexpr std::size_t tag_bytes = 8;

}  // namespace

bool block::build_search_index() {
  entries_.clear();
  keys_.clear();
  indexed_ = false;
  iterator it(this);
  for (it.seek_to_first(); it.valid(); it.next()) {
    const std::string_view key = it.key();
    if (!entries_.empty() && compare_internal_keys(entry_key(entries_.back()), key) >= 0) {
      break;  // out of order: leave the block to the entry-by-entry reader
    }
    if (keys_.size() + key.size() > UINT32_MAX) break;
    entries_.push_back({0, static_cast<std::uint32_t>(keys_.size()),
                        static_cast<std::uint32_t>(key.size()),
                        static_cast<std::uint32_t>(it.value().data() - contents_.data()),
                        static_cast<std::uint32_t>(it.value().size())});
    keys_.append(key.data(), key.size());
  }
  if (!it.state() || it.valid()) {
    entries_.clear();
    entries_.shrink_to_fit();
    keys_.clear();
    keys_.shrink_to_fit();
    return false;
  }
  // Sorted keys all share the prefix the first and the last have in common.
  prefix_bytes_ = 0;
  if (!entries_.empty()) {
    prefix_bytes_ = static_cast<std::uint32_t>(
        shared_user_key_prefix(entry_key(entries_.front()), entry_key(entries_.back())));
  }
  const std::string_view prefix = prefix_of_entries();
  for (indexed_entry& e : entries_) {
    const std::string_view key = entry_key(e);
    e.norm = key_norm(key.substr(0, key.size() - tag_bytes), prefix);
  }
  entries_.shrink_to_fit();
  keys_.shrink_to_fit();
  indexed_ = true;
  return true;
}

block block::copy_contents() const {
  block out;
  out.contents_ = contents_;
  out.restarts_offset_ = restarts_offset_;
  out.num_restarts_ = num_restarts_;
  return out;
}

status block::parse(std::string contents, block* out) {
  const std::size_t size = contents.size();
  if (size < restart_bytes) {
    return status::corruption("block of " + std::to_string(size) + " bytes has no restart count");
  }
  if (size > UINT32_MAX) return status::corruption("block larger than 4 GiB");
  const std::uint32_t num = decode_fixed32(contents.data() + size - restart_bytes);
  const std::size_t max_restarts = (size - restart_bytes) / restart_bytes;
  if (num == 0 || num > max_restarts) {
    return status::corruption("restart count " + std::to_string(num) + " does not fit a block of " +
                              std::to_string(size) + " bytes");
  }
  const auto restarts_offset =
      static_cast<std::uint32_t>(size - restart_bytes - num * restart_bytes);
  // Restarts strictly ascend from 0 and lie inside the entries (an empty block has the one 0).
  std::uint32_t previous = 0;
  for (std::uint32_t i = 0; i < num; ++i) {
    const std::uint32_t r = decode_fixed32(contents.data() + restarts_offset + i * restart_bytes);
    const bool ordered = i == 0 ? r == 0 : r > previous;
    const bool inside = r < restarts_offset || (num == 1 && r == 0);
    if (!ordered || !inside) {
      return status::corruption("restart point " + std::to_string(i) + " at offset " +
                                std::to_string(r) + " is out of order or past the entries");
    }
    previous = r;
  }
  out->contents_ = std::move(contents);
  out->restarts_offset_ = restarts_offset;
  out->num_restarts_ = num;
  out->entries_.clear();
  out->keys_.clear();
  out->indexed_ = false;
  return status::ok();
}

block::iterator::iterator(const block* b)
    : data_(b->contents_.data()),
      restarts_offset_(b->restarts_offset_),
      num_restarts_(b->num_restarts_),
      current_(b->restarts_offset_),
      next_(b->restarts_offset_),
      restart_index_(b->num_restarts_),
      block_(b),
      indexed_(b->indexed_),
      count_(static_cast<std::uint32_t>(b->entries_.size())),
      index_(count_) {}

void block::iterator::move_to_indexed(std::uint32_t index) {
  index_ = index;
  if (index >= count_) {
    index_ = count_;
    key_view_ = {};
    value_ = {};
    return;
  }
  const indexed_entry& e = block_->entries_[index];
  key_view_ = block_->entry_key(e);
  value_ = std::string_view(data_ + e.value_offset, e.value_size);
}

std::uint32_t block::iterator::indexed_lower_bound(std::string_view target) const {
  const block& b = *block_;
  const indexed_entry* entries = b.entries_.data();
  prefetch(b.hot_bytes());
  const auto range = equal_norm_range(
      count_, [entries](std::size_t i) { return entries[i].norm; }, b.prefix_of_entries(), target);
  // Usually the range's first entry is the answer: its value loads while its key is compared.
  if (range.first < count_) {
    const indexed_entry& e = entries[range.first];
    __builtin_prefetch(data_ + e.value_offset);
    __builtin_prefetch(data_ + e.value_offset + e.value_size - 1);
  }
  return static_cast<std::uint32_t>(lower_bound_in_range(
      range, target, [&b, entries](std::size_t i) { return b.entry_key(entries[i]); }));
}

std::uint32_t block::iterator::restart_point(std::uint32_t index) const {
  return decode_fixed32(data_ + restarts_offset_ + index * restart_bytes);
}

void block::iterator::corrupt(const char* what, std::uint32_t offset) {
  status_ = status::corruption(std::string(what) + " at offset " + std::to_string(offset) +
                               " of the block");
  current_ = next_ = restarts_offset_;
  restart_index_ = num_restarts_;
  key_.clear();
  key_view_ = {};
  value_ = {};
}

void block::iterator::seek_to_restart_point(std::uint32_t index) {
  key_.clear();
  restart_index_ = index;
  next_ = restart_point(index);
}

bool block::iterator::parse_next_entry() {
  if (!status_) return false;
  current_ = next_;
  if (current_ >= restarts_offset_) {
    current_ = next_ = restarts_offset_;
    restart_index_ = num_restarts_;
    return false;
  }
  const char* limit = data_ + restarts_offset_;
  std::uint32_t shared, non_shared, value_length;
  const char* p = decode_entry(data_ + current_, limit, &shared, &non_shared, &value_length);
  if (p == nullptr) {
    corrupt("bad entry", current_);
    return false;
  }
  // After a restart key_ is empty, so this also rejects a restart entry that shares a prefix.
  if (shared > key_.size()) {
    corrupt("entry shares more than the previous key", current_);
    return false;
  }
  if (std::size_t{shared} + non_shared < min_key_bytes) {
    corrupt("key shorter than a tag", current_);
    return false;
  }
  key_.resize(shared);
  key_.append(p, non_shared);
  key_view_ = key_;
  value_ = std::string_view(p + non_shared, value_length);
  next_ = static_cast<std::uint32_t>(p + non_shared + value_length - data_);
  while (restart_index_ + 1 < num_restarts_ && restart_point(restart_index_ + 1) <= current_) {
    ++restart_index_;
  }
  return true;
}

void block::iterator::seek_to_first() {
  if (indexed_) return move_to_indexed(0);
  if (!status_ || num_restarts_ == 0) return;
  seek_to_restart_point(0);
  parse_next_entry();
}

void block::iterator::seek_to_last() {
  if (indexed_) return move_to_indexed(count_ == 0 ? 0 : count_ - 1);
  if (!status_ || num_restarts_ == 0) return;
  seek_to_restart_point(num_restarts_ - 1);
  while (parse_next_entry() && next_ < restarts_offset_) {
  }
}

void block::iterator::next() {
  if (indexed_) return move_to_indexed(index_ + 1);
  parse_next_entry();
}

void block::iterator::prev() {
  if (indexed_) return move_to_indexed(index_ == 0 ? count_ : index_ - 1);
  if (!status_) return;
  const std::uint32_t original = current_;
  // Back to the restart point before the current entry, then forward to the entry before it.
  while (restart_point(restart_index_) >= original) {
    if (restart_index_ == 0) {
      current_ = next_ = restarts_offset_;
      restart_index_ = num_restarts_;
      return;
    }
    --restart_index_;
  }
  seek_to_restart_point(restart_index_);
  while (parse_next_entry() && next_ < original) {
  }
}

void block::iterator::seek(std::string_view target) {
  if (indexed_) return move_to_indexed(indexed_lower_bound(target));
  if (!status_ || num_restarts_ == 0) return;
  const char* limit = data_ + restarts_offset_;
  // The last restart point whose key is before the target; its entries start the scan.
  std::uint32_t left = 0;
  std::uint32_t right = num_restarts_ - 1;
  while (left < right) {
    const std::uint32_t mid = left + (right - left + 1) / 2;
    const std::uint32_t offset = restart_point(mid);
    std::uint32_t shared, non_shared, value_length;
    const char* p = decode_entry(data_ + offset, limit, &shared, &non_shared, &value_length);
    if (p == nullptr || shared != 0 || non_shared < min_key_bytes) {
      corrupt("bad restart entry", offset);
      return;
    }
    if (compare_internal_keys(std::string_view(p, non_shared), target) < 0) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  seek_to_restart_point(left);
  while (parse_next_entry()) {
    if (compare_internal_keys(key_, target) >= 0) return;
  }
}

}  // namespace kepler::storage
