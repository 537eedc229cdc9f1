#pragma once
// db::stats, db::property and db::approximate_size: figures read from the engine's published
// state, without a message round trip.

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "actors/boundary/engine_state.hpp"
#include "kepler/stats.hpp"

namespace kepler::detail {

db_stats collect_stats(const actors::engine_state& engine);

/// Errors: ec::invalid_argument naming an unknown property.
caf::expected<std::string> property(const actors::engine_state& engine, std::string_view name);

/// Errors: ec::invalid_argument when begin > end; a table's open error.
caf::expected<std::uint64_t> approximate_size(actors::engine_state& engine, std::string_view begin,
                                              std::string_view end);

}  // namespace kepler::detail
