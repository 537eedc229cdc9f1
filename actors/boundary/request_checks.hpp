#pragma once
// The limits every write and read enforces (kepler/options.hpp), in one place for the blocking
// proxy and the db actor: a violation is ec::invalid_argument and nothing is written.

#include <string_view>

#include <caf/error.hpp>

namespace kepler::actors {

/// An error for an over-long key or value; none when both are within the limits.
caf::error check_key_value(std::string_view key, std::string_view value = {});

/// Checks an encoded batch from outside (an actor's request): well-formed, within
/// max_batch_bytes, every key and value within its limit.
caf::error check_encoded_batch(std::string_view encoded);

}  // namespace kepler::actors
