#pragma once
// The crash tests' parent side: runs the writer child (crash_writer.cpp) until it is killed,
// with SIGKILL from here or by itself at a whitebox kill point, reads back what it acknowledged,
// and checks a reopened store against a model of every acknowledged write.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crash/crash_workload.hpp"
#include "kepler/db.hpp"

namespace kepler::test::crash {

struct child_run {
  std::uint64_t last_acked = 0;  // highest op the child reported (first_op - 1 if none)
  bool reported_any = false;
  bool killed_itself = false;  // died of SIGKILL before we sent one (a kill point)
  std::string failure;
};

/// How the child runs.
struct child_options {
  /// 0: the store's defaults. Small values make every run flush and roll its MANIFEST.
  std::uint64_t memtable_bytes = 0;
  std::uint64_t manifest_bytes = 0;
  /// A whitebox kill point (storage_format/util/kill_point.hpp) the child dies at, after
  /// passing it `kill_skip` times; empty for none.
  std::string kill_point;
  long kill_skip = 0;
  /// Keep running (up to `max_wait`) until the child has made a table file numbered above
  /// `tables_above`, so that the run is sure to have flushed.
  bool wait_for_flush = false;
  std::uint64_t tables_above = 0;
  std::chrono::milliseconds max_wait{10000};
  /// When given, asked about every millisecond with what the child has acknowledged so far:
  /// true kills it at once (before `run_for` is up).
  std::function<bool(const child_run&)> kill_when;
};

/// The highest table file number in `dir`, 0 for none.
inline std::uint64_t highest_table(const std::string& dir) {
  std::uint64_t highest = 0;
  std::error_code missing;
  for (auto& entry : std::filesystem::directory_iterator(dir, missing)) {
    auto name = entry.path().filename().string();
    if (entry.path().extension() != ".sst") continue;
    highest = std::max<std::uint64_t>(highest, std::strtoull(name.c_str(), nullptr, 10));
  }
  return highest;
}

/// Table files in `dir` numbered above `after`.
inline std::uint64_t tables_after(const std::string& dir, std::uint64_t after) {
  std::uint64_t n = 0;
  std::error_code missing;
  for (auto& entry : std::filesystem::directory_iterator(dir, missing))
    if (entry.path().extension() == ".sst" &&
        std::strtoull(entry.path().filename().string().c_str(), nullptr, 10) > after)
      ++n;
  return n;
}

/// Runs the writer from `first_op`, kills it after `run_for` (unless it died first), returns
/// what it acknowledged. `on_first_ack`, when given, runs once the child has acknowledged its
/// first write (so it holds the store open), with the child's process id.
inline child_run run_and_kill(const std::string& dir, std::uint64_t seed, std::uint64_t first_op,
                              std::chrono::milliseconds run_for, const child_options& opts = {},
                              const std::function<void(pid_t)>& on_first_ack = {}) {
  child_run result;
  result.last_acked = first_op - 1;
  // Everything the child needs is built before fork: after it, the child only execs.
  std::vector<std::string> args = {KEPLER_CRASH_WRITER, dir, std::to_string(seed),
                                   std::to_string(first_op)};
  if (opts.memtable_bytes != 0) {
    args.push_back(std::to_string(opts.memtable_bytes));
    args.push_back(std::to_string(opts.manifest_bytes));
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  if (!opts.kill_point.empty()) {
    env.push_back("KEPLER_KILL_POINT=" + opts.kill_point);
    env.push_back("KEPLER_KILL_POINT_SKIP=" + std::to_string(opts.kill_skip));
  }
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  int out[2];
  REQUIRE(::pipe(out) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string pending;
  auto consume = [&](bool until_eof) {
    char buf[4096];
    for (;;) {
      pollfd p{out[0], POLLIN, 0};
      int timeout_ms = until_eof ? 1000 : 0;
      if (::poll(&p, 1, timeout_ms) <= 0) return;
      auto n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) return;
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        result.last_acked = std::strtoull(pending.substr(0, nl).c_str(), nullptr, 10);
        result.reported_any = true;
        pending.erase(0, nl + 1);
      }
    }
  };
  const auto start = std::chrono::steady_clock::now();
  auto deadline = start + run_for;
  bool first_ack_seen = false;
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    bool flushed = !opts.wait_for_flush || highest_table(dir) > opts.tables_above ||
                   now > start + opts.max_wait;
    if (now >= deadline && flushed) break;
    consume(false);
    if (opts.kill_when && opts.kill_when(result)) break;
    if (on_first_ack && !first_ack_seen && result.reported_any) {
      first_ack_seen = true;
      on_first_ack(pid);
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && !opts.kill_point.empty())
        result.killed_itself = true;
      else
        result.failure = "the writer exited early with status " + std::to_string(status);
      consume(true);
      ::close(out[0]);
      return result;
    }
    ::usleep(1000);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  consume(true);  // acknowledgements written before the kill are still in the pipe
  ::close(out[0]);
  return result;
}

