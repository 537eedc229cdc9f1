#include "actors/boundary/engine_state.hpp"

#include <algorithm>

#include "actors/boundary/status_error.hpp"

namespace kepler::actors {

engine_state::engine_state(engine_config config)
    : config_(std::move(config)),
      blocks_(config_.block_cache_bytes),
      tables_(*config_.fs, config_.dir, config_.max_open_files, &blocks_),
      view_(std::make_shared<storage::read_view>()) {}

caf::expected<std::optional<std::string>> engine_state::read(const storage::read_options& options,
                                                             std::string_view key) const {
  auto current = view();
  std::optional<std::string> value;
  auto s = current->get(options, key, last_visible(), &value);
  if (!s.is_ok()) return to_error(s);
  return value;
}

template <class Change>
void engine_state::change_view(Change&& change) {
  std::lock_guard<std::mutex> guard(view_mutex_);
  auto next = std::make_shared<storage::read_view>(*view_);
  change(*next);
  view_ = std::move(next);
}

void engine_state::install_initial(std::shared_ptr<const storage::memtable> mem,
                                   std::shared_ptr<const storage::version> files) {
  change_view([&](storage::read_view& v) {
    v.mem = std::move(mem);
    v.sealed.clear();
    v.files = std::move(files);
    v.tables = &tables_;
  });
}

void engine_state::install_seal(std::shared_ptr<const storage::memtable> sealed,
                                std::shared_ptr<const storage::memtable> active) {
  change_view([&](storage::read_view& v) {
    v.sealed.insert(v.sealed.begin(), std::move(sealed));
    v.mem = std::move(active);
  });
}

void engine_state::install_files(std::shared_ptr<const storage::version> files,
                                 const storage::memtable* flushed) {
  change_view([&](storage::read_view& v) {
    v.files = std::move(files);
    v.sealed.erase(std::remove_if(v.sealed.begin(), v.sealed.end(),
                                  [flushed](const auto& m) { return m.get() == flushed; }),
                   v.sealed.end());
  });
}

void engine_state::count_stall(std::chrono::steady_clock::duration waited) {
  stall_events_.fetch_add(1, std::memory_order_relaxed);
  stall_micros_.fetch_add(std::chrono::duration_cast<std::chrono::microseconds>(waited).count(),
                          std::memory_order_relaxed);
}

engine_state::stall_counters engine_state::stalls() const {
  return {stall_events_.load(std::memory_order_relaxed),
          stall_micros_.load(std::memory_order_relaxed)};
}

}  // namespace kepler::actors
