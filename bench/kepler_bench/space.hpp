#pragma once
// Space and amplification: bytes a store holds on disk, bytes the process wrote (the engine's
// writes: its log, tables, compactions), and the process's peak resident memory.

#include <cstdint>
#include <string>

namespace kepler::bench {

struct space_figures {
  std::uint64_t bytes_on_disk = 0;
  /// Bytes handed to write(2) and friends while the workload ran (/proc/self/io wchar).
  std::uint64_t bytes_written = 0;
  /// bytes_written / the key and value bytes the workload wrote.
  double write_amplification = 0;
  std::uint64_t peak_rss_bytes = 0;
};

/// Sum of the sizes of the regular files under `dir`.
std::uint64_t directory_bytes(const std::string& dir);
/// Bytes this process has written through system calls so far (0 where /proc has no io).
std::uint64_t process_bytes_written();
/// The process's peak resident set (VmHWM), and resetting it (so each engine's peak is its
/// own; Linux 4.0+).
std::uint64_t peak_rss_bytes();
void reset_peak_rss();

}  // namespace kepler::bench
