#include "report.hpp"

namespace kepler::bench {

namespace {

constexpr double mb = 1024.0 * 1024.0;

const result* find(const std::vector<result>& results, const std::string& workload,
                   const std::string& engine) {
  for (auto& r : results)
    if (r.benchmark == workload && r.engine == engine) return &r;
  return nullptr;
}

void print_space(std::FILE* to, const space_figures& s) {
  std::fprintf(to,
               "%-8s %-12s  %.1f MB on disk, %.1f MB written by the engine (write-amp %.2f), "
               "peak RSS %.1f MB\n",
               "", "", s.bytes_on_disk / mb, s.bytes_written / mb, s.write_amplification,
               s.peak_rss_bytes / mb);
}

}  // namespace

void print_header(std::FILE* to, const flags& f, const std::string& date,
                  const std::vector<std::string>& engines) {
  std::fprintf(to, "kepler-bench %s\nengines:", date.c_str());
  for (auto& e : engines) std::fprintf(to, " %s", e.c_str());
  std::fprintf(to,
               "\nkeys: %zu bytes, values: %zu bytes, num: %zu, reads: %zu, sync_num: %zu, "
               "threads: %zu, sync: %d, seek_nexts: %zu, memtable: %zu bytes, bloom: 10 "
               "bits/key, no compression\n"
               "ycsb: %zu records, %zu ops, zipfian 0.99\n",
               f.key_size, f.value_size, f.num, f.read_ops(), f.sync_num, f.threads, f.sync,
               f.seek_nexts, f.memtable_bytes, f.ycsb_records, f.ycsb_ops);
  std::fprintf(to, "------------------------------------------------\n");
}

void print_result(std::FILE* to, const result& r) {
  std::fprintf(to, "%-8s %-12s: ", r.engine.c_str(), r.benchmark.c_str());
  if (!r.supported) {
    std::fprintf(to, "not supported by %s yet\n", r.engine.c_str());
    return;
  }
  if (r.idle_cores) {
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
    std::fprintf(to, "%-8s %-12s  latency per call: p50 %.2f  p99 %.2f  p99.9 %.2f  max %.0f us\n",
                 "", "", h.percentile(50), h.percentile(99), h.percentile(99.9), h.max());
    h.print(to);
  }
  if (r.space) print_space(to, *r.space);
}

void print_engine_totals(std::FILE* to, const engine_totals& t) {
  std::fprintf(to, "%-8s %-12s: %.1f MB of keys and values written by the workloads\n",
               t.engine.c_str(), "total", t.user_bytes_written / mb);
  print_space(to, t.space);
}

void print_ratio_table(std::FILE* to, const std::vector<std::string>& engines,
                       const std::vector<std::string>& workloads,
                       const std::vector<result>& results) {
  std::fprintf(to, "\n%-12s", "us/op");
  for (auto& e : engines) std::fprintf(to, " %10s", e.c_str());
  for (std::size_t i = 1; i < engines.size(); ++i)
    std::fprintf(to, " %15s", ("kepler/" + engines[i]).c_str());
  std::fprintf(to, "\n");
  for (auto& w : workloads) {
    if (w == "idle") continue;
    std::fprintf(to, "%-12s", w.c_str());
    for (auto& e : engines) {
      auto* r = find(results, w, e);
      if (r && r->supported && r->error.empty())
        std::fprintf(to, " %10.3f", r->micros_per_op());
      else
        std::fprintf(to, " %10s", r && !r->supported ? "n/s" : "failed");
    }
    auto* kepler = find(results, w, engines[0]);
    for (std::size_t i = 1; i < engines.size(); ++i) {
      auto* peer = find(results, w, engines[i]);
      bool both = kepler && peer && kepler->supported && peer->supported && kepler->error.empty() &&
                  peer->error.empty() && peer->micros_per_op() > 0;
      if (both)
        std::fprintf(to, " %14.2fx", kepler->micros_per_op() / peer->micros_per_op());
      else
        std::fprintf(to, " %15s", "-");
    }
    std::fprintf(to, "\n");
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
  std::fprintf(to, "(n/s: not supported by that engine yet; ratio below 1: KeplerDB faster)\n");
}

}  // namespace kepler::bench
