#pragma once
// The kepler::iterator a store hands out: the engine's db_iterator over the merge of one read
// view (storage_format/iterator/), plus what keeps that view's table cache alive and counts
// the iterator in db::stats.

#include <memory>
#include <optional>
#include <string>

#include "actors/boundary/engine_state.hpp"
#include "kepler/iterator.hpp"
#include "storage_format/memtable/internal_key.hpp"

namespace kepler::detail {

/// An iterator over `engine`'s current view as of `sequence` (a snapshot's, or the last visible
/// one read after the view was taken), within [lower, upper).
std::unique_ptr<iterator> new_store_iterator(std::shared_ptr<actors::engine_state> engine,
                                             const storage::read_options& options,
                                             std::optional<storage::sequence_number> sequence,
                                             std::optional<std::string> lower,
                                             std::optional<std::string> upper);

}  // namespace kepler::detail
