#include "server_front.hpp"

#include <map>
#include <set>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/node_id.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace kepler::server {

namespace {

struct front_state {
  db_actor store;
  std::FILE* log = nullptr;
  std::shared_ptr<const std::atomic<bool>> stopping;
  // The remote senders seen, monitored, by the node they live on.
  std::map<caf::actor_addr, caf::node_id> senders;
  std::map<caf::node_id, int> senders_per_node;
  std::uint64_t requests = 0;
  static inline const char* name = "kepler.server_front";
};

using front_ptr = db_actor::stateful_pointer<front_state>;

void say(front_ptr self, const std::string& line) {
  std::fprintf(self->state.log, "kepler-server: %s\n", line.c_str());
  std::fflush(self->state.log);
}

// Notes who sent the current request: a new remote node is a new connection (CAF 0.17 tells an
// actor nothing about connections, so a node's first request is the first we see of it).
void note_sender(front_ptr self) {
  auto& st = self->state;
  ++st.requests;
  const auto& sender = self->current_sender();
  if (!sender) return;
  auto node = sender->node();
  if (node == self->node()) return;
  auto addr = caf::actor_cast<caf::actor_addr>(sender);
  if (!st.senders.emplace(addr, node).second) return;
  if (st.senders_per_node[node]++ == 0) say(self, "node " + caf::to_string(node) + " connected");
  self->monitor(addr);
}

caf::error stopping_error() {
  return make_error(ec::closed, "the server is shutting down: nothing was done");
}

}  // namespace

db_actor spawn_front(caf::actor_system& system, db_actor store, std::FILE* log,
                     std::shared_ptr<const std::atomic<bool>> stopping) {
  return system.spawn([store, log, stopping](front_ptr self) -> db_actor::behavior_type {
    self->state.store = store;
    self->state.log = log;
    self->state.stopping = stopping;
    self->set_down_handler([self](caf::down_msg& msg) {
      auto& st = self->state;
      auto it = st.senders.find(msg.source);
      if (it == st.senders.end()) return;
      auto node = it->second;
      st.senders.erase(it);
      if (--st.senders_per_node[node] == 0) {
        st.senders_per_node.erase(node);
        say(self,
            "node " + caf::to_string(node) + " disconnected (" + caf::to_string(msg.reason) + ")");
      }
    });
    return {
        [self](put_atom a, std::string& key, std::string& value, bool sync) -> caf::result<bool> {
          note_sender(self);
          if (self->state.stopping->load()) return stopping_error();
          return self->delegate(self->state.store, a, std::move(key), std::move(value), sync);
        },
        [self](remove_atom a, std::string& key, bool sync) -> caf::result<bool> {
          note_sender(self);
          if (self->state.stopping->load()) return stopping_error();
          return self->delegate(self->state.store, a, std::move(key), sync);
        },
        [self](write_atom a, std::string& encoded, bool sync) -> caf::result<bool> {
          note_sender(self);
          if (self->state.stopping->load()) return stopping_error();
          return self->delegate(self->state.store, a, std::move(encoded), sync);
        },
        [self](get_atom a, std::string& key) -> caf::result<caf::optional<std::string>> {
          note_sender(self);
          if (self->state.stopping->load()) return stopping_error();
          return self->delegate(self->state.store, a, std::move(key));
        },
        [self](scan_atom a, caf::optional<std::string>& begin, caf::optional<std::string>& end,
               std::uint64_t limit) -> caf::result<scan_page> {
          note_sender(self);
          if (self->state.stopping->load()) return stopping_error();
          return self->delegate(self->state.store, a, std::move(begin), std::move(end), limit);
        },
        [self](subscribe_atom a, event_subscriber& sub) -> caf::result<bool> {
          note_sender(self);
          if (self->state.stopping->load()) return stopping_error();
          return self->delegate(self->state.store, a, std::move(sub));
        },
        [self](unsubscribe_atom a, event_subscriber& sub) -> caf::result<bool> {
          note_sender(self);
          if (self->state.stopping->load()) return stopping_error();
          return self->delegate(self->state.store, a, std::move(sub));
        },
    };
  });
}

}  // namespace kepler::server
