#include "store_actions.hpp"

#include <chrono>

#include "text/dump_format.hpp"

namespace kepler::cli {
namespace {

double seconds_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

read_options bounded(const key_range& range, const read_options& ro) {
  read_options r = ro;
  r.lower_bound = range.from;
  r.upper_bound = range.to;
  r.fill_cache = false;  // a scan touches its blocks once; keep the hot ones cached
  return r;
}

}  // namespace

key_range prefix_range(std::string_view prefix) {
  key_range r;
  r.from = std::string(prefix);
  // The first key after every key with the prefix: drop trailing 0xff bytes, then bump the
  // last byte. A prefix of only 0xff bytes (or none) has no end.
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) {
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
    r.to = std::move(end);
  }
  return r;
}

caf::expected<std::unique_ptr<db>> open_for_command(const std::string& dir, bool writes) {
  options opts;
  opts.create_if_missing = writes;
  opts.read_only = !writes;
  return db::open(dir, opts);
}

caf::expected<std::uint64_t> print_range(const db& store, const key_range& range,
                                         std::uint64_t limit, const read_options& ro, byte_format f,
                                         std::FILE* out) {
  auto it = store.new_iterator(bounded(range, ro));
  if (!it) return it.error();
  progress_meter progress("scanned");
  std::uint64_t n = 0;
  std::string line;
  for ((*it)->seek_to_first(); (*it)->valid() && (limit == 0 || n < limit); (*it)->next()) {
    line = format_entry((*it)->key(), (*it)->value(), f);
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), out) != line.size())
      return make_error(ec::io_error, "writing the output failed");
    ++n;
    progress.step();
  }
  if (auto ok = (*it)->status(); !ok) return ok.error();
  if (std::fflush(out) != 0) return make_error(ec::io_error, "writing the output failed");
  return n;
}

caf::expected<std::uint64_t> count_range(const db& store, const key_range& range,
                                         const read_options& ro) {
  auto it = store.new_iterator(bounded(range, ro));
  if (!it) return it.error();
  progress_meter progress("counted");
  std::uint64_t n = 0;
  for ((*it)->seek_to_first(); (*it)->valid(); (*it)->next()) {
    ++n;
    progress.step();
  }
  if (auto ok = (*it)->status(); !ok) return ok.error();
  return n;
}

caf::expected<std::string> describe_stats(const db& store) {
  auto stats = store.stats();
  if (!stats) return stats.error();
  const db_stats& s = *stats;
  std::string text;
  char line[256];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    text += line;
  };
  auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
  add("store %s\n", store.directory().c_str());
  if (auto seq = store.property("kepler.last-sequence")) add("last sequence: %s\n", seq->c_str());
  add("%-6s %8s %16s\n", "level", "files", "bytes");
  std::uint64_t files = 0, bytes = 0, runs = 0;
  for (std::size_t level = 0; level < s.levels.size(); ++level) {
    const auto& l = s.levels[level];
    add("L%-5zu %8llu %16llu\n", level, u(l.files), u(l.bytes));
    files += l.files;
    bytes += l.bytes;
    runs += level == 0 ? l.files : (l.files ? 1 : 0);
  }
  add("%-6s %8llu %16llu\n", "total", u(files), u(bytes));
  add("read amplification: %llu sorted runs a point read may check (level-0 files + other "
      "levels holding data)\n",
      u(runs));
  add("memtable: %llu bytes, %llu sealed memtable(s) waiting for flush\n", u(s.memtable_bytes),
      u(s.sealed_memtables));
  add("since open: %llu user bytes written, %llu log bytes, %llu flushes (%llu bytes), "
      "%llu compactions (%llu bytes read, %llu written)\n",
      u(s.user_bytes_written), u(s.log_bytes_written), u(s.flushes), u(s.flush_bytes_written),
      u(s.compactions), u(s.compaction_bytes_read), u(s.compaction_bytes_written));
  add("write amplification since open: %.2f\n", s.write_amplification);
  add("write stalls: %llu (%llu us), slowdowns: %llu (%llu us)\n", u(s.stalls), u(s.stall_micros),
      u(s.slowdowns), u(s.slowdown_micros));
  auto rate = [](std::uint64_t hits, std::uint64_t misses) {
    return hits + misses ? 100.0 * static_cast<double>(hits) / static_cast<double>(hits + misses)
                         : 0.0;
  };
  add("block cache: %llu hits, %llu misses (%.1f%% hits)\n", u(s.block_cache_hits),
      u(s.block_cache_misses), rate(s.block_cache_hits, s.block_cache_misses));
  add("table cache: %llu hits, %llu misses (%.1f%% hits)\n", u(s.table_cache_hits),
      u(s.table_cache_misses), rate(s.table_cache_hits, s.table_cache_misses));
  add("snapshots: %llu live, iterators: %llu open\n", u(s.live_snapshots), u(s.open_iterators));
  return text;
}

progress_meter::progress_meter(const char* what)
    : what_(what), started_(seconds_now()), next_show_(started_ + 1.0) {}

progress_meter::~progress_meter() {
  if (shown_)
    std::fprintf(stderr, "... %s %llu entries in %.1f s, done\n", what_,
                 static_cast<unsigned long long>(count_), seconds_now() - started_);
}

void progress_meter::maybe_show() {
  double now = seconds_now();
  if (now < next_show_) return;
  std::fprintf(stderr, "... %s %llu entries (%.1f s)\n", what_,
               static_cast<unsigned long long>(count_), now - started_);
  shown_ = true;
  next_show_ = now + 1.0;
}

}  // namespace kepler::cli
