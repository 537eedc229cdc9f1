#pragma once
// One write-ahead log as the write path shares it: the wal_writer appends to it, the wal_syncer
// fdatasyncs it, and each group names the log it is in, so a group of an old log is synced in
// that log even after the writer switched to a new one.

#include <atomic>
#include <cstdint>
#include <memory>

#include "storage_format/util/file_system.hpp"

namespace kepler::actors {

struct wal_file {
  /// `synced`: how much of `f` is known to be on disk, from whoever made it so (recovery and
  /// the writer hand over new, empty logs: 0). Never inferred from what happens to be written.
  wal_file(std::unique_ptr<storage::writable_file> f, std::uint64_t log_number,
           std::uint64_t synced)
      : file(std::move(f)), number(log_number), synced(synced) {}

  std::unique_ptr<storage::writable_file> file;
  const std::uint64_t number;
  /// Bytes handed to the OS so far; a sync started after reading it covers at least that much.
  std::atomic<std::uint64_t> written{0};
  /// Bytes known to be on disk, grown only by syncs of this file. Whoever syncs owns it: the
  /// wal_syncer while any group or retired log is at it, the wal_writer while none is (it
  /// syncs a lone sync group itself then, and at close); the handover is a message, so the
  /// two never touch it at once.
  std::uint64_t synced;
};

}  // namespace kepler::actors
