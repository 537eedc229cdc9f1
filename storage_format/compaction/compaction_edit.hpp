#pragma once
// The MANIFEST edit that publishes a finished compaction: every input file leaves its level,
// every output joins level n+1, in one edit, so a reader's version holds either the inputs or
// the outputs, never both or neither.

#include "storage_format/compaction/compaction.hpp"
#include "storage_format/compaction/compaction_result.hpp"
#include "storage_format/version/version_edit.hpp"

namespace kepler::storage {

/// The edit deleting every file of c.inputs[0] from c.level and of c.inputs[1] from
/// c.level + 1, and adding every file of result.outputs to c.level + 1. It sets no scalar
/// field: a compaction moves no log and no sequence, and the manifest writer sets the next file
/// number on every edit it records. Applying it fails (version_set::apply) when another edit
/// removed an input meanwhile. REQUIRES: `result` is run_compaction's successful result for `c`.
version_edit compaction_edit(const compaction& c, const compaction_result& result);

}  // namespace kepler::storage
