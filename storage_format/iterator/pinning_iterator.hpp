#pragma once
// An iterator that keeps something alive for as long as it lives: what its input reads from
// but does not own (a read view's version, a compaction's own table cache).

#include <memory>

#include "storage_format/iterator/internal_iterator.hpp"

namespace kepler::storage {

/// `input`, holding `pin` until it is destroyed; `pin` outlives `input` (it is released after
/// the input is destroyed). REQUIRES: input is not null.
std::unique_ptr<internal_iterator> new_pinning_iterator(std::shared_ptr<const void> pin,
                                                        std::unique_ptr<internal_iterator> input);

}  // namespace kepler::storage
