#pragma once
// The fixed workload the power-loss and I/O-error tests run through the real store over a
// memory_file_system, and the check of what a reopened store holds against it.
//
// The workload: puts, deletes and batches over a small key space, about one write in five
// synced, an empty synced batch, and a compact_range, with options small enough that it flushes
// about a dozen memtables, compacts level 0 several times and rolls the MANIFEST. Every value
// names the write and the key it was written for, so a value read back tells which write it
// came from (or that no write made it: a phantom).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kepler/db.hpp"
#include "power_loss/memory_file_system.hpp"

namespace kepler::test::power {

/// Where the store lives on the memory file system.
inline const std::string store_dir = "/mem/db";

struct kv_op {
  std::string key;
  std::optional<std::string> value;  ///< nullopt: a delete
};

/// One call of the workload: a write (a put, a delete or a batch) or a compact_range.
struct step {
  bool compact = false;
  bool batch = false;  ///< a write_batch (possibly empty)
  bool sync = false;
  std::vector<kv_op> ops;
};

/// The fixed workload (the same every run): `writes` calls (400 by default) drawn from `seed`.
std::vector<step> make_workload(int writes = 400, std::uint64_t seed = 20240610);
/// The options it runs with: `memtable_bytes` (12 KiB: a dozen flushes), a 1 KiB MANIFEST
/// limit, compaction at 2 level-0 files.
kepler::options workload_options(std::size_t memtable_bytes = 12 * 1024);

/// What happened to one write call of a run.
struct write_outcome {
  std::size_t step = 0;     ///< its index in the workload
  std::uint64_t sent = 0;   ///< the file system's clock just before the call
  std::uint64_t acked = 0;  ///< and just after it returned
  bool ok = false;
  caf::error error;
};

struct run_outcome {
  bool opened = false;
  caf::error open_error;
  std::vector<write_outcome> writes;  ///< every write called, in order
  bool compact_failed = false;
  caf::error compact_error;
  bool close_failed = false;
  caf::error close_error;
  /// The first failed write's index in `writes` (writes.size(): none failed).
  std::size_t first_failed = 0;
};

/// Runs the workload over `fs` (opening, writing, closing). After the first failed write it
/// calls `extra_after_failure` more writes and then stops (so a failed store is not hammered
/// for the whole workload).
/// `before_close`, when set, is called with the open store and the outcome so far once the
/// writes are done.
run_outcome run_workload(
    memory_file_system& fs, const std::vector<step>& plan, const kepler::options& opts,
    std::size_t extra_after_failure = 3,
    const std::function<void(kepler::db&, const run_outcome&)>& before_close = nullptr);

/// Keys to their values.
using kv_state = std::map<std::string, std::string>;

/// What a reopened store holds against the writes of the workload (in order).
struct verdict {
  bool ok = true;
  bool lost_acked = false;   ///< a write that had to survive is not there
  bool hole = false;         ///< not the state after any prefix of the writes (a torn batch too)
  bool phantom = false;      ///< a key or value that no write made
  bool wrong_value = false;  ///< a value written for another key
  std::optional<std::size_t> matched;  ///< the longest prefix whose state this is
  std::string why;
};

/// Judges `observed` against the writes of `plan`: it must be the state after the
/// first k writes, for some k in [must, may] (k counts writes, not steps).
verdict judge(const std::vector<step>& plan, const kv_state& observed, std::size_t must,
              std::size_t may);

/// Every key and value the store holds, or the error of the scan.
caf::expected<kv_state> read_all(const kepler::db& store);

/// Ends the process when an armed call has not returned within its limit, naming the call and
/// the state (a hang fails the run instead of stalling it; hangs print as 0 when none came).
class watchdog {
 public:
  explicit watchdog(std::chrono::seconds limit);
  ~watchdog();
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;
  void arm(std::string what);
  void disarm();

 private:
  std::chrono::seconds limit_;
  std::mutex mutex_;
  std::string what_;
  std::chrono::steady_clock::time_point since_;
  bool armed_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace kepler::test::power
