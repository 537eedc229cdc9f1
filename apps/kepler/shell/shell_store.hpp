#pragma once
// What the kepler shell runs its commands on: a store opened here (kepler::db) or one that
// kepler-server serves (kepler::remote_db, `kepler --connect HOST:PORT shell`). The remote one
// has no snapshots, stats or compaction: those commands say so.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "kepler/write_batch.hpp"
#include "store_actions.hpp"
#include "text/escape.hpp"

namespace kepler {
class db;
class remote_db;
}  // namespace kepler

namespace kepler::cli {

class shell_store {
 public:
  virtual ~shell_store() = default;
  /// Reads see the held snapshot, if any. Writes are synced.
  virtual caf::expected<std::optional<std::string>> get(std::string_view key) = 0;
  virtual caf::expected<void> insert(std::string_view key, std::string_view value) = 0;
  virtual caf::expected<void> remove(std::string_view key) = 0;
  virtual caf::expected<void> write(const write_batch& batch) = 0;
  /// As print_range (store_actions.hpp): dump lines to `out`, the number printed.
  virtual caf::expected<std::uint64_t> print(const key_range& range, std::uint64_t limit,
                                             byte_format f, std::FILE* out) = 0;
  virtual caf::expected<std::uint64_t> count(const key_range& range) = 0;
  /// Holds a snapshot for later reads; its sequence.
  virtual caf::expected<std::uint64_t> hold_snapshot() = 0;
  virtual void release_snapshot() = 0;
  virtual caf::expected<std::string> stats() = 0;
  virtual caf::expected<void> compact(std::optional<std::string_view> from,
                                      std::optional<std::string_view> to) = 0;
};

/// The shell over a store opened here (not owned; it must outlive the result).
std::unique_ptr<shell_store> local_shell_store(db& store);

/// The shell over a served store (not owned).
std::unique_ptr<shell_store> remote_shell_store(remote_db& store);

}  // namespace kepler::cli
