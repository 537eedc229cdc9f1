#pragma once
// The messages of the write path: one request per insert/remove/batch, gathered by the
// wal_writer into groups that travel (in log order) to the memtable_owner, which signals each
// request's completion.
//
// Requests are pooled per store: only the messages hold references to one, and it goes back to
// the pool (with its buffer) when the last is dropped, so a steady stream of writes allocates
// nothing that one thread frees for another. The caller waits on a completion of its own that
// the request points to. A request dropped unanswered by every actor (a stopping actor) answers
// itself with an error on that last release, so no caller waits forever; only the last release
// counts, however many copies CAF makes of a message on the way.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/intrusive_ptr.hpp>

#include "actors/messages/completion.hpp"
#include "actors/messages/wal_file.hpp"
#include "storage_format/memtable/internal_key.hpp"

namespace kepler::actors {

class request_pool;

class write_request {
 public:
  write_request(const write_request&) = delete;
  write_request& operator=(const write_request&) = delete;

  /// batch_format encoding; the wal_writer stamps the sequence into it.
  std::string batch;
  bool sync = false;
  /// Start a new log before this request, so the memtable holding every write before it is
  /// sealed and flushed (db::compact_range flushes so). Nothing happens when the log is empty.
  bool seal_memtable = false;
  /// What answer() signals: the waiting caller's completion, or own_done for a request from an
  /// actor (whose callback reports back to it). Set before the request is sent.
  completion* done = nullptr;
  completion own_done;

  /// Answers the request: signals `done` with `err` (none: success). Only the first call counts;
  /// after it the request no longer touches `done`.
  void answer(const caf::error& err = {});

  /// Stamps step `p` of this request's trace (write_trace.hpp) when tracing is on.
  void stamp(write_trace::point p) {
    if (done != nullptr) actors::stamp(&done->trace(), p);
  }

 private:
  friend class request_pool;
  friend void intrusive_ptr_add_ref(write_request* req);
  friend void intrusive_ptr_release(write_request* req);
  explicit write_request(request_pool* owner) : pool_(owner) {}
  ~write_request() = default;

  request_pool* pool_;
  std::atomic<int> refs_{0};
  std::atomic<bool> answered_{false};
};

void intrusive_ptr_add_ref(write_request* req);
void intrusive_ptr_release(write_request* req);

using write_request_ptr = caf::intrusive_ptr<write_request>;

/// Recycles a store's requests. Shared by the proxy and the db actor, each an owner; lives until
/// every owner has retired it and its last request is back.
class request_pool {
 public:
  /// A pool owned by the caller until retire().
  static request_pool* make();

  /// One more owner, who calls retire() when done with the pool.
  void add_owner();

  /// A fresh request (empty batch, unanswered, `done` unset), holding one reference that the
  /// caller hands to the message it sends.
  write_request_ptr acquire();

  /// An owner lets go; once the last has, the pool deletes itself as soon as no request is out.
  void retire();

 private:
  friend void intrusive_ptr_release(write_request* req);
  request_pool() = default;
  ~request_pool();
  void give_back(write_request* req);

  std::mutex mutex_;
  std::vector<write_request*> free_;
  std::size_t out_ = 0;  // requests handed out and not yet back
  std::size_t owners_ = 1;
  bool retired_ = false;
};

/// Requests written to the log with one append (and, if any asked, covered by one sync).
struct write_group {
  std::vector<write_request_ptr> requests;
  /// The log the group is in.
  std::shared_ptr<wal_file> wal;
  /// The first group of a new log: the memtable_owner seals its memtable right before it
  /// applies this group, so each memtable holds exactly one log's entries.
  bool starts_log = false;
  bool needs_sync = false;
  /// Log offset just past this group's records.
  std::uint64_t end_offset = 0;
  /// Sequence of the group's last entry: what becomes visible once it is applied.
  storage::sequence_number last_sequence = 0;

  /// Fails every request of the group with `err`.
  void fail(const caf::error& err);

  /// Stamps step `p` of every request's trace at one clock read, when tracing is on.
  void stamp(write_trace::point p);
};
using write_group_ptr = std::shared_ptr<write_group>;

}  // namespace kepler::actors

// Local-only messages: they carry pointers and never cross the network.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::write_request_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kepler::actors::write_group_ptr)
