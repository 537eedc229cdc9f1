#include "api/src/store_stats.hpp"

#include <cstdlib>

#include "actors/boundary/status_error.hpp"
#include "kepler/errors.hpp"

namespace kepler {

std::string db_stats::to_string() const {
  std::string out;
  auto add = [&out](const char* name, auto value) {
    if (!out.empty()) out += ' ';
    out += name;
    out += '=';
    out += std::to_string(value);
  };
  for (std::size_t level = 0; level < levels.size(); ++level) {
    if (!out.empty()) out += ' ';
    out += "L" + std::to_string(level) + "=" + std::to_string(levels[level].files) + "/" +
           std::to_string(levels[level].bytes);
  }
  add("memtable_bytes", memtable_bytes);
  add("sealed", sealed_memtables);
  add("user_bytes", user_bytes_written);
  add("log_bytes", log_bytes_written);
  add("flushes", flushes);
  add("flush_bytes", flush_bytes_written);
  add("compactions", compactions);
  add("compaction_read", compaction_bytes_read);
  add("compaction_written", compaction_bytes_written);
  char amp[32];
  std::snprintf(amp, sizeof amp, "%.2f", write_amplification);
  out += std::string(" write_amp=") + amp;
  add("stalls", stalls);
  add("stall_us", stall_micros);
  add("slowdowns", slowdowns);
  add("slowdown_us", slowdown_micros);
  add("block_hits", block_cache_hits);
  add("block_misses", block_cache_misses);
  add("table_hits", table_cache_hits);
  add("table_misses", table_cache_misses);
  add("snapshots", live_snapshots);
  add("iterators", open_iterators);
  return out;
}

namespace detail {

namespace {

std::uint64_t load(const std::atomic<std::uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

std::string user_key_of(const std::string& internal_key) {
  return internal_key.substr(0, internal_key.size() - 8);
}

}  // namespace

db_stats collect_stats(const actors::engine_state& engine) {
  db_stats out;
  auto view = engine.view();
  for (int level = 0; level < storage::num_levels; ++level)
    out.levels.push_back({view->files->files(level).size(), view->files->level_bytes(level)});
  out.memtable_bytes = view->mem ? view->mem->approximate_bytes() : 0;
  for (const auto& m : view->sealed) out.memtable_bytes += m->approximate_bytes();
  out.sealed_memtables = view->sealed.size();
  const auto& c = engine.counters();
  out.user_bytes_written = load(c.user_bytes);
  out.log_bytes_written = load(c.log_bytes);
  out.flushes = load(c.flushes);
  out.flush_bytes_written = load(c.flush_bytes);
  out.compactions = load(c.compactions);
  out.compaction_bytes_read = load(c.compaction_bytes_read);
  out.compaction_bytes_written = load(c.compaction_bytes_written);
  if (out.user_bytes_written > 0)
    out.write_amplification = static_cast<double>(out.log_bytes_written + out.flush_bytes_written +
                                                  out.compaction_bytes_written) /
                              static_cast<double>(out.user_bytes_written);
  auto stalls = engine.stalls();
  out.stalls = stalls.events;
  out.stall_micros = stalls.micros;
  out.slowdowns = load(c.slowdowns);
  out.slowdown_micros = load(c.slowdown_micros);
  auto blocks = engine.blocks().stats();
  out.block_cache_hits = blocks.hits;
  out.block_cache_misses = blocks.misses;
  out.table_cache_hits = engine.tables().hits();
  out.table_cache_misses = engine.tables().misses();
  out.live_snapshots = engine.snapshots()->count();
  out.open_iterators = load(c.open_iterators);
  return out;
}

caf::expected<std::string> property(const actors::engine_state& engine, std::string_view name) {
  const std::string_view prefix = "kepler.";
  if (name.substr(0, prefix.size()) != prefix)
    return make_error(ec::invalid_argument,
                      "unknown property \"" + std::string(name) + "\": names start with kepler.");
  auto what = name.substr(prefix.size());
  auto view = engine.view();
  const auto& files = *view->files;
  if (what == "stats") return collect_stats(engine).to_string();
  const std::string_view per_level = "num-files-at-level";
  if (what.substr(0, per_level.size()) == per_level) {
    auto digits = std::string(what.substr(per_level.size()));
    char* rest = nullptr;
    long level = digits.empty() ? -1 : std::strtol(digits.c_str(), &rest, 10);
    if (level < 0 || level >= storage::num_levels || (rest && *rest != '\0'))
      return make_error(ec::invalid_argument, "property " + std::string(name) +
                                                  ": the level must be 0 to " +
                                                  std::to_string(storage::num_levels - 1));
    return std::to_string(files.files(static_cast<int>(level)).size());
  }
  if (what == "levels") {
    std::string out = "level files bytes\n";
    for (int level = 0; level < storage::num_levels; ++level)
      out += std::to_string(level) + " " + std::to_string(files.files(level).size()) + " " +
             std::to_string(files.level_bytes(level)) + "\n";
    return out;
  }
  if (what == "sstables") {
    std::string out;
    for (int level = 0; level < storage::num_levels; ++level)
      for (const auto& f : files.files(level))
        out += "level " + std::to_string(level) + " table " + std::to_string(f->number) + " " +
               std::to_string(f->size) + " bytes [" + user_key_of(f->smallest) + " .. " +
               user_key_of(f->largest) + "] seq " + std::to_string(f->smallest_sequence) + ".." +
               std::to_string(f->largest_sequence) + "\n";
    return out;
  }
  if (what == "approximate-memory-usage") {
    auto s = collect_stats(engine);
    return std::to_string(s.memtable_bytes + engine.blocks().stats().usage_bytes);
  }
  if (what == "num-snapshots") return std::to_string(engine.snapshots()->count());
  if (what == "oldest-snapshot-sequence")
    return std::to_string(engine.snapshots()->oldest(engine.last_visible()));
  if (what == "last-sequence") return std::to_string(engine.last_visible());
  return make_error(ec::invalid_argument,
                    "unknown property \"" + std::string(name) +
                        "\" (known: kepler.stats, kepler.levels, kepler.sstables, "
                        "kepler.num-files-at-level<N>, kepler.approximate-memory-usage, "
                        "kepler.num-snapshots, kepler.oldest-snapshot-sequence, "
                        "kepler.last-sequence)");
}

caf::expected<std::uint64_t> approximate_size(actors::engine_state& engine, std::string_view begin,
                                              std::string_view end) {
  if (end < begin) return make_error(ec::invalid_argument, "approximate_size: begin is after end");
  std::string from, to;
  storage::append_internal_key(&from, begin, storage::max_sequence_number,
                               storage::value_type_for_seek);
  storage::append_internal_key(&to, end, storage::max_sequence_number,
                               storage::value_type_for_seek);
  auto view = engine.view();
  std::uint64_t total = 0;
  for (int level = 0; level < storage::num_levels; ++level) {
    for (const auto& f : view->files->files(level)) {
      // Wholly outside the range: nothing; else the part between the two offsets.
      if (storage::compare_internal_keys(f->largest, from) < 0) continue;
      if (storage::compare_internal_keys(f->smallest, to) >= 0) continue;
      std::shared_ptr<const storage::table_reader> reader;
      auto s = engine.tables().find(*f, &reader);
      if (!s.is_ok()) return actors::to_error(s);
      auto a = reader->approximate_offset(from);
      auto b = reader->approximate_offset(to);
      if (b > a) total += b - a;
    }
  }
  return total;
}

}  // namespace detail

}  // namespace kepler
