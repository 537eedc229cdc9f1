// kepler-bench checks itself: every workload on every engine built in, at tiny sizes, read back
// through --json — the operations counted, what they found, what is not supported. Never speed.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench/json_reader.hpp"
#include "driver.hpp"
#include "engine.hpp"
#include "flags.hpp"
#include "test_dir.hpp"

namespace {

using kepler::test::json;

constexpr std::uint64_t num = 200, reads = 150, sync_num = 10, batch_size = 64;
constexpr std::uint64_t ycsb_records = 200, ycsb_ops = 300;
constexpr std::uint64_t group_commit_threads = 8;

const char* all_workloads =
    "fillseq,fillrandom,overwrite,fillbatch,fillsync,fillsync8,readrandom,readmissing,readseq,"
    "readreverse,seekrandom,ycsb-a,ycsb-b,ycsb-c,ycsb-d,ycsb-e,ycsb-f,deleterandom";

// Runs kepler-bench with `args` plus --db and --json in a fresh directory; its exit status in
// *status and its JSON document.
json run(std::vector<std::string> args, int* status = nullptr) {
  kepler::test::temp_dir dir("kepler-bench-test");
  args.push_back("--db=" + dir.path());
  args.push_back("--json=" + dir.file("results.json"));
  std::FILE* out = std::fopen("/dev/null", "w");
  int rc = kepler::bench::run_bench(args, out);
  std::fclose(out);
  if (status) *status = rc;
  std::ifstream in(dir.file("results.json"));
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

const json& find(const json& doc, const std::string& engine, const std::string& workload) {
  for (auto& r : doc["results"].array)
    if (r["engine"].string == engine && r["benchmark"].string == workload) return r;
  FAIL("no result for " << engine << " " << workload);
  throw std::logic_error("unreachable");
}

std::uint64_t count(const json& r, const std::string& name) {
  return r["counts"].has(name) ? r["counts"][name].count() : 0;
}

bool needs_scans(const std::string& workload) {
  return workload == "readseq" || workload == "readreverse" || workload == "seekrandom" ||
         workload == "ycsb-e";
}

void check_counts(const json& doc, const std::string& engine, std::uint64_t threads) {
  CAPTURE(engine);
  CAPTURE(threads);
  for (auto& w : kepler::bench::split_list(all_workloads)) {
    CAPTURE(w);
    auto& r = find(doc, engine, w);
    CHECK(r["error"].string == "");
    if (engine == "kepler" && needs_scans(w)) {
      CHECK_FALSE(r["supported"].boolean);
      continue;
    }
    REQUIRE(r["supported"].boolean);
    if (w == "fillseq" || w == "fillrandom" || w == "overwrite" || w == "deleterandom")
      CHECK(r["ops"].count() == num);
    if (w == "fillbatch") {
      CHECK(r["ops"].count() == num);
      CHECK(count(r, "batches") == (num + batch_size - 1) / batch_size);
    }
    if (w == "fillsync") CHECK(r["ops"].count() == sync_num);
    if (w == "fillsync8") CHECK(r["ops"].count() == group_commit_threads * sync_num);
    if (w == "readrandom" || w == "seekrandom") {
      CHECK(r["ops"].count() == reads);
      CHECK(count(r, "found") == reads);  // every key below --num was written
    }
    if (w == "readmissing") {
      CHECK(r["ops"].count() == reads);
      CHECK(count(r, "found") == 0);
    }
    if (w == "readseq" || w == "readreverse") {
      // The store holds more than `reads` entries, so each thread reads its whole share.
      CHECK(r["ops"].count() == reads);
      CHECK(count(r, "entries") == reads);
    }
    if (w.rfind("ycsb-", 0) == 0) {
      CHECK(r["ops"].count() == ycsb_ops);
      auto sum = count(r, "read") + count(r, "update") + count(r, "insert") + count(r, "scan") +
                 count(r, "read_modify_write");
      CHECK(sum == ycsb_ops);
    }
    if (w == "ycsb-a") CHECK(count(r, "read") + count(r, "update") == ycsb_ops);
    if (w == "ycsb-b") CHECK(count(r, "update") < count(r, "read"));
    if (w == "ycsb-c") {
      CHECK(count(r, "read") == ycsb_ops);
      CHECK(count(r, "found") == ycsb_ops);  // every record was loaded
    }
    if (w == "ycsb-d") {
      CHECK(count(r, "read") + count(r, "insert") == ycsb_ops);
      CHECK(count(r, "insert") > 0);
    }
    if (w == "ycsb-e") {
      CHECK(count(r, "scan") + count(r, "insert") == ycsb_ops);
      CHECK(count(r, "scanned") >= count(r, "scan"));
    }
    if (w == "ycsb-f") {
      CHECK(count(r, "read") + count(r, "read_modify_write") == ycsb_ops);
      CHECK(count(r, "found") == ycsb_ops);  // a read-modify-write reads too
    }
    bool writes = w.rfind("fill", 0) == 0 || w == "overwrite" || w == "deleterandom";
    if (writes) {
      REQUIRE(r.has("space"));
      CHECK(r["space"]["bytes_on_disk"].count() > 0);
      CHECK(r["space"]["bytes_written"].count() > 0);
      CHECK(r["space"]["peak_rss_bytes"].count() > 0);
    }
  }
  auto& load = find(doc, engine, "ycsb-load");  // added before the first YCSB workload
  CHECK(load["ops"].count() == ycsb_records);
}

std::vector<std::string> tiny(std::uint64_t threads) {
  return {"--engine=all",
          "--benchmarks=" + std::string(all_workloads),
          "--num=" + std::to_string(num),
          "--reads=" + std::to_string(reads),
          "--sync_num=" + std::to_string(sync_num),
          "--batch_size=" + std::to_string(batch_size),
          "--ycsb_records=" + std::to_string(ycsb_records),
          "--ycsb_ops=" + std::to_string(ycsb_ops),
          "--threads=" + std::to_string(threads)};
}

}  // namespace

TEST_CASE("every workload runs on every engine and counts its operations") {
  for (std::uint64_t threads : {1, 3}) {
    int status = -1;
    auto doc = run(tiny(threads), &status);
    CHECK(status == 0);
    auto engines = kepler::bench::available_engines();
    REQUIRE(doc["engines"].array.size() == engines.size());
    for (auto& engine : engines) check_counts(doc, engine, threads);
    MESSAGE("threads " << threads << ": " << doc["results"].array.size() << " results from "
                       << engines.size() << " engines checked");
  }
}

TEST_CASE("kepler reports scans as not supported instead of a number") {
  auto doc = run({"--engine=kepler", "--num=50", "--benchmarks=fillseq,readseq,seekrandom"});
  auto& r = find(doc, "kepler", "readseq");
  CHECK_FALSE(r["supported"].boolean);
  CHECK(r["ops"].count() == 0);
  CHECK(find(doc, "kepler", "fillseq")["ops"].count() == 50);
}

TEST_CASE("--histogram adds ordered latency percentiles") {
  auto doc =
      run({"--engine=kepler", "--num=300", "--benchmarks=fillseq,readrandom", "--histogram=1"});
  for (auto* w : {"fillseq", "readrandom"}) {
    auto& latency = find(doc, "kepler", w)["latency_us"];
    CHECK(latency["p50"].number > 0);
    CHECK(latency["p50"].number <= latency["p99"].number);
    CHECK(latency["p99"].number <= latency["p99_9"].number);
    CHECK(latency["p99_9"].number <= latency["max"].number);
  }
}

TEST_CASE("a bad flag value is refused with exit status 2") {
  std::FILE* out = std::fopen("/dev/null", "w");
  for (auto* bad : {"--num=0", "--num=ten", "--threads=0", "--engine=sqlite", "--sync=maybe",
                    "--benchmarks=fillseq,nosuch", "--key_size=4", "--no_such_flag=1", "num=5",
                    "--json=", "--key_size=8 --num=100000000"}) {
    CAPTURE(bad);
    std::vector<std::string> args;
    std::istringstream words(bad);
    for (std::string w; words >> w;) args.push_back(w);
    CHECK(kepler::bench::run_bench(args, out) == 2);
  }
  std::fclose(out);
}

TEST_CASE("--help documents every flag and every workload") {
  std::FILE* out = std::tmpfile();
  REQUIRE(kepler::bench::run_bench({"--help"}, out) == 0);
  std::rewind(out);
  std::string help;
  for (int c; (c = std::fgetc(out)) != EOF;) help += static_cast<char>(c);
  std::fclose(out);
  for (auto* flag : {"--engine",
                     "--benchmarks",
                     "--num",
                     "--reads",
                     "--sync_num",
                     "--threads",
                     "--key_size",
                     "--value_size",
                     "--batch_size",
                     "--sync",
                     "--histogram",
                     "--json",
                     "--db",
                     "--use_existing_db",
                     "--ycsb_records",
                     "--ycsb_ops",
                     "--memtable_bytes",
                     "--seed",
                     "--kepler_workers",
                     "--kepler_poll",
                     "--kepler_user_system",
                     "--help"})
    CHECK_MESSAGE(help.find(flag) != std::string::npos, flag);
  for (auto& w : kepler::bench::split_list(all_workloads))
    CHECK_MESSAGE(help.find(w) != std::string::npos, w);
}

TEST_CASE("--use_existing_db reopens the stores an earlier run left, with sync writes") {
  kepler::test::temp_dir dir("kepler-bench-existing");
  std::FILE* out = std::fopen("/dev/null", "w");
  auto json_path = dir.file("second.json");
  REQUIRE(kepler::bench::run_bench({"--engine=all", "--num=100", "--sync=1",
                                    "--benchmarks=fillrandom", "--db=" + dir.path()},
                                   out) == 0);
  REQUIRE(kepler::bench::run_bench(
              {"--engine=all", "--num=100", "--use_existing_db=1", "--benchmarks=readrandom",
               "--db=" + dir.path(), "--json=" + json_path},
              out) == 0);
  std::fclose(out);
  std::ifstream in(json_path);
  std::stringstream text;
  text << in.rdbuf();
  auto doc = json::parse(text.str());
  for (auto& engine : kepler::bench::available_engines()) {
    CAPTURE(engine);
    CHECK(count(find(doc, engine, "readrandom"), "found") == 100);
  }
}
