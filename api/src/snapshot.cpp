#include "kepler/snapshot.hpp"

#include "storage_format/version/snapshot_list.hpp"

namespace kepler {

snapshot::snapshot(std::shared_ptr<storage::snapshot_list> owner, std::uint64_t sequence)
    : owner_(std::move(owner)), sequence_(sequence) {}

snapshot::~snapshot() {
  owner_->release(sequence_);
}

}  // namespace kepler
