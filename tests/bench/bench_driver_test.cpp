// kepler-bench checks itself: every workload on every engine built in, at tiny sizes, read back
// through --json — the operations counted, what they found, what is not supported, the space
// and amplification figures — and each engine's adapter through the bench interface. Never
// speed.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "bench/json_reader.hpp"
#include "driver.hpp"
#include "engine.hpp"
#include "flags.hpp"
#include "keys.hpp"
#include "test_dir.hpp"

namespace {

using kepler::test::json;

constexpr std::uint64_t num = 200, reads = 150, sync_num = 10, batch_size = 64;
constexpr std::uint64_t ycsb_records = 200, ycsb_ops = 300;
constexpr std::uint64_t group_commit_threads = 8;

constexpr std::uint64_t entry_bytes = 16 + 100;  // the default key and value sizes
constexpr std::uint64_t default_seek_nexts = 10;

const char* all_workloads =
    "fillseq,fillrandom,overwrite,fillbatch,fillsync,fillsync8,readrandom,readmissing,readseq,"
    "readreverse,seekrandom,ycsb-a,ycsb-b,ycsb-c,ycsb-d,ycsb-e,ycsb-f,deleterandom,compact";

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

bool has_compaction(const std::string& engine) {
  return engine != "lmdb";
}

const json& totals(const json& doc, const std::string& engine) {
  for (auto& t : doc["totals"].array)
    if (t["engine"].string == engine) return t;
  FAIL("no totals for " << engine);
  throw std::logic_error("unreachable");
}

// The engine's stats line: there, one line, not an error.
void check_stats_line(const json& r) {
  auto& line = r["stats"].string;
  CHECK_FALSE(line.empty());
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find("unavailable") == std::string::npos);
  CHECK(line.find("failed") == std::string::npos);
}

