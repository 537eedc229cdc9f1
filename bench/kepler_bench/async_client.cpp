#include "async_client.hpp"

#include <algorithm>
#include <future>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "kepler/db_actor.hpp"

namespace kepler::bench {

namespace {

struct client_state {
  std::uint64_t sent = 0, answered = 0;
  std::string error;
  static inline const char* name = "kepler-bench.async_client";
};

using client_ptr = caf::stateful_actor<client_state>*;

void send_one(client_ptr self, const kepler::db_actor& store, const async_plan* plan,
              std::promise<std::string>* finished);

// A reply came: the next request goes out (one in flight replaces one answered) until every
// write was sent; after the last reply, or once one failed and the rest came back, the run ends.
void on_reply(client_ptr self, const kepler::db_actor& store, const async_plan* plan,
              std::promise<std::string>* finished) {
  auto& st = self->state;
  ++st.answered;
  if (st.error.empty() && st.sent < plan->count) {
    send_one(self, store, plan, finished);
  } else if (st.answered == st.sent) {
    finished->set_value(st.error);
    self->quit();
  }
}

void send_one(client_ptr self, const kepler::db_actor& store, const async_plan* plan,
              std::promise<std::string>* finished) {
  auto i = self->state.sent++;
  self->request(store, caf::infinite, kepler::put_atom::value, plan->key(i),
                std::string(plan->value(i)), plan->sync)
      .then([=](bool) { on_reply(self, store, plan, finished); },
            [=](caf::error& err) {
              if (self->state.error.empty()) self->state.error = kepler::to_string(err);
              on_reply(self, store, plan, finished);
            });
}

caf::behavior async_client(client_ptr self, kepler::db_actor store, const async_plan* plan,
                           std::promise<std::string>* finished) {
  auto first = std::min<std::uint64_t>(plan->count, std::max<std::size_t>(plan->in_flight, 1));
  if (first == 0) {
    finished->set_value({});
    self->quit();
    return {};
  }
  for (std::uint64_t i = 0; i < first; ++i) send_one(self, store, plan, finished);
  // Nothing arrives but the replies; the behavior only keeps the actor alive until the last.
  return {[](caf::unit_t) {}};
}

}  // namespace

std::string run_async_client(caf::actor_system& system, kepler::db& store, const async_plan& plan) {
  auto handle = kepler::actor_of(store);
  if (!handle) return "the store has no db actor (closed?)";
  std::promise<std::string> finished;
  auto result = finished.get_future();
  system.spawn(async_client, handle, &plan, &finished);
  return result.get();
}

}  // namespace kepler::bench