struct tally {
  std::uint64_t cycles = 0, acked = 0, lost_acked = 0, phantom = 0, in_flight_landed = 0;
  std::uint64_t tables_made = 0, cycles_without_flush = 0;
  /// Cycles in which the child installed a compaction (a newer table below level 0).
  std::uint64_t cycles_with_compaction = 0;
  std::uint64_t newest_deep_table = 0;
};

/// The highest number of a table below level 0 (a compaction's output), 0 when there is none.
inline std::uint64_t newest_compacted_table(kepler::db& store) {
  auto tables = store.property("kepler.sstables");
  REQUIRE_MESSAGE(tables, kepler::to_string(tables.error()));
  std::uint64_t newest = 0;
  std::istringstream lines(*tables);
  std::string word;
  int level = 0;
  std::uint64_t number = 0;
  // "level N table M ..." per line.
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    if (in >> word >> level >> word >> number && level > 0 && number > newest) newest = number;
  }
  return newest;
}

// The model: each key's last acknowledged value (nullopt: absent).
using model = std::map<std::string, std::optional<std::string>>;

/// Checks the reopened store against the model and the one operation that may have been in
/// flight (`maybe`), then folds that operation into the model if it landed.
inline void check_store(kepler::db& store, model& expected, const operation& maybe, tally& t) {
  std::map<std::string, std::optional<std::string>> in_flight;
  for (auto& e : maybe.effects) in_flight[e.key] = e.value;
  int landed = 0, not_landed = 0;
  for (std::uint64_t k = 0; k < key_space; ++k) {
    auto key = key_name(k);
    auto got = store.get(key);
    REQUIRE_MESSAGE(got, kepler::to_string(got.error()));
    auto want = expected.count(key) ? expected[key] : std::nullopt;
    bool matches_old = *got == want;
    auto it = in_flight.find(key);
    bool matches_new = it != in_flight.end() && *got == it->second;
    if (matches_old && matches_new) continue;
    if (matches_new) {
      ++landed;
      continue;
    }
    if (matches_old) {
      if (it != in_flight.end()) ++not_landed;
      continue;
    }
    // Neither what was acknowledged nor what was in flight.
    if (*got && !op_of(**got, k)) {
      ++t.phantom;
    } else if (!*got || (want && op_of(**got, k) < op_of(*want, k))) {
      ++t.lost_acked;
      MESSAGE("lost acknowledged write of key #" << k);
    } else {
      ++t.phantom;
      MESSAGE("phantom value for key #" << k);
    }
  }
  // A batch lands whole or not at all.
  if (landed > 0 && not_landed > 0) ++t.phantom;
  if (landed > 0) {
    ++t.in_flight_landed;
    for (auto& [key, value] : in_flight) expected[key] = value;
  }
}

/// One cycle: run the child from `*next_op`, fold what it acknowledged into `expected`, reopen
/// and check the store, count the table files the child made. Returns the child's run.
inline child_run run_cycle(const std::string& dir, std::uint64_t seed, std::uint64_t* next_op,
                           std::chrono::milliseconds run_for, child_options opts, model& expected,
                           tally& t) {
  auto before = highest_table(dir);
  opts.tables_above = before;
  auto run = run_and_kill(dir, seed, *next_op, run_for, opts);
  REQUIRE_MESSAGE(run.failure.empty(), run.failure);
  auto made = tables_after(dir, before);
  t.tables_made += made;
  if (made == 0) ++t.cycles_without_flush;
  // Every reported operation is acknowledged: fold them into the model.
  for (auto i = *next_op; i <= run.last_acked; ++i) {
    for (auto& e : make_operation(seed, i).effects) expected[e.key] = e.value;
    ++t.acked;
  }
  auto maybe = make_operation(seed, run.last_acked + 1);
  // The check compacts nothing itself, so a newer table below level 0 is the child's work.
  kepler::options check_opts;
  check_opts.l0_compaction_trigger = check_opts.l0_slowdown_trigger = check_opts.l0_stop_trigger =
      1 << 20;
  auto store = kepler::db::open(dir, check_opts);
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  check_store(**store, expected, maybe, t);
  auto compacted = newest_compacted_table(**store);
  if (compacted > t.newest_deep_table) {
    ++t.cycles_with_compaction;
    t.newest_deep_table = compacted;
  }
  REQUIRE((*store)->close());
  ++t.cycles;
  // Numbers are never reused: the op that may have landed keeps its number.
  *next_op = run.last_acked + 2;
  return run;
}

}  // namespace kepler::test::crash
