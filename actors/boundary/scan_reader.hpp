#pragma once
// One bounded page of a scan for the db actor (scan_atom, kepler/db_actor.hpp): the plain loop
// over the engine's db_iterator that db::scan runs too, cut at a count and a byte bound so a
// reply, which may cross the network, stays bounded (doc/design.md, "Iterators and snapshots").

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "actors/boundary/engine_state.hpp"
#include "kepler/db_actor.hpp"

namespace kepler::actors {

/// The pairs of `engine` with begin <= key < end (nullopt: unbounded), newest state, at most
/// `limit` (0: no count limit) and at most `max_bytes` of keys, values and 16 bytes per pair
/// (but always the first pair, when there is one). scan_page::more is set when it stopped for
/// the limit or the bound before the end of the range. Errors: the iterator's (ec::corruption,
/// ec::io_error) and ec::out_of_memory.
caf::expected<scan_page> read_scan_page(const engine_state& engine,
                                        const std::optional<std::string>& begin,
                                        const std::optional<std::string>& end, std::uint64_t limit,
                                        std::size_t max_bytes = max_scan_reply_bytes);

}  // namespace kepler::actors
