// The one-shot store commands of the kepler CLI: dump and load round trips, the read-only
// commands leaving the store's files untouched, exit codes and usage errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "cli/cli_process.hpp"
#include "kepler/db.hpp"
#include "test_dir.hpp"

using kepler::test::cli_result;
using kepler::test::run_cli;
using kepler::test::temp_dir;

namespace {

std::string random_bytes(std::mt19937& rng, std::size_t min_len, std::size_t max_len) {
  std::string s(min_len + rng() % (max_len - min_len + 1), '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// Every pair of the store in `dir`, read through the library.
std::map<std::string, std::string> contents(const std::string& dir) {
  std::map<std::string, std::string> all;
  kepler::options opts;
  opts.read_only = true;
  auto store = kepler::db::open(dir, opts);
  REQUIRE(store);
  auto it = (*store)->new_iterator();
  REQUIRE(it);
  for ((*it)->seek_to_first(); (*it)->valid(); (*it)->next())
    all.emplace(std::string((*it)->key()), std::string((*it)->value()));
  REQUIRE((*it)->status());
  return all;
}

// Every file of `dir` by name, with its bytes.
std::map<std::string, std::string> files_of(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    files.emplace(e.path().filename().string(), kepler::test::read_whole_file(e.path().string()));
  return files;
}

// A store of `n` random binary pairs (keys 1..32 bytes, values 0..100), some in tables at
// level 0 and below, the rest in the log.
std::map<std::string, std::string> fill(const std::string& dir, std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::map<std::string, std::string> want;
  kepler::options opts;
  opts.create_if_missing = true;
  opts.memtable_bytes = 1 << 20;
  auto store = kepler::db::open(dir, opts);
  REQUIRE(store);
  kepler::write_batch batch;
  while (want.size() < n) {
    std::string k = random_bytes(rng, 1, 32), v = random_bytes(rng, 0, 100);
    if (!want.emplace(k, v).second) continue;  // n distinct keys
    batch.insert(k, v);
    if (batch.count() == 1000) {
      REQUIRE((*store)->write(batch));
      batch.clear();
    }
  }
  REQUIRE((*store)->write(batch));
  REQUIRE((*store)->close());
  return want;
}

}  // namespace

TEST_CASE("kepler dump then kepler load round-trips 100k random binary pairs in every form") {
  temp_dir src("kepler-dump-src");
  auto want = fill(src.path(), 100000, 42);
  for (std::string form : {"", "--hex", "--json"}) {
    CAPTURE(form);
    std::vector<std::string> dump_args = {"dump", src.path()};
    std::vector<std::string> load_args = {"load"};
    temp_dir dst("kepler-dump-dst");
    load_args.push_back(dst.path());
    if (!form.empty()) {
      dump_args.emplace_back(form);
      load_args.emplace_back(form);
    }
    cli_result dumped = run_cli(dump_args);
    REQUIRE(dumped.exit_code == 0);
    CHECK(dumped.err.empty());
    auto lines = kepler::test::lines_of(dumped.out);
    CHECK(lines.size() == want.size());
    cli_result loaded = run_cli(load_args, dumped.out);
    REQUIRE(loaded.exit_code == 0);
    CHECK(loaded.err == "kepler: loaded " + std::to_string(want.size()) + " pairs\n");
    auto got = contents(dst.path());
    std::size_t same = 0;
    for (const auto& [k, v] : want) same += got.count(k) && got[k] == v;
    CHECK(got.size() == want.size());
    CHECK(same == want.size());
    // The new store dumps to the same bytes.
    CHECK(run_cli(dump_args).out.size() == dumped.out.size());
    dump_args[1] = dst.path();
    CHECK(run_cli(dump_args).out == dumped.out);
    MESSAGE("form " << (form.empty() ? "escaped" : form) << ": pairs " << want.size()
                    << ", dump bytes " << dumped.out.size() << ", identical after load " << same);
  }
}

TEST_CASE("kepler load refuses a bad line with its number and keeps the lines before it") {
  temp_dir dir("kepler-load-bad");
  auto r = run_cli({"load", dir.path()}, "a\t1\nb\t2\nno tab\nc\t3\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("kepler: line 3: no tab between the key and the value") == 0);
  auto got = contents(dir.path());
  CHECK(got == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
  CHECK(run_cli({"load", dir.path(), "--hex"}, "zz\t00\n").exit_code == 1);
  CHECK(run_cli({"load", dir.path(), "--raw"}, "a\tb\n").exit_code == 2);  // no raw form
}

TEST_CASE("kepler stats and dump leave every file of the store byte for byte as it was") {
  temp_dir dir("kepler-readonly");
  fill(dir.path(), 20000, 7);
  {
    // A log with writes not yet flushed, so the read-only open replays something.
    auto store = kepler::db::open(dir.path());
    REQUIRE(store);
    REQUIRE((*store)->insert("tail", "in the log"));
    REQUIRE((*store)->close());
  }
  auto before = files_of(dir.path());
  auto stats = run_cli({"stats", dir.path()});
  CHECK(stats.exit_code == 0);
  CHECK(stats.out.find("total") != std::string::npos);
  auto dump = run_cli({"dump", dir.path(), "--from", "t", "--to", "u"});
  CHECK(dump.exit_code == 0);
  CHECK(dump.out.find("tail\tin the log\n") != std::string::npos);
  for (const char* cmd : {"scan", "count"}) CHECK(run_cli({cmd, dir.path()}).exit_code == 0);
  auto after = files_of(dir.path());
  CHECK(after.size() == before.size());
  std::size_t same = 0;
  for (const auto& [name, bytes] : before) same += after.count(name) && after[name] == bytes;
  CHECK(same == before.size());
  MESSAGE("files unchanged after stats, dump, scan and count: " << same << " of " << before.size());
}

TEST_CASE("the one-shot commands print, exit 0, 1 or 2, and escape binary keys") {
  temp_dir dir("kepler-oneshot");
  CHECK(run_cli({"put", dir.path(), "k1", "v1"}).exit_code == 0);
  CHECK(run_cli({"put", "--hex-args", dir.path(), "00ff", "0a09"}).exit_code == 0);
  CHECK(run_cli({"put", "--no-sync", dir.path(), "k2", "v2"}).exit_code == 0);
  auto get = run_cli({"get", dir.path(), "k1"});
  CHECK(get.exit_code == 0);
  CHECK(get.out == "v1\n");
  CHECK(run_cli({"get", "--hex-args", dir.path(), "00ff"}).out == "\\x0a\\x09\n");
  CHECK(run_cli({"get", "--hex-args", "--hex", dir.path(), "00ff"}).out == "0a09\n");
  CHECK(run_cli({"get", "--hex-args", "--json", dir.path(), "00ff"}).out == "\"\\u000a\\u0009\"\n");
  CHECK(run_cli({"get", "--hex-args", "--raw", dir.path(), "00ff"}).out == "\n\t\n");
  auto missing = run_cli({"get", dir.path(), "nope"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "kepler: nope: not found\n");
  CHECK(run_cli({"scan", dir.path()}).out == "\\x00\\xff\t\\x0a\\x09\nk1\tv1\nk2\tv2\n");
  CHECK(run_cli({"scan", dir.path(), "k", "k2"}).out == "k1\tv1\n");
  CHECK(run_cli({"scan", dir.path(), "--limit", "1"}).out == "\\x00\\xff\t\\x0a\\x09\n");
  CHECK(run_cli({"prefix", dir.path(), "k"}).out == "k1\tv1\nk2\tv2\n");
  CHECK(run_cli({"count", dir.path()}).out == "3\n");
  CHECK(run_cli({"count", dir.path(), "k1"}).out == "2\n");
  CHECK(run_cli({"del", dir.path(), "k1"}).exit_code == 0);
  CHECK(run_cli({"count", dir.path()}).out == "2\n");
  auto compact = run_cli({"compact", dir.path()});
  CHECK(compact.exit_code == 0);
  CHECK(compact.out.find("compacted") == 0);

  // Usage errors exit 2 with a "kepler:" line; help exits 0 and lists every command.
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{},
                                             {"frob"},
                                             {"get"},
                                             {"get", dir.path()},
                                             {"put", dir.path(), "k"},
                                             {"scan", "--limit", "x", dir.path()},
                                             {"get", "--raw", "--hex", dir.path(), "k"}}) {
    auto r = run_cli(bad);
    CHECK(r.exit_code == 2);
    CHECK(r.err.rfind("kepler: ", 0) == 0);
  }
  CHECK(run_cli({"get", "--hex-args", dir.path(), "zz"}).exit_code == 2);
  auto help = run_cli({"--help"});
  CHECK(help.exit_code == 0);
  for (const char* cmd : {"demo", "get", "put", "del", "scan", "prefix", "count", "stats",
                          "compact", "dump", "load", "shell"})
    CHECK(help.out.find(std::string("  ") + cmd + " ") != std::string::npos);
  auto scan_help = run_cli({"scan", "--help"});
  CHECK(scan_help.exit_code == 0);
  CHECK(scan_help.out.find("--limit") != std::string::npos);
  // A missing store is an operation failure, not created by a read.
  auto absent = run_cli({"get", dir.file("absent"), "k"});
  CHECK(absent.exit_code == 1);
  CHECK_FALSE(std::filesystem::exists(dir.file("absent")));
}

TEST_CASE("kepler repair saves the readable part of a damaged store into a new one") {
  temp_dir dir("kepler-repair-src");
  temp_dir saved("kepler-repair-dst");
  constexpr int n = 3000;
  {
    kepler::options opts;
    opts.compression = kepler::compression_type::none;
    opts.memtable_bytes = 64 * 1024;
    opts.target_file_size = 64 * 1024;
    auto store = kepler::db::open(dir.path(), opts);
    REQUIRE(store);
    for (int i = 0; i < n; ++i)
      REQUIRE((*store)->insert("key" + std::to_string(i), "value" + std::to_string(i)));
    REQUIRE((*store)->compact_range(std::nullopt, std::nullopt));
    REQUIRE((*store)->close());
  }
  std::string damaged;
  for (const auto& [name, bytes] : files_of(dir.path()))
    if (damaged.empty() && name.size() > 4 && name.substr(name.size() - 4) == ".sst")
      damaged = name;
  REQUIRE_FALSE(damaged.empty());
  {
    std::fstream f(dir.file(damaged), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a');
  }
  auto before = files_of(dir.path());
  auto r = run_cli({"repair", dir.path(), saved.path()});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("lost: ") != std::string::npos);
  CHECK(r.out.find(damaged) != std::string::npos);
  CHECK(r.out.find("saved ") != std::string::npos);
  MESSAGE(r.out);
  // The damaged store is left as it was; the saved one is sound and holds only right values.
  CHECK(files_of(dir.path()) == before);
  auto got = contents(saved.path());
  std::size_t wrong = 0;
  for (const auto& [k, v] : got) wrong += v != "value" + k.substr(3);
  CHECK(wrong == 0);
  CHECK(got.size() > 0);
  CHECK(got.size() < static_cast<std::size_t>(n));
  kepler::options strict;
  strict.recovery_mode = kepler::recovery_mode::absolute;
  auto reopened = kepler::db::open(saved.path(), strict);
  CHECK(reopened);
  MESSAGE("repair kept " << got.size() << " of " << n << " keys, 0 wrong");
  // A target that already holds files is refused.
  CHECK(run_cli({"repair", dir.path(), saved.path()}).exit_code == 1);
  // So is one inside the damaged store, which must stay as it was.
  CHECK(run_cli({"repair", dir.path(), dir.file("saved")}).exit_code == 1);
  CHECK_FALSE(std::filesystem::exists(dir.file("saved")));
}
