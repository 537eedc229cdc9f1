#pragma once
// Opening a store over a file_system other than the real one: the seam the fault and
// corruption tests use. Not part of the installed API.

#include <memory>
#include <string>

#include "kepler/db.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::detail {

/// db::open with `fs` for every file operation; `system` null means KeplerDB's own system.
/// `fs` must outlive the returned db.
caf::expected<std::unique_ptr<db>> open_with_file_system(storage::file_system& fs,
                                                         caf::actor_system* system,
                                                         const std::string& dir, options opts);

}  // namespace kepler::detail
