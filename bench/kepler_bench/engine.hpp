#pragma once
// The small interface every benchmarked engine implements, so one workload drives KeplerDB and
// its peers with the same keys, values and settings.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kepler::bench {

struct engine_settings {
  std::string dir;
  std::size_t memtable_bytes = 4 << 20;
  /// KeplerDB only: scheduler workers (0: its default) and idle polling (0: its default).
  std::size_t kepler_workers = 0;
  std::size_t kepler_poll = 0;
  /// KeplerDB only: 0 its own actor system; 1 a user's system with CAF's default settings;
  /// 2 a user's system tuned with db::tune_scheduler.
  int kepler_user_system = 0;
};

class engine {
 public:
  virtual ~engine() = default;
  virtual std::string name() const = 0;
  /// Each returns an error text, empty on success.
  virtual std::string put(std::string_view key, std::string_view value, bool sync) = 0;
  virtual std::string write_batch(const std::vector<std::pair<std::string, std::string>>& kvs,
                                  bool sync) = 0;
  /// Sets *found; error text on failure.
  virtual std::string get(std::string_view key, std::string* value, bool* found) = 0;
};

/// Opens a fresh store of the named engine ("kepler", "leveldb") in settings.dir; nullptr and
/// *error when it cannot.
std::unique_ptr<engine> open_engine(const std::string& name, const engine_settings& settings,
                                    std::string* error);
/// The engines this build can drive.
std::vector<std::string> available_engines();

}  // namespace kepler::bench
