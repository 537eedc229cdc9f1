#include "storage_format/version/snapshot_list.hpp"

namespace kepler::storage {

void snapshot_list::release(sequence_number seq) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = live_.find(seq);
  if (it == live_.end()) return;
  --count_;
  if (--it->second == 0) live_.erase(it);
}

std::vector<sequence_number> snapshot_list::all() const {
  std::lock_guard<std::mutex> guard(mutex_);
  std::vector<sequence_number> out;
  out.reserve(live_.size());
  for (const auto& entry : live_) out.push_back(entry.first);
  return out;
}

std::size_t snapshot_list::count() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return count_;
}

sequence_number snapshot_list::oldest(sequence_number none) const {
  std::lock_guard<std::mutex> guard(mutex_);
  return live_.empty() ? none : live_.begin()->first;
}

}  // namespace kepler::storage
