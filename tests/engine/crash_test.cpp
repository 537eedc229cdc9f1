// Crash recovery: a child process writes (sync and non-sync, single and batched) and reports
// each acknowledged operation; it is killed with SIGKILL at a random moment, the store is
// reopened and every key checked against what was acknowledged.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crash/crash_workload.hpp"
#include "kepler/db.hpp"
#include "test_dir.hpp"

using namespace kepler::test::crash;

namespace {

struct child_run {
  std::uint64_t last_acked = 0;  // highest op the child reported (first_op - 1 if none)
  bool reported_any = false;
  std::string failure;
};

// Runs the writer from `first_op`, kills it after `run_for`, returns what it acknowledged.
// `on_first_ack`, when given, runs once the child has acknowledged its first write (so it holds
// the store open), with the child's process id.
child_run run_and_kill(const std::string& dir, std::uint64_t seed, std::uint64_t first_op,
                       std::chrono::milliseconds run_for,
                       const std::function<void(pid_t)>& on_first_ack = {}) {
  child_run result;
  result.last_acked = first_op - 1;
  int out[2];
  REQUIRE(::pipe(out) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    auto seed_s = std::to_string(seed);
    auto first_s = std::to_string(first_op);
    ::execl(KEPLER_CRASH_WRITER, KEPLER_CRASH_WRITER, dir.c_str(), seed_s.c_str(), first_s.c_str(),
            static_cast<char*>(nullptr));
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
  auto deadline = std::chrono::steady_clock::now() + run_for;
  bool first_ack_seen = false;
  while (std::chrono::steady_clock::now() < deadline) {
    consume(false);
    if (on_first_ack && !first_ack_seen && result.reported_any) {
      first_ack_seen = true;
      on_first_ack(pid);
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
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
};

// The model: each key's last acknowledged value (nullopt: absent).
using model = std::map<std::string, std::optional<std::string>>;

// Checks the reopened store against the model and the one operation that may have been in
// flight (`maybe`), then folds that operation into the model if it landed.
void check_store(kepler::db& store, model& expected, const operation& maybe, tally& t) {
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

}  // namespace

TEST_CASE("kill -9 at a random moment loses no acknowledged write and invents none") {
  kepler::test::temp_dir dir("kepler-crash");
  int cycles = 20;
  if (auto env = std::getenv("KEPLER_CRASH_CYCLES")) cycles = std::atoi(env);
  std::uint64_t seed = std::random_device{}();
  if (auto env = std::getenv("KEPLER_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  MESSAGE("seed " << seed << " (KEPLER_CRASH_SEED reruns it), " << cycles << " cycles");
  std::mt19937_64 rng(seed);
  model expected;
  tally t;
  std::uint64_t next_op = 1;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    auto run_for = std::chrono::milliseconds(100 + rng() % 400);
    auto run = run_and_kill(dir.path(), seed, next_op, run_for);
    REQUIRE_MESSAGE(run.failure.empty(), run.failure);
    // Every reported operation is acknowledged: fold them into the model.
    for (auto i = next_op; i <= run.last_acked; ++i) {
      for (auto& e : make_operation(seed, i).effects) expected[e.key] = e.value;
      ++t.acked;
    }
    auto maybe = make_operation(seed, run.last_acked + 1);
    auto store = kepler::db::open(dir.path());
    REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
    check_store(**store, expected, maybe, t);
    REQUIRE((*store)->close());
    ++t.cycles;
    // Numbers are never reused: the op that may have landed keeps its number.
    next_op = run.last_acked + 2;
  }
  MESSAGE("cycles=" << t.cycles << " acked=" << t.acked << " lost_acked=" << t.lost_acked
                    << " phantom=" << t.phantom << " in_flight_landed=" << t.in_flight_landed);
  std::printf("crash test: cycles=%llu acked=%llu lost_acked=%llu phantom=%llu\n",
              static_cast<unsigned long long>(t.cycles), static_cast<unsigned long long>(t.acked),
              static_cast<unsigned long long>(t.lost_acked),
              static_cast<unsigned long long>(t.phantom));
  CHECK(t.cycles == static_cast<std::uint64_t>(cycles));
  CHECK(t.acked > 0);
  CHECK(t.lost_acked == 0);
  CHECK(t.phantom == 0);
}

TEST_CASE("a store another process has open is refused as locked, naming that process") {
  kepler::test::temp_dir dir("kepler-lock");
  bool checked = false;
  auto run = run_and_kill(dir.path(), 1, 1, std::chrono::milliseconds(3000), [&](pid_t child) {
    auto second = kepler::db::open(dir.path());
    REQUIRE_FALSE(second);
    CHECK(second.error().code() == static_cast<std::uint8_t>(kepler::ec::locked));
    auto text = kepler::to_string(second.error());
    MESSAGE(text);
    CHECK(text.find("locked by process " + std::to_string(child)) != std::string::npos);
    checked = true;
  });
  REQUIRE_MESSAGE(run.failure.empty(), run.failure);
  CHECK(checked);
  // Once the holder is gone, the store opens.
  auto store = kepler::db::open(dir.path());
  CHECK(store);
}
