#pragma once
// The client actor of fillasync and fillsyncasync: an actor program's way to write, typed
// request/response to the store's db actor (kepler/db_actor.hpp) with many requests in flight.

#include <string>

#include "engine.hpp"

namespace caf {
class actor_system;
}

namespace kepler {
class db;
}

namespace kepler::bench {

/// Spawns a client actor in `system` (where `store` runs) that sends plan.count put requests
/// to the store's db actor, keeping plan.in_flight of them outstanding, and returns once every
/// reply came: the first error's text, empty when every write was acknowledged.
std::string run_async_client(caf::actor_system& system, kepler::db& store, const async_plan& plan);

}  // namespace kepler::bench
