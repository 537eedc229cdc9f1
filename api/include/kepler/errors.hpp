#pragma once
// KeplerDB's error codes, registered as the CAF error category "kepler". Every failing call
// returns a caf::error whose code is a kepler::ec and whose context holds a message meant for
// people: kepler::to_string(err) renders it.

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

namespace kepler {

enum class ec : std::uint8_t {
  /// Reserved: CAF treats code 0 as "no error".
  none = 0,
  /// The caller passed something unusable (an over-long key, value or batch; bad options).
  invalid_argument,
  /// The directory is not a KeplerDB store (and create_if_missing was false, or it holds other
  /// files).
  not_a_store,
  /// The store exists and error_if_exists was set.
  already_exists,
  /// Another opener, in this process or another, holds the store's LOCK.
  locked,
  /// Bytes on disk fail a checksum or do not parse; the message names the file and offset.
  corruption,
  /// The operating system failed a read, write, sync or rename; the message names the file.
  io_error,
  /// The store was closed, or is closing, before the call started; the call did nothing and
  /// may be retried on a reopened store.
  closed,
  /// An earlier write or sync failed, so the store refuses writes until it is reopened
  /// (reads keep working); the message names the first failure.
  write_failed,
  /// The store was made by a newer KeplerDB whose format this version cannot read.
  unsupported_format,
  /// A write was under way when the store stopped (closed, or a worker failed) and its
  /// acknowledgement was lost: it may or may not have been applied, and may or may not survive
  /// a reopen. Read the key back before retrying a write that must not apply twice.
  outcome_unknown,
  /// Memory ran out while the store applied a write. The store then refuses writes with this
  /// error (reads keep working; reopening recovers every acknowledged write). The write that
  /// hit it may already be in the log and then comes back at the next open.
  out_of_memory,
  /// The call would block the only scheduler worker of the actor system the store runs in,
  /// which the store's own actors need to answer it: a deadlock. Nothing was done. From inside
  /// an actor, use kepler::actor_of() and request/response instead of the blocking calls.
  would_deadlock,
  /// The store was opened with options::read_only: it takes no writes.
  read_only,
  /// A remote store (kepler/remote.hpp) cannot be reached: the connection could not be made,
  /// was lost, or the server did not answer in time. The call did nothing that could be
  /// observed: a read, or a write that never left this process (a write in flight when the
  /// connection dropped gets outcome_unknown instead). Reconnecting is the caller's choice.
  disconnected,
};

/// "invalid_argument", "locked", ...
std::string to_string(ec code);

/// A kepler error with `message` as its human-readable context.
caf::error make_error(ec code, std::string message);

/// "locked: /data/db/LOCK: locked by process 4711: ..." for kepler errors; CAF's rendering for
/// others; "ok" for no error.
std::string to_string(const caf::error& err);

}  // namespace kepler

CAF_ERROR_CODE_ENUM(kepler::ec, "kepler")
