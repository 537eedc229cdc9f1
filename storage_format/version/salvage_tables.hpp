#pragma once
// recovery_mode::salvage for table files: what of the tables a version names can still be read.
// A table that is missing, of another size than recorded, or whose footer, index or properties
// are damaged is dropped from the version; a table with damaged data blocks is rewritten, at
// the same level, with the entries of its sound blocks (a subset of its key range, so the
// level's order holds). Plain code over the file-system seam; recovery applies the edit.
#include <cstdint>
#include <string>
#include <vector>

#include "storage_format/table/table_options.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/util/status.hpp"
#include "storage_format/version/version.hpp"
#include "storage_format/version/version_edit.hpp"

namespace kepler::storage {

/// Checks every table of `v` in `dir`, adding to `*edit` the deletions and rewritten tables
/// (numbered from `*next_file` on, which it advances) and to `*damage` one line per table
/// dropped or block skipped. Only damage (corruption) and a missing file are skipped; any other
/// failure (a read that fails, a rewritten table that cannot be written) is returned, since a
/// retry may read what this attempt could not.
status salvage_tables(file_system& fs, const std::string& dir, const table_options& options,
                      const version& v, std::uint64_t* next_file, version_edit* edit,
                      std::vector<std::string>* damage);

}  // namespace kepler::storage
