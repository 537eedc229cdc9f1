#pragma once
// The store's event subscribers (kepler/events.hpp): the db actor adds and removes them, the
// workers publish to them. Publishing is an asynchronous send to each, never a wait, so a slow
// subscriber cannot slow a worker; a dead one is dropped when its down message reaches the db
// actor (a send to it meanwhile is a no-op). Thread-safe.

#include <mutex>
#include <vector>

#include "kepler/events.hpp"

namespace kepler::actors {

class event_hub {
 public:
  /// False when `sub` was subscribed already.
  bool add(const event_subscriber& sub);
  /// False when `sub` was not subscribed.
  bool remove(const caf::actor_addr& sub);
  std::size_t size() const;

  /// Sends the event to every subscriber; nothing when there are none (the common case costs a
  /// lock and an empty check).
  void publish(flush_started e) const;
  void publish(flush_finished e) const;
  void publish(compaction_started e) const;
  void publish(compaction_finished e) const;
  void publish(write_stall_started e) const;
  void publish(write_stall_ended e) const;
  void publish(store_failed e) const;

 private:
  std::vector<event_subscriber> subscribers() const;

  mutable std::mutex mutex_;
  std::vector<event_subscriber> subs_;
};

}  // namespace kepler::actors
