#include "actors/boundary/engine_state.hpp"

#include <algorithm>

#include "actors/boundary/status_error.hpp"
#include "kepler/errors.hpp"

namespace kepler::actors {

engine_state::engine_state(engine_config config)
    : config_(std::move(config)),
      blocks_(config_.block_cache_bytes),
      tables_(*config_.fs, config_.dir, config_.max_open_files, &blocks_),
      view_(std::make_shared<storage::read_view>()) {}

caf::expected<std::optional<std::string>> engine_state::read(
    const storage::read_options& options, std::string_view key,
    std::optional<storage::sequence_number> snapshot) const {
  // The view first, then the sequence: every entry in the view's files is at or below it, so
  // what compaction kept of them is what a read at it must see (compaction.md).
  auto current = view();
  std::optional<std::string> value;
  auto s = current->get(options, key, snapshot ? *snapshot : last_visible(), &value);
  if (!s.is_ok()) return to_error(s);
  return value;
}

void engine_state::fail_writes(const caf::error& err) {
  {
    std::lock_guard<std::mutex> guard(error_mutex_);
    if (writes_failed_.load(std::memory_order_relaxed)) return;
    write_error_ = err;
    writes_failed_.store(true, std::memory_order_release);
  }
  events_.publish(store_failed{kepler::to_string(err)});
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
    level0_files_.store(files->files(0).size(), std::memory_order_release);
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
  level0_files_.store(files->files(0).size(), std::memory_order_release);
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
