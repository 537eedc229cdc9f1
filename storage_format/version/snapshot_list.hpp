#pragma once
// The live snapshots of a store: the sequence numbers that some reader may still read at, which
// compaction must keep visible (storage_format/compaction/compaction.md). Thread-safe.
//
// A snapshot's sequence is read under the list's lock (acquire): so a compaction that read the
// list (all()) before a snapshot was taken knows that snapshot's sequence is at or above the
// last visible sequence of that moment, hence above every entry of the files it compacts.

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

class snapshot_list {
 public:
  /// Registers a snapshot at the sequence `current()` returns, read under the lock; returns it.
  template <class Current>
  sequence_number acquire(Current&& current) {
    std::lock_guard<std::mutex> guard(mutex_);
    sequence_number seq = current();
    ++live_[seq];
    ++count_;
    return seq;
  }
  /// Releases one snapshot at `seq`. REQUIRES: acquired and not yet released.
  void release(sequence_number seq);
  /// The sequences of every live snapshot, ascending, each once.
  std::vector<sequence_number> all() const;
  /// Live snapshots (one per acquire not yet released).
  std::size_t count() const;
  /// The oldest live snapshot's sequence, or `none` when there is none.
  sequence_number oldest(sequence_number none) const;

 private:
  mutable std::mutex mutex_;
  std::map<sequence_number, std::size_t> live_;  // sequence -> snapshots held at it
  std::size_t count_ = 0;                        // snapshots held, all sequences
};

}  // namespace kepler::storage