void check_counts(const json& doc, const std::string& engine, std::uint64_t threads) {
  CAPTURE(engine);
  CAPTURE(threads);
  for (auto& w : kepler::bench::split_list(all_workloads)) {
    CAPTURE(w);
    auto& r = find(doc, engine, w);
    CHECK(r["error"].string == "");
    check_stats_line(r);
    if (w == "compact") {
      CHECK(r["supported"].boolean == has_compaction(engine));
      if (has_compaction(engine)) CHECK(r["ops"].count() == 1);
      REQUIRE(r.has("live"));
      CHECK(r["live"]["entries"].count() > 0);
      CHECK(r["live"]["bytes"].count() > 0);
      CHECK(r["live"]["disk_per_live"].number >= 1);  // no compression: data takes its size
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
    // The sync fills' keys sort after every fill key, so each seek has its nexts.
    if (w == "seekrandom") CHECK(count(r, "nexts") == reads * default_seek_nexts);
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
          "--threads=" + std::to_string(threads),
          "--compression=none"};
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

TEST_CASE("readseq and readreverse on kepler read every entry, stopping at the end") {
  constexpr std::uint64_t entries = 300;
  auto doc = run({"--engine=kepler", "--num=" + std::to_string(entries),
                  "--reads=" + std::to_string(2 * entries), "--memtable_bytes=65536",
                  "--benchmarks=fillrandom,readseq,readreverse"});
  for (auto* w : {"readseq", "readreverse"}) {
    CAPTURE(w);
    auto& r = find(doc, "kepler", w);
    CHECK(r["supported"].boolean);
    CHECK(r["error"].string == "");
    CHECK(count(r, "entries") == entries);
    CHECK(r["ops"].count() == entries);
  }
}

TEST_CASE("--seek_nexts sets the next() calls after each seek of seekrandom, on every engine") {
  // fillsync's keys sort after every fill key: no seek runs out of entries.
  for (std::uint64_t nexts : {0, 3}) {
    CAPTURE(nexts);
    auto doc =
        run({"--engine=all", "--num=" + std::to_string(num), "--reads=" + std::to_string(reads),
             "--sync_num=" + std::to_string(sync_num), "--seek_nexts=" + std::to_string(nexts),
             "--benchmarks=fillseq,fillsync,seekrandom"});
    for (auto& engine : kepler::bench::available_engines()) {
      CAPTURE(engine);
      auto& r = find(doc, engine, "seekrandom");
      CHECK(r["error"].string == "");
      CHECK(count(r, "found") == reads);
      CHECK(count(r, "nexts") == reads * nexts);
    }
  }
}

TEST_CASE("an engine's write amplification covers its whole run until it closed") {
  constexpr std::uint64_t n = 2000;
  auto doc = run({"--engine=all", "--num=" + std::to_string(n), "--memtable_bytes=65536",
                  "--benchmarks=fillrandom,overwrite"});
  for (auto& engine : kepler::bench::available_engines()) {
    CAPTURE(engine);
    auto& t = totals(doc, engine);
    auto& space = t["space"];
    CHECK(t["user_bytes_written"].count() == 2 * n * entry_bytes);
    // Every engine writes each key and value at least once (a log, a table or a page).
    CHECK(space["write_amplification"].number >= 1);
    std::uint64_t workloads_wrote = 0;
    for (auto* w : {"fillrandom", "overwrite"})
      workloads_wrote += find(doc, engine, w)["space"]["bytes_written"].count();
    CHECK(space["bytes_written"].count() >= workloads_wrote);  // the run holds each workload
    if (space.has("storage_bytes_written")) CHECK(space["storage_bytes_written"].count() > 0);
    MESSAGE(
        engine << ": " << t["user_bytes_written"].count() << " user bytes, "
               << space["bytes_written"].count() << " written (write-amp "
               << space["write_amplification"].number << "), after the workloads "
               << workloads_wrote
               << (space.has("storage_bytes_written")
                       ? ", to storage " + std::to_string(space["storage_bytes_written"].count())
                       : std::string{}));
  }
}

TEST_CASE("compact after an overwrite shrinks kepler's store to near its live data") {
  constexpr std::uint64_t n = 2000;
  auto doc = run({"--engine=all", "--num=" + std::to_string(n), "--memtable_bytes=65536",
                  "--benchmarks=fillrandom,overwrite,compact", "--compression=none"});
  for (auto& engine : kepler::bench::available_engines()) {
    CAPTURE(engine);
    auto& r = find(doc, engine, "compact");
    CHECK(r["error"].string == "");
    CHECK(r["supported"].boolean == has_compaction(engine));
    REQUIRE(r.has("live"));
    auto& live = r["live"];
    CHECK(live["entries"].count() == n);  // overwrites replace, never add
    CHECK(live["bytes"].count() == n * entry_bytes);
    CHECK(live["bytes_on_disk"].number >= live["bytes"].number);
    auto before = find(doc, engine, "overwrite")["space"]["bytes_on_disk"].count();
    if (engine == "kepler") {
      // Two versions of every key before, one after; the tables' indexes, filters and the
      // MANIFEST weigh more at this size than at a million keys.
      CHECK(live["bytes_on_disk"].count() < before);
      CHECK(live["disk_per_live"].number < 1.5);
    }
    MESSAGE(engine << ": " << before << " bytes on disk after overwrite, "
                   << live["bytes_on_disk"].count() << " after compact, live "
                   << live["bytes"].count() << ": disk/live " << live["disk_per_live"].number);
  }
}

TEST_CASE("with --compression and --compression_ratio=0.5 the compressing engines store less") {
  constexpr std::uint64_t n = 3000;
  std::map<std::string, std::map<std::string, double>> on_disk;  // codec -> engine -> bytes
  for (std::string codec : {"none", "lz4", "zstd"}) {
    CAPTURE(codec);
    auto doc = run({"--engine=all", "--num=" + std::to_string(n), "--memtable_bytes=65536",
                    "--benchmarks=fillrandom,compact", "--compression=" + codec,
                    "--compression_ratio=0.5"});
    for (auto& engine : kepler::bench::available_engines()) {
      CAPTURE(engine);
      auto& r = find(doc, engine, "compact");
      CHECK(r["error"].string == "");
      REQUIRE(r.has("live"));
      CHECK(r["live"]["entries"].count() == n);
      on_disk[codec][engine] = r["live"]["bytes_on_disk"].number;
      MESSAGE(codec << ", " << engine << ": disk/live " << r["live"]["disk_per_live"].number);
    }
  }
  for (auto& engine : kepler::bench::available_engines()) {
    if (engine == "lmdb") continue;  // LMDB never compresses
    CAPTURE(engine);
    CHECK(on_disk["lz4"][engine] < 0.9 * on_disk["none"][engine]);
    CHECK(on_disk["zstd"][engine] < 0.9 * on_disk["none"][engine]);
  }
}

TEST_CASE("--async writes through the db actor, and name@T gives a workload its own threads") {
  auto doc =
      run({"--engine=all", "--num=" + std::to_string(num), "--sync_num=" + std::to_string(sync_num),
           "--benchmarks=fillrandom,fillrandom@3", "--async=8"});
  for (auto& engine : kepler::bench::available_engines()) {
    CAPTURE(engine);
    for (auto* w : {"fillrandom", "fillrandom@3", "fillasync", "fillsyncasync"}) {
      CAPTURE(w);
      CHECK(find(doc, engine, w)["error"].string == "");
    }
    CHECK(find(doc, engine, "fillrandom@3")["ops"].count() == num);
    auto& async = find(doc, engine, "fillasync");
    auto& sync = find(doc, engine, "fillsyncasync");
    CHECK(async["ops"].count() == num);
    if (engine == "kepler") {
      // Through the db actor, 8 in flight; 8 x --sync_num sync writes.
      CHECK(count(async, "in_flight") == 8);
      CHECK(sync["ops"].count() == 8 * sync_num);
    } else {
      // The peers' single-thread figure beside it.
      CHECK(count(async, "blocking_threads") == 1);
      CHECK(sync["ops"].count() == sync_num);
    }
  }
  // Every write was acknowledged and is there: read back through the blocking API.
  kepler::test::temp_dir dir("kepler-bench-async");
  std::FILE* out = std::fopen("/dev/null", "w");
  REQUIRE(kepler::bench::run_bench({"--engine=kepler", "--num=" + std::to_string(num),
                                    "--benchmarks=fillasync", "--db=" + dir.path()},
                                   out) == 0);
  REQUIRE(kepler::bench::run_bench(
              {"--engine=kepler", "--num=" + std::to_string(num), "--benchmarks=readrandom",
               "--use_existing_db=1", "--db=" + dir.path(), "--json=" + dir.file("r.json")},
              out) == 0);
  std::fclose(out);
  std::ifstream in(dir.file("r.json"));
  std::stringstream text;
  text << in.rdbuf();
  auto reads_doc = json::parse(text.str());
  auto found = count(find(reads_doc, "kepler", "readrandom"), "found");
  MESSAGE("after fillasync of " << num << " keys, readrandom found " << found << " of " << num);
  CHECK(found == num);
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
  for (auto* bad :
       {"--num=0", "--num=ten", "--threads=0", "--engine=sqlite", "--sync=maybe",
        "--benchmarks=fillseq,nosuch", "--key_size=4", "--no_such_flag=1", "num=5",
        "--json=", "--key_size=8 --num=100000000", "--compression=snappy", "--compression_ratio=0",
        "--compression_ratio=1.5", "--compression_ratio=x", "--compression_ratio",
        "--benchmarks=fillrandom@0", "--benchmarks=fillrandom@x", "--async=0"}) {
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
                     "--seek_nexts",
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
                     "--compression",
                     "--compression_ratio",
                     "--async",
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

TEST_CASE("every engine's iterator walks its keys in order both ways and seeks to the next key") {
  constexpr std::uint64_t keys = 1000;  // even indexes are written, odd ones are not
  for (auto& engine : kepler::bench::available_engines()) {
    CAPTURE(engine);
    kepler::test::temp_dir dir("kepler-bench-iterator");
    kepler::bench::engine_settings settings;
    settings.dir = dir.path();
    settings.memtable_bytes = 64 << 10;  // several flushes: the iterator merges tables
    std::string error;
    auto db = kepler::bench::open_engine(engine, settings, &error);
    REQUIRE_MESSAGE(db, error);
    auto key = [](std::uint64_t i) {
      return kepler::bench::make_key(kepler::bench::key_space::fill, i, 16);
    };
    kepler::bench::value_pool values(100);
    for (std::uint64_t i = 0; i < keys; i += 2)
      REQUIRE(db->put(key(keys - 2 - i), values.value(i), false).empty());
    for (std::uint64_t i = 0; i < keys; i += 8)
      REQUIRE(db->put(key(i), values.value(i + 1), false).empty());  // newer versions
    for (std::uint64_t i = 4; i < keys; i += 100) REQUIRE(db->remove(key(i), false).empty());
    for (bool compacted : {false, true}) {
      CAPTURE(compacted);
      if (compacted) REQUIRE(db->compact_all().empty());
      auto live = [&](std::uint64_t i) { return i % 2 == 0 && i % 100 != 4; };
      auto it = db->new_iterator();
      std::uint64_t expected = 0, seen = 0;
      for (it->seek_to_first(); it->valid(); it->next(), ++seen, ++expected) {
        while (!live(expected)) ++expected;
        REQUIRE(it->key() == key(expected));
        CHECK(it->value() == values.value(expected % 8 == 0 ? expected + 1 : keys - 2 - expected));
      }
      CHECK(it->status().empty());
      std::uint64_t backwards = 0;
      for (it->seek_to_last(); it->valid(); it->prev()) ++backwards;
      CHECK(backwards == seen);
      CHECK(seen == keys / 2 - keys / 100);
      it->seek(key(5));  // missing: lands on the next written key
      REQUIRE(it->valid());
      CHECK(it->key() == key(6));
      it->seek(key(4));  // removed
      REQUIRE(it->valid());
      CHECK(it->key() == key(6));
      it->seek(key(keys));  // past the last
      CHECK_FALSE(it->valid());
      CHECK(it->status().empty());
      auto stats = db->stats();
      CHECK_FALSE(stats.empty());
      CHECK(stats.find('\n') == std::string::npos);
    }
  }
}
