#include "report.hpp"

#include <algorithm>
#include <functional>
#include <optional>

namespace kepler::bench {

namespace {

constexpr double mb = 1024.0 * 1024.0;

const result* find(const std::vector<result>& results, const std::string& workload,
                   const std::string& engine) {
  for (auto& r : results)
    if (r.benchmark == workload && r.engine == engine) return &r;
  return nullptr;
}

// The indent of the lines under a result line, past "<engine> <workload>".
void indent(std::FILE* to) {
  std::fprintf(to, "%-8s %-12s  ", "", "");
}

void print_space(std::FILE* to, const space_figures& s) {
  indent(to);
  std::fprintf(to, "%.1f MB on disk, %.1f MB written by the engine", s.bytes_on_disk / mb,
               s.bytes_written / mb);
  if (s.write_amplification > 0) std::fprintf(to, " (write-amp %.2f)", s.write_amplification);
  std::fprintf(to, ", peak RSS %.1f MB\n", s.peak_rss_bytes / mb);
}

void print_live(std::FILE* to, const live_figures& l) {
  indent(to);
  std::fprintf(to,
               "live data: %llu entries, %.1f MB of keys and values (a full scan); %.1f MB on "
               "disk: disk/live %.2fx\n",
               static_cast<unsigned long long>(l.entries), l.bytes / mb, l.bytes_on_disk / mb,
               l.disk_per_live);
}

}  // namespace

void print_header(std::FILE* to, const flags& f, const std::string& date,
                  const std::vector<std::string>& engines) {
  std::fprintf(to, "kepler-bench %s\nengines:", date.c_str());
  for (auto& e : engines) std::fprintf(to, " %s", e.c_str());
  std::fprintf(to,
               "\nkeys: %zu bytes, values: %zu bytes, num: %zu, reads: %zu, sync_num: %zu, "
               "threads: %zu, sync: %d, seek_nexts: %zu, memtable: %zu bytes, bloom: 10 "
               "bits/key\n"
               "compression: %s (leveldb: %s; lmdb: none), values compress to about %.2f\n"
               "ycsb: %zu records, %zu ops, zipfian 0.99\n",
               f.key_size, f.value_size, f.num, f.read_ops(), f.sync_num, f.threads, f.sync,
               f.seek_nexts, f.memtable_bytes, f.compression.c_str(),
               f.compression == "none" ? "none" : "snappy", f.compression_ratio, f.ycsb_records,
               f.ycsb_ops);
  std::fprintf(to, "------------------------------------------------\n");
}

void print_result(std::FILE* to, const result& r) {
  std::fprintf(to, "%-8s %-12s: ", r.engine.c_str(), r.benchmark.c_str());
  if (!r.supported) {
    std::fprintf(to, "not supported by %s", r.engine.c_str());
  } else if (r.idle_cores) {
    std::fprintf(to, "%.3f cores busy while idle", *r.idle_cores);
  } else {
    std::fprintf(to, "%10.3f micros/op %9.0f ops/sec %10llu ops", r.micros_per_op(),
                 r.ops_per_sec(), static_cast<unsigned long long>(r.ops));
  }
  if (!r.counts.empty()) {
    std::fprintf(to, " (");
    const char* sep = "";
    for (auto& [name, n] : r.counts) {
      std::fprintf(to, "%s%s %llu", sep, name.c_str(), static_cast<unsigned long long>(n));
      sep = ", ";
    }
    std::fprintf(to, ")");
  }
  if (!r.error.empty()) std::fprintf(to, "  FAILED: %s", r.error.c_str());
  std::fprintf(to, "\n");
  if (r.latency) {
    auto& h = *r.latency;
    indent(to);
    std::fprintf(to, "latency per call: p50 %.2f  p99 %.2f  p99.9 %.2f  max %.0f us\n",
                 h.percentile(50), h.percentile(99), h.percentile(99.9), h.max());
    h.print(to);
  }
  if (r.space) print_space(to, *r.space);
  if (r.live) print_live(to, *r.live);
  if (!r.engine_stats.empty()) {
    indent(to);
    std::fprintf(to, "stats: %s\n", r.engine_stats.c_str());
  }
}

void print_engine_totals(std::FILE* to, const engine_totals& t) {
  auto& s = t.space;
  std::fprintf(to, "%-8s %-12s: %.1f MB of keys and values written", t.engine.c_str(), "total",
               t.user_bytes_written / mb);
  if (t.user_bytes_written == 0) {
    std::fprintf(to, " (no write-amp)\n");
  } else {
    std::fprintf(to,
                 "; from the first workload that writes until closed, the engine wrote %.1f MB "
                 "(write-amp %.2f)",
                 s.bytes_written / mb, s.write_amplification);
    if (s.storage_bytes_written)
      std::fprintf(to, ", %.1f MB of it to storage (write-amp %.2f)", *s.storage_bytes_written / mb,
                   s.storage_write_amplification);
    std::fprintf(to, "\n");
  }
  indent(to);
  std::fprintf(to, "%.1f MB on disk after closing, peak RSS %.1f MB\n", s.bytes_on_disk / mb,
               s.peak_rss_bytes / mb);
}

void print_ratio_table(std::FILE* to, const std::vector<std::string>& engines,
                       const std::vector<std::string>& workloads,
                       const std::vector<result>& results,
                       const std::vector<engine_totals>& totals) {
  // One row: `figure` of each engine (absent: `missing`), then kepler/peer for each peer.
  auto row = [&](const std::string& label, const char* format,
                 const std::function<std::optional<double>(const std::string&)>& figure,
                 const std::function<const char*(const std::string&)>& missing) {
    std::fprintf(to, "%-12s", label.c_str());
    for (auto& e : engines) {
      if (auto x = figure(e))
        std::fprintf(to, format, *x);
      else
        std::fprintf(to, " %10s", missing(e));
    }
    auto kepler = figure(engines[0]);
    for (std::size_t i = 1; i < engines.size(); ++i) {
      auto peer = figure(engines[i]);
      if (kepler && peer && *peer > 0)
        std::fprintf(to, " %14.2fx", *kepler / *peer);
      else
        std::fprintf(to, " %15s", "-");
    }
    std::fprintf(to, "\n");
  };
  std::fprintf(to, "\n%-12s", "us/op");
  for (auto& e : engines) std::fprintf(to, " %10s", e.c_str());
  for (std::size_t i = 1; i < engines.size(); ++i)
    std::fprintf(to, " %15s", ("kepler/" + engines[i]).c_str());
  std::fprintf(to, "\n");
  for (auto& w : workloads) {
    if (w == "idle") continue;
    row(
        w, " %10.3f",
        [&](const std::string& e) -> std::optional<double> {
          auto* r = find(results, w, e);
          if (r && r->supported && r->error.empty()) return r->micros_per_op();
          return std::nullopt;
        },
        [&](const std::string& e) {
          auto* r = find(results, w, e);
          return r && !r->supported ? "n/s" : "failed";
        });
  }
  for (auto& w : workloads)
    if (w == "idle") {
      std::fprintf(to, "%-12s", "idle cores");
      for (auto& e : engines) {
        auto* r = find(results, w, e);
        std::fprintf(to, " %10.3f", r && r->idle_cores ? *r->idle_cores : 0.0);
      }
      std::fprintf(to, "\n");
    }
  auto no_figure = [](const std::string&) { return "-"; };
  row(
      "write-amp", " %10.2f",
      [&](const std::string& e) -> std::optional<double> {
        for (auto& t : totals)
          if (t.engine == e && t.user_bytes_written > 0) return t.space.write_amplification;
        return std::nullopt;
      },
      no_figure);
  if (std::find(workloads.begin(), workloads.end(), "compact") != workloads.end())
    row(
        "disk/live", " %10.2f",
        [&](const std::string& e) -> std::optional<double> {
          const result* last = nullptr;  // the last compact of the run
          for (auto& r : results)
            if (r.benchmark == "compact" && r.engine == e && r.live) last = &r;
          if (last) return last->live->disk_per_live;
          return std::nullopt;
        },
        no_figure);
  std::fprintf(to,
               "(n/s: not supported by that engine; ratio below 1: KeplerDB faster, or writes or "
               "keeps fewer bytes;\n write-amp: the engine's bytes written over the run, until "
               "closed, per key and value byte; disk/live: after the last compact)\n");
}

}  // namespace kepler::bench
