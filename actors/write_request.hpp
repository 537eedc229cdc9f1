#pragma once
// The messages of the write path: one request per insert/remove/batch, gathered by the
// wal_writer into groups that travel (in log order) to the memtable_owner, which signals each
// request's completion. A request dropped by a stopping actor fails its completion on
// destruction, so no caller waits forever.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/completion.hpp"
#include "storage_format/internal_key.hpp"

namespace kepler::actors {

struct write_request {
  write_request(std::string encoded_batch, bool sync_requested,
                std::shared_ptr<completion> done_signal)
      : batch(std::move(encoded_batch)), sync(sync_requested), done(std::move(done_signal)) {}
  ~write_request();
  write_request(const write_request&) = delete;
  write_request& operator=(const write_request&) = delete;

  /// batch_format encoding; the wal_writer stamps the sequence into it.
  std::string batch;
  bool sync;
  std::shared_ptr<completion> done;
};
using write_request_ptr = std::shared_ptr<write_request>;

/// Requests written to the log with one append (and, if any asked, covered by one sync).
struct write_group {
  std::vector<write_request_ptr> requests;
  bool needs_sync = false;
  /// Log offset just past this group's records.
  std::uint64_t end_offset = 0;
  /// Sequence of the group's last entry: what becomes visible once it is applied.
  storage::sequence_number last_sequence = 0;

  /// Fails every request of the group with `err`.
  void fail(const caf::error& err);
};
using write_group_ptr = std::shared_ptr<write_group>;

}  // namespace kepler::actors

// Local-only messages: they carry shared pointers and never cross the network.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::write_request_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::write_group_ptr)
