#pragma once
// The store operations the one-shot commands and the shell share: opening a store for a
// command, scanning and counting a range with progress on stderr, and printing stats.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kepler/db.hpp"
#include "text/escape.hpp"

namespace kepler::cli {

/// A key range: from <= key < to; an empty optional is unbounded.
struct key_range {
  std::optional<std::string> from;
  std::optional<std::string> to;
};

/// The range of keys starting with `prefix`.
key_range prefix_range(std::string_view prefix);

/// Opens `dir` for a command: read-only ones never write a byte (options::read_only), writing
/// ones create the store when missing. Errors are the open's.
caf::expected<std::unique_ptr<db>> open_for_command(const std::string& dir, bool writes);

/// Writes the pairs of `range` (at most `limit`, 0: all) as dump lines (text/dump_format.hpp)
/// to `out`, read as of `ro` (its snapshot, if any). Shows progress on stderr once it has run
/// for a second. Returns the number of pairs written; errors are the iterator's, or io_error
/// when `out` fails.
caf::expected<std::uint64_t> print_range(const db& store, const key_range& range,
                                         std::uint64_t limit, const read_options& ro, byte_format f,
                                         std::FILE* out);

/// The number of keys in `range` as of `ro`, with progress on stderr after a second.
caf::expected<std::uint64_t> count_range(const db& store, const key_range& range,
                                         const read_options& ro);

/// The store's levels, files, bytes, amplification and cache figures, as text.
caf::expected<std::string> describe_stats(const db& store);

/// Shows "N entries" progress on stderr while a long scan runs: nothing for the first second,
/// then a line about every second, and a final one when it ends (if it showed any).
class progress_meter {
 public:
  explicit progress_meter(const char* what);
  ~progress_meter();
  /// Counts one more entry; cheap enough to call per entry.
  void step() {
    if ((++count_ & 1023) == 0) maybe_show();
  }

 private:
  void maybe_show();
  const char* what_;
  std::uint64_t count_ = 0;
  double started_;
  double next_show_;
  bool shown_ = false;
};

}  // namespace kepler::cli
