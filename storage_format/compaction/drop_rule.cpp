#include "storage_format/compaction/drop_rule.hpp"

#include <algorithm>

namespace kepler::storage {

drop_rule::drop_rule(const compaction& c, const std::vector<sequence_number>& snapshots)
    : c_(c), snapshots_(snapshots) {}

std::size_t drop_rule::stripe_of(sequence_number s) const {
  return static_cast<std::size_t>(std::lower_bound(snapshots_.begin(), snapshots_.end(), s) -
                                  snapshots_.begin());
}

drop_rule::verdict drop_rule::judge(const parsed_internal_key& entry) {
  const std::size_t stripe = stripe_of(entry.sequence);
  if (has_key_ && entry.user_key == user_key_) {
    // A reader at snapshot S sees the newest version at or below S. Every version of a stripe
    // is at or below the same snapshots, so each reader who can see one of them sees the
    // newest of them: the older ones (the versions of a key come newest first, and a stripe's
    // versions one after another) are seen by no one. The previous entry's stripe is enough:
    // an entry dropped here had a newer one in the same stripe too.
    if (stripe == stripe_) return verdict::drop_overwritten;
  } else {
    user_key_.assign(entry.user_key.data(), entry.user_key.size());
    has_key_ = true;
  }
  stripe_ = stripe;

  // A deletion D (the newest version of its stripe, or it was dropped above) may go when:
  // - it lies in the lowest stripe: every reader, at any snapshot or the latest state, reads at
  //   or above D's sequence, so none of them sees a version older than D through it; and every
  //   older version in the input lies in the lowest stripe too, so each is dropped above as
  //   overwritten (by D). After the compaction the output holds no version at or below D.
  // - no level below the output level holds the key: a version older than D is in the inputs
  //   or below the output level (what shallower levels, and the level-0 files a range
  //   compaction left out, hold of the key is newer; the files of levels n and n+1 left out do
  //   not hold it), and without D those below would reappear.
  // Then "no version at all" reads as "deleted" for every reader: D hides nothing any more.
  if (entry.type == value_type::deletion && stripe == 0 && !c_.deeper_levels_hold(entry.user_key))
    return verdict::drop_deletion;
  return verdict::keep;
}

}  // namespace kepler::storage
