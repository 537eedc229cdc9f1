#pragma once
// The actor kepler-server publishes: a kepler::db_actor in front of the store's own db actor.
// It forwards each request (delegation: the store's db actor answers the remote caller itself),
// logs a node's first request and the loss of its connection as far as CAF 0.17 can tell (the
// sender's node; down messages of the monitored sender proxies), and refuses requests once the
// server is stopping. Only CAF's core headers.

#include <atomic>
#include <cstdio>
#include <memory>

#include "kepler/db_actor.hpp"

namespace kepler::server {

/// Spawns the front of `store` in `system`, logging to `log`. Once `stopping` is set, every
/// request is refused with ec::closed (a flag, not a message: a remote node could send a
/// message, as it can send the db actor's own).
db_actor spawn_front(caf::actor_system& system, db_actor store, std::FILE* log,
                     std::shared_ptr<const std::atomic<bool>> stopping);

}  // namespace kepler::server
