#pragma once
// The boundary between storage_format's status and the API's kepler::ec errors.

#include <caf/error.hpp>

#include "storage_format/util/status.hpp"

namespace kepler::actors {

/// Maps each status code to its ec; the message carries over unchanged. Only not_a_store (a
/// verdict of recovery) becomes ec::not_a_store; a plain not_found is ec::io_error.
caf::error to_error(const storage::status& s);

}  // namespace kepler::actors
