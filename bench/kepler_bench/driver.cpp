// The run: check the flags, then for each engine open a store, run the workloads in order on
// it, measure space after the writes and take the engine's stats line after each workload;
// once the engine has closed, its write amplification over the whole run; then the ratio table
// and the JSON file.

#include "driver.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <optional>

#include "json_report.hpp"
#include "report.hpp"

namespace kepler::bench {

namespace {

std::string now_text() {
  char buf[64];
  std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&t));
  return buf;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

/// The workloads to run: --benchmarks, with ycsb-load before the first YCSB workload when the
/// records are not there yet.
std::vector<std::string> expand_workloads(const flags& f) {
  std::vector<std::string> out;
  bool loaded = f.use_existing_db;
  for (auto& w : split_list(f.benchmarks)) {
    if (w == "ycsb-load") loaded = true;
    if (w.rfind("ycsb-", 0) == 0 && !loaded) {
      out.push_back("ycsb-load");
      loaded = true;
    }
    out.push_back(w);
  }
  return out;
}

double per_user_byte(std::uint64_t bytes, std::uint64_t user_bytes) {
  return user_bytes ? static_cast<double>(bytes) / user_bytes : 0;
}

// The space figures of the window since `before`. Only a whole run (`whole_run`) gets the
// storage figures: within it, every byte cancelled was dirtied in it too.
space_figures measure_space(const std::string& dir, const io_counters& before,
                            std::uint64_t user_bytes, bool whole_run) {
  auto now = process_io();
  space_figures s;
  s.bytes_on_disk = directory_bytes(dir);
  s.bytes_written = now.handed - before.handed;
  s.write_amplification = per_user_byte(s.bytes_written, user_bytes);
  auto dirtied = now.to_storage - before.to_storage, cancelled = now.cancelled - before.cancelled;
  if (whole_run && dirtied > 0) {  // 0: a file system that does not count (tmpfs)
    s.storage_bytes_written = dirtied > cancelled ? dirtied - cancelled : 0;
    s.storage_write_amplification = per_user_byte(*s.storage_bytes_written, user_bytes);
  }
  s.peak_rss_bytes = peak_rss_bytes();
  return s;
}

}  // namespace

int run_bench(const std::vector<std::string>& args, std::FILE* out) {
  flags f;
  std::string error;
  switch (parse_flags(args, &f, &error)) {
    case parse_outcome::help:
      print_usage(out);
      return 0;
    case parse_outcome::bad:
      std::fprintf(stderr, "kepler-bench: %s (see --help)\n", error.c_str());
      return 2;
    case parse_outcome::run:
      break;
  }
  auto available = available_engines();
  std::vector<std::string> engines;
  if (f.engine == "all") {
    engines = available;
  } else {
    for (auto& name : split_list(f.engine)) {  // one engine, or several: kepler,leveldb
      if (std::find(available.begin(), available.end(), name) == available.end()) {
        std::fprintf(stderr, "kepler-bench: --engine: '%s' is not one of all, %s (this build)\n",
                     name.c_str(), join(available, ", ").c_str());
        return 2;
      }
      if (std::find(engines.begin(), engines.end(), name) == engines.end()) engines.push_back(name);
    }
  }
  if (engines.empty()) {
    std::fprintf(stderr, "kepler-bench: --engine: no engine named\n");
    return 2;
  }

  auto workload_names = expand_workloads(f);
  auto date = now_text();
  std::string command = "kepler-bench " + join(args, " ");
  value_pool values(f.value_size, f.compression_ratio);
  print_header(out, f, date, engines);
  std::vector<result> results;
  std::vector<engine_totals> totals;
  int status = 0;
  for (auto& name : engines) {
    engine_settings settings;
    settings.dir = f.db + "/" + name;
    settings.memtable_bytes = f.memtable_bytes;
    settings.kepler_workers = f.kepler_workers;
    settings.kepler_poll = f.kepler_poll;
    settings.kepler_user_system = static_cast<int>(f.kepler_user_system);
    for (auto& w : workload_names) {
      workload_item item;
      parse_workload_item(w, &item);
      settings.actor_client |= item.name == "fillasync" || item.name == "fillsyncasync";
    }
    settings.compression = f.compression == "zstd"  ? codec::zstd
                           : f.compression == "lz4" ? codec::lz4
                                                    : codec::none;
    std::error_code ec;
    if (!f.use_existing_db) std::filesystem::remove_all(settings.dir, ec);
    std::filesystem::create_directories(f.db, ec);
    reset_peak_rss();
    auto db = open_engine(name, settings, &error);
    if (!db) {
      std::fprintf(stderr, "kepler-bench: cannot open %s in %s: %s\n", name.c_str(),
                   settings.dir.c_str(), error.c_str());
      status = 1;
      continue;
    }
    std::atomic<std::uint64_t> ycsb_records{f.use_existing_db ? f.ycsb_records : 0};
    context ctx{*db, settings.dir, f, values, ycsb_records};
    engine_totals total;
    total.engine = name;
    // Write amplification over the run: from before the first workload that writes to after
    // the engine closed, so background flushes and compactions, and closing, count.
    std::optional<io_counters> run_start;
    for (auto& w : workload_names) {
      workload_item item;
      parse_workload_item(w, &item);  // checked by parse_flags
      auto* info = find_workload(item.name);
      auto before = process_io();
      if (info->writes && !run_start) run_start = before;
      // name@T: the workload's own thread count.
      flags own = f;
      if (item.threads != 0) own.threads = item.threads;
      context own_ctx{*db, settings.dir, own, values, ycsb_records};
      auto r = info->run(item.threads != 0 ? own_ctx : ctx);
      r.engine = name;
      r.benchmark = w;
      if (info->writes && r.supported)
        r.space = measure_space(settings.dir, before, r.user_bytes_written, false);
      r.engine_stats = db->stats();
      total.user_bytes_written += r.user_bytes_written;
      if (!r.error.empty()) status = 1;
      print_result(out, r);
      std::fflush(out);
      results.push_back(std::move(r));
    }
    db.reset();  // closed: its last writes count, its memory is returned
    // With no workload that writes, the window is empty: no amplification, the rest measured.
    total.space = measure_space(settings.dir, run_start.value_or(process_io()),
                                total.user_bytes_written, true);
    print_engine_totals(out, total);
    totals.push_back(total);
  }
  if (engines.size() > 1 && engines[0] == "kepler")
    print_ratio_table(out, engines, workload_names, results, totals);
  if (!f.json.empty() && !write_json(f.json, f, date, command, engines, results, totals, &error)) {
    std::fprintf(stderr, "kepler-bench: --json: %s\n", error.c_str());
    status = 1;
  }
  return status;
}

}  // namespace kepler::bench
