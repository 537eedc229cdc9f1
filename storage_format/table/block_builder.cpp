#include "storage_format/table/block_builder.hpp"

#include <algorithm>
#include <cassert>

#include "storage_format/util/coding.hpp"

namespace kepler::storage {

block_builder::block_builder(int restart_interval) : restart_interval_(restart_interval) {
  assert(restart_interval >= 1);
  reset();
}

void block_builder::reset() {
  buffer_.clear();
  restarts_.assign(1, 0);  // the first entry always starts a restart
  since_restart_ = 0;
  entries_ = 0;
  finished_ = false;
  last_key_.clear();
}

std::size_t block_builder::size_estimate() const {
  if (finished_) return buffer_.size();
  return buffer_.size() + restarts_.size() * sizeof(std::uint32_t) + sizeof(std::uint32_t);
}

void block_builder::add(std::string_view key, std::string_view value) {
  assert(!finished_);
  std::size_t shared = 0;
  if (since_restart_ < restart_interval_) {
    const std::size_t limit = std::min(last_key_.size(), key.size());
    while (shared < limit && last_key_[shared] == key[shared]) ++shared;
  } else {
    restarts_.push_back(static_cast<std::uint32_t>(buffer_.size()));
    since_restart_ = 0;
  }
  const std::size_t non_shared = key.size() - shared;
  put_varint32(&buffer_, static_cast<std::uint32_t>(shared));
  put_varint32(&buffer_, static_cast<std::uint32_t>(non_shared));
  put_varint32(&buffer_, static_cast<std::uint32_t>(value.size()));
  buffer_.append(key.data() + shared, non_shared);
  buffer_.append(value.data(), value.size());
  last_key_.resize(shared);
  last_key_.append(key.data() + shared, non_shared);
  ++since_restart_;
  ++entries_;
}

std::string_view block_builder::finish() {
  if (!finished_) {
    for (std::uint32_t r : restarts_) put_fixed32(&buffer_, r);
    put_fixed32(&buffer_, static_cast<std::uint32_t>(restarts_.size()));
    finished_ = true;
  }
  return buffer_;
}

}  // namespace kepler::storage
