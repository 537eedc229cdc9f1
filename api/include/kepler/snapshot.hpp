#pragma once
// kepler::snapshot — a frozen view of a store (db::snapshot). Reads given it in
// read_options::snapshot (get, new_iterator, scan) see the store as it was when it was taken,
// whatever was written, flushed or compacted since. Destroying the handle releases it: only
// then may compaction drop the old versions it alone could still see. Thread-safe; it may
// outlive its store (it then pins nothing and reads with it fail with ec::closed).

#include <cstdint>
#include <memory>

namespace kepler {

namespace storage {
class snapshot_list;
}

class snapshot {
 public:
  ~snapshot();
  snapshot(const snapshot&) = delete;
  snapshot& operator=(const snapshot&) = delete;

  /// The sequence number of the last write the snapshot sees.
  std::uint64_t sequence() const { return sequence_; }

  /// Made by db::snapshot.
  snapshot(std::shared_ptr<storage::snapshot_list> owner, std::uint64_t sequence);
  /// Whether the snapshot was taken of the store `owner` keeps its snapshots in.
  bool taken_by(const storage::snapshot_list* owner) const { return owner_.get() == owner; }

 private:
  std::shared_ptr<storage::snapshot_list> owner_;
  std::uint64_t sequence_;
};

}  // namespace kepler
