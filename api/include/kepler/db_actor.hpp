#pragma once
// The store as a typed CAF actor, for programs that are actor systems themselves: request and
// response instead of blocking calls. Heavy CAF headers live here, not in db.hpp.
//
//   kepler::db_actor store = kepler::actor_of(*db);       // db opened in your actor_system
//   self->request(store, caf::infinite, kepler::put_atom::value, "k", "v", false)
//     .then([](bool) { /* acknowledged: visible, in the log */ },
//           [](caf::error& err) { /* kepler::ec, as from db::insert */ });
//
// Every request gets a reply, also when the store stops with it pending (ec::outcome_unknown:
// it may or may not have been applied). The semantics, limits and errors are those of the
// matching kepler::db call, without ec::would_deadlock (nothing here blocks); a write that
// arrives while the store closes gets ec::closed (nothing written).

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "kepler/db.hpp"
#include "kepler/events.hpp"

namespace kepler {

using put_atom = caf::atom_constant<caf::atom("kput")>;
using get_atom = caf::atom_constant<caf::atom("kget")>;
using remove_atom = caf::atom_constant<caf::atom("kremove")>;
using write_atom = caf::atom_constant<caf::atom("kwrite")>;
using subscribe_atom = caf::atom_constant<caf::atom("ksub")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("kunsub")>;
using scan_atom = caf::atom_constant<caf::atom("kscan")>;

/// The most a scan reply carries: the keys and values of its pairs plus 16 bytes per pair stay
/// at or below this, except that a reply always holds at least one pair when the range has one
/// (so a single pair of the largest key and value still comes back). A remote reply is one
/// message in memory on both ends; this keeps it bounded (doc/design.md, "CAF").
constexpr std::size_t max_scan_reply_bytes = 64 * 1024 * 1024;  // 64 MiB

/// One page of a scan (scan_atom): pairs in key order. `more` is true when the page stopped
/// because of the request's limit or max_scan_reply_bytes while the range may hold further
/// pairs: the next page starts right after the last key (its key + '\0').
struct scan_page {
  std::vector<std::pair<std::string, std::string>> pairs;
  bool more = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scan_page& x) {
  return f(caf::meta::type_name("kepler::scan_page"), x.pairs, x.more);
}

/// (put_atom, key, value, sync) -> true: db::insert.
/// (remove_atom, key, sync) -> true: db::remove.
/// (write_atom, write_batch::encoding(), sync) -> true: db::write; a malformed encoding gets
///   ec::invalid_argument and writes nothing.
/// (get_atom, key) -> the value, or none when missing: db::get.
/// (scan_atom, begin, end, limit) -> scan_page: the pairs with begin <= key < end (none:
///   unbounded) in key order, read as of one moment, at most `limit` of them (0: as many as fit
///   in max_scan_reply_bytes). As db::scan, but one bounded page: page on with scan_page::more.
/// (subscribe_atom, subscriber) -> true: from now on `subscriber` gets the store's events
///   (events.hpp) until it unsubscribes or dies. Subscribing twice is one subscription.
/// (unsubscribe_atom, subscriber) -> true: no more events for it (fine when not subscribed).
using db_actor =
    caf::typed_actor<caf::replies_to<put_atom, std::string, std::string, bool>::with<bool>,
                     caf::replies_to<remove_atom, std::string, bool>::with<bool>,
                     caf::replies_to<write_atom, std::string, bool>::with<bool>,
                     caf::replies_to<get_atom, std::string>::with<caf::optional<std::string>>,
                     caf::replies_to<scan_atom, caf::optional<std::string>,
                                     caf::optional<std::string>, std::uint64_t>::with<scan_page>,
                     caf::replies_to<subscribe_atom, event_subscriber>::with<bool>,
                     caf::replies_to<unsubscribe_atom, event_subscriber>::with<bool>>;

/// The actor of an open store, meant for stores opened in your own actor system
/// (db::open(system, dir)). Closing the store answers every pending write, refuses new ones with
/// ec::closed and stops the actor; later requests fail with CAF's error for a receiver that is
/// down. After close() this returns a null handle.
db_actor actor_of(db& store);

}  // namespace kepler
