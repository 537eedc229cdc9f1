#pragma once
// Space and amplification: bytes a store holds on disk, bytes the process wrote (the engine's
// writes: its log, tables, compactions), what a full scan finds live, and the process's peak
// resident memory.

#include <cstdint>
#include <optional>
#include <string>

namespace kepler::bench {

/// The process's write counters (/proc/self/io), all threads together, at one moment.
struct io_counters {
  /// Bytes handed to write(2) and friends (wchar), whatever becomes of them.
  std::uint64_t handed = 0;
  /// Bytes of page cache the process dirtied, so sent or to be sent to storage (write_bytes),
  /// and of those the bytes dropped before they reached it because their file was deleted or
  /// truncated first (cancelled_write_bytes). 0 on file systems that keep no such count (tmpfs).
  std::uint64_t to_storage = 0;
  std::uint64_t cancelled = 0;
};

struct space_figures {
  std::uint64_t bytes_on_disk = 0;
  /// Bytes handed to write(2) and friends in the window measured (wchar).
  std::uint64_t bytes_written = 0;
  /// bytes_written / the key and value bytes written in the window.
  double write_amplification = 0;
  /// Bytes that reached or will reach storage in the window (write_bytes less
  /// cancelled_write_bytes), and that over the key and value bytes; only over an engine's
  /// whole run (a workload's deletions may cancel bytes an earlier one wrote) and only where
  /// the file system counts them.
  std::optional<std::uint64_t> storage_bytes_written;
  double storage_write_amplification = 0;
  std::uint64_t peak_rss_bytes = 0;
};

/// What a full scan of the store found beside its bytes on disk (the compact workload).
struct live_figures {
  std::uint64_t entries = 0;
  /// Key and value bytes of every entry the scan returned: the live data.
  std::uint64_t bytes = 0;
  std::uint64_t bytes_on_disk = 0;
  /// bytes_on_disk / bytes: 1 when the store spends nothing beyond its live data.
  double disk_per_live = 0;
};

/// Sum of the sizes of the regular files under `dir`.
std::uint64_t directory_bytes(const std::string& dir);
/// The counters now (all 0 where /proc has no io).
io_counters process_io();
/// The process's peak resident set (VmHWM), and resetting it (so each engine's peak is its
/// own; Linux 4.0+).
std::uint64_t peak_rss_bytes();
void reset_peak_rss();

}  // namespace kepler::bench
