#pragma once
// Events a store sends to actors that subscribe through its db actor (db_actor.hpp,
// subscribe_atom): when a flush, a compaction or a write stall starts and ends, and when the
// store enters its sticky error state. Delivery is a plain asynchronous send: a slow subscriber
// never slows the store's sends (its mailbox grows instead), and one that dies is dropped. A
// subscriber that blocks in its handlers (sleeps, waits on I/O) must be spawned caf::detached
// when it shares the store's actor system: on a shared scheduler worker it would block the
// store's own actors that run there.
//
//   auto sub = system.spawn([](kepler::event_subscriber::pointer) -> kepler::event_subscriber
//       ::behavior_type { return {[](const kepler::flush_finished& e) { ... }, ...}; });
//   self->request(kepler::actor_of(*db), caf::infinite, kepler::subscribe_atom::value, sub);

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace kepler {

/// A sealed memtable began to be written as a level-0 table.
struct flush_started {
  std::uint64_t memtable_bytes = 0;
  std::uint64_t entries = 0;
};
/// A flush ended; `error` empty on success (its table then goes to the MANIFEST and into the
/// read view), else what failed.
struct flush_finished {
  std::uint64_t table_number = 0;
  std::uint64_t table_bytes = 0;
  std::uint64_t entries = 0;
  std::uint64_t micros = 0;
  std::string error;
};
/// A compaction of `input_files` tables (`input_bytes`) from `level` into `level` + 1 began.
/// `reason`: "level0_files", "level_size" or "manual".
struct compaction_started {
  int level = 0;
  std::uint64_t input_files = 0;
  std::uint64_t input_bytes = 0;
  std::string reason;
};
/// A compaction ended; `error` empty on success (its result is then installed).
struct compaction_finished {
  int level = 0;
  std::uint64_t input_files = 0;
  std::uint64_t output_files = 0;
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t entries_dropped = 0;
  std::uint64_t micros = 0;
  std::string error;
};
/// Writes stopped: `reason` is "memtables" (max_sealed_memtables wait for their flush) or
/// "level0_files" (options::l0_stop_trigger reached).
struct write_stall_started {
  std::string reason;
};
struct write_stall_ended {
  std::string reason;
  std::uint64_t micros = 0;
};
/// The store refuses writes from now on (reads keep working): `error` names the failure.
struct store_failed {
  std::string error;
};

/// What a subscriber must accept.
using event_subscriber =
    caf::typed_actor<caf::reacts_to<flush_started>, caf::reacts_to<flush_finished>,
                     caf::reacts_to<compaction_started>, caf::reacts_to<compaction_finished>,
                     caf::reacts_to<write_stall_started>, caf::reacts_to<write_stall_ended>,
                     caf::reacts_to<store_failed>>;

// Inspection, so the events can cross CAF's middleman (register them on both ends).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, flush_started& x) {
  return f(caf::meta::type_name("kepler::flush_started"), x.memtable_bytes, x.entries);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, flush_finished& x) {
  return f(caf::meta::type_name("kepler::flush_finished"), x.table_number, x.table_bytes, x.entries,
           x.micros, x.error);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, compaction_started& x) {
  return f(caf::meta::type_name("kepler::compaction_started"), x.level, x.input_files,
           x.input_bytes, x.reason);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, compaction_finished& x) {
  return f(caf::meta::type_name("kepler::compaction_finished"), x.level, x.input_files,
           x.output_files, x.bytes_read, x.bytes_written, x.entries_dropped, x.micros, x.error);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_stall_started& x) {
  return f(caf::meta::type_name("kepler::write_stall_started"), x.reason);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_stall_ended& x) {
  return f(caf::meta::type_name("kepler::write_stall_ended"), x.reason, x.micros);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_failed& x) {
  return f(caf::meta::type_name("kepler::store_failed"), x.error);
}

}  // namespace kepler
