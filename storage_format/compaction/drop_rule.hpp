#pragma once
// Which versions of a key a compaction may drop without any reader noticing (compaction.md):
// the snapshot-stripe rule (RocksDB's). Live snapshots cut the sequence numbers into stripes;
// within a stripe only the newest version of a key can be seen by anyone. Fed the merged input
// entry by entry, it says of each whether to keep it.

#include <cstddef>
#include <string>
#include <vector>

#include "storage_format/compaction/compaction.hpp"
#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

class drop_rule {
 public:
  enum class verdict {
    keep,
    drop_overwritten,  // a newer version of the key lies in the same stripe
    drop_deletion,     // a deletion nobody needs: nothing older is left for it to hide
  };

  /// `snapshots`: the sequences of the live snapshots, ascending (duplicates allowed), every
  /// sequence any reader other than a reader of the latest state reads at. `c` answers whether
  /// a deeper level holds a key. Both must outlive the rule.
  drop_rule(const compaction& c, const std::vector<sequence_number>& snapshots);

  /// The verdict on `entry`. REQUIRES: entries passed in internal-key order (user key
  /// ascending, sequence descending), each once.
  verdict judge(const parsed_internal_key& entry);

  /// The stripe of sequence `s`: the index of the smallest snapshot >= s (a reader at that
  /// snapshot, and every later one, sees versions up to s), or snapshots.size() when s is above
  /// every snapshot (only readers of the latest state see it). 0 is the lowest stripe.
  std::size_t stripe_of(sequence_number s) const;

 private:
  const compaction& c_;
  const std::vector<sequence_number>& snapshots_;
  // The user key of the previous entry, and its stripe.
  std::string user_key_;
  bool has_key_ = false;
  std::size_t stripe_ = 0;
};

}  // namespace kepler::storage
