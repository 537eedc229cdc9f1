#include "actors/boundary/event_hub.hpp"

#include <algorithm>

#include <caf/send.hpp>

namespace kepler::actors {

namespace {

template <class Event>
void send_all(const std::vector<event_subscriber>& subs, const Event& e) {
  for (const auto& sub : subs) caf::anon_send(sub, e);
}

}  // namespace

bool event_hub::add(const event_subscriber& sub) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (std::find(subs_.begin(), subs_.end(), sub) != subs_.end()) return false;
  subs_.push_back(sub);
  return true;
}

bool event_hub::remove(const caf::actor_addr& sub) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = std::find_if(subs_.begin(), subs_.end(),
                         [&sub](const event_subscriber& s) { return s.address() == sub; });
  if (it == subs_.end()) return false;
  subs_.erase(it);
  return true;
}

std::size_t event_hub::size() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return subs_.size();
}

std::vector<event_subscriber> event_hub::subscribers() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return subs_;
}

// A copy of the list, so no send happens under the lock.
void event_hub::publish(flush_started e) const {
  send_all(subscribers(), e);
}
void event_hub::publish(flush_finished e) const {
  send_all(subscribers(), e);
}
void event_hub::publish(compaction_started e) const {
  send_all(subscribers(), e);
}
void event_hub::publish(compaction_finished e) const {
  send_all(subscribers(), e);
}
void event_hub::publish(write_stall_started e) const {
  send_all(subscribers(), e);
}
void event_hub::publish(write_stall_ended e) const {
  send_all(subscribers(), e);
}
void event_hub::publish(store_failed e) const {
  send_all(subscribers(), e);
}

}  // namespace kepler::actors
