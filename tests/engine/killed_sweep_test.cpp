// The corruption sweep on a store that was really killed mid-write: the crash writer child
// (crash_writer.cpp) runs the deterministic workload with a small memtable and MANIFEST until
// the store holds at least two table files, a closed log, the newest log, a MANIFEST and
// CURRENT, and is then killed with SIGKILL. Every file of that store is damaged (bytes flipped
// with xor 0x01 and 0xff, cuts) on a fresh copy, each image opened in each recovery mode with
// the plain recovery entry (no actor system) and read whole (damage_sweep.hpp, shared with
// corruption_sweep_test.cpp). The state read back must be the state after a prefix of the
// operations: in every mode but salvage, the full undamaged state when the damage is in synced
// data (a table, the closed log, the MANIFEST, CURRENT), and when it is in the newest log the
// operations before the damage and at most those it held, fewer only with dropped bytes
// reported (or a cut at a record's end, which leaves a shorter log that looks whole);
// tolerate_tail drops only an incomplete last record, absolute nothing; salvage never gives a
// value that was not written or a key never written. Otherwise a clear error naming the file,
// at open or on the read that met the damage. The default run samples offsets, the soak tier
// (KEPLER_SOAK=1) takes every one.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crash/crash_harness.hpp"
#include "damage_sweep.hpp"
#include "soak_mode.hpp"
#include "storage_format/log/log_reader.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/version/file_names.hpp"
#include "test_dir.hpp"

namespace fs = std::filesystem;
namespace st = kepler::storage;
using namespace kepler::test::sweep;
using kepler::test::temp_dir;
namespace crash = kepler::test::crash;

namespace {

// Small enough that a few hundred operations flush several tables and roll the MANIFEST, and
// that the store stays small enough to sweep.
constexpr std::uint64_t sweep_memtable_bytes = 8 * 1024;
constexpr std::uint64_t sweep_manifest_bytes = 4 * 1024;
constexpr std::uint64_t min_acked = 150;

// One record of a file in the log format: where its first fragment starts and where it ends.
struct record_span {
  std::uint64_t start = 0, end = 0;
  st::sequence_number first = 0;
  std::uint32_t count = 0;
};

std::vector<record_span> read_records(const std::string& path) {
  std::unique_ptr<st::readable_file> file;
  REQUIRE(st::file_system::posix()->new_readable_file(path, &file).is_ok());
  st::log::reader reader(file.get());
  std::vector<record_span> spans;
  std::string record;
  std::uint64_t offset = 0;
  while (reader.read_record(&record, &offset)) {
    record_span s;
    s.start = offset;
    s.end = reader.last_record_end();
    if (record.size() >= st::batch::header_size) {
      s.first = st::batch::sequence(record);
      s.count = st::batch::count(record);
    }
    spans.push_back(s);
  }
  return spans;
}

// The killed store, and what the workload's operations left in it.
struct killed_store {
  std::uint64_t seed = 0;
  std::uint64_t acked = 0;   // operations 1..acked were acknowledged
  std::uint64_t full = 0;    // the undamaged store holds operations 1..full (acked or acked+1)
  std::uint64_t in_log = 0;  // operations in_log..full are in the newest log, the rest synced
  std::string newest_log;    // its file name
  std::vector<record_span> newest_records;  // its records, operation in_log + i at i
  std::uint64_t newest_size = 0;
  std::uint64_t manifest_last_record = 0;    // where the MANIFEST's last record starts
  std::map<std::string, std::string> files;  // name -> bytes
  std::map<std::string, file_type> types;
  // ops[i]: operation i's net effect per key (a later effect on the same key wins); ops[0] empty.
  std::vector<std::map<std::string, std::optional<std::string>>> ops;
};

using state = std::map<std::string, std::optional<std::string>>;

// The keys the workload writes, in key_name order.
std::vector<std::string> all_keys() {
  std::vector<std::string> keys;
  for (std::uint64_t k = 0; k < crash::key_space; ++k) keys.push_back(crash::key_name(k));
  return keys;
}

// The prefixes of the operations whose state equals `got` (on the keys `got` holds):
// matches[p] for p in 0..ops.size()-1.
std::vector<bool> matching_prefixes(const killed_store& ks, const state& got) {
  state now;  // absent keys are missing from `now`
  auto value_now = [&](const std::string& k) -> std::optional<std::string> {
    auto it = now.find(k);
    return it == now.end() ? std::nullopt : it->second;
  };
  std::size_t mismatched = 0;
  for (const auto& [k, v] : got)
    if (v) ++mismatched;
  std::vector<bool> matches(ks.ops.size(), false);
  matches[0] = mismatched == 0;
  for (std::size_t p = 1; p < ks.ops.size(); ++p) {
    for (const auto& [k, v] : ks.ops[p]) {
      auto g = got.find(k);
      if (g != got.end()) {
        bool before = value_now(k) == g->second;
        bool after = v == g->second;
        if (before && !after) ++mismatched;
        if (!before && after) --mismatched;
      }
      now[k] = v;
    }
    matches[p] = mismatched == 0;
  }
  return matches;
}

// Whether `v` is a value operation 1..`upto` wrote to key `k`.
bool written(const killed_store& ks, std::uint64_t k, const std::string& v, std::uint64_t upto) {
  auto op = crash::op_of(v, k);
  if (!op || *op == 0 || *op > upto || *op >= ks.ops.size()) return false;
  auto e = ks.ops[*op].find(crash::key_name(k));
  return e != ks.ops[*op].end() && e->second == v;
}

// Whether the live store in `dir` holds two table files or more and, besides its newest log,
// only logs its MANIFEST records as closed (at least one): the moment to kill the writer. Asked
// while the writer runs, so anything half made is simply not ready yet.
bool layout_ready(const std::string& dir) {
  auto& fsys = *st::file_system::posix();
  int tables = 0;
  std::vector<std::uint64_t> logs;
  std::error_code missing;
  for (auto& e : fs::directory_iterator(dir, missing)) {
    std::uint64_t number = 0;
    auto kind = st::parse_file_name(e.path().filename().string(), &number);
    tables += kind == st::file_kind::table;
    if (kind == st::file_kind::log) logs.push_back(number);
  }
  if (tables < 2 || logs.size() < 2) return false;
  std::sort(logs.begin(), logs.end());
  std::uint64_t manifest = 0;
  if (!st::read_current(fsys, dir, &manifest).is_ok()) return false;
  st::version_edit state;
  st::version_set versions;
  st::recovery_stats stats;
  if (!st::replay_manifest(fsys, st::join_path(dir, st::manifest_file_name(manifest)),
                           st::recovery_mode::point_in_time, &state, &versions, &stats)
           .is_ok())
    return false;
  for (std::size_t i = 0; i + 1 < logs.size(); ++i)
    if (logs[i] < versions.log_number() || !versions.closed_logs().count(logs[i])) return false;
  return true;
}

// Runs the writer on a fresh store in `dir` and kills it once it holds the layout the sweep
// needs. Returns false when the kill came at a moment without it (the caller tries again).
bool kill_writer(const std::string& dir, std::uint64_t seed, killed_store* ks, std::string* why) {
  crash::child_options opts;
  opts.memtable_bytes = sweep_memtable_bytes;
  opts.manifest_bytes = sweep_manifest_bytes;
  opts.kill_when = [&](const crash::child_run& run) {
    if (run.last_acked < min_acked) return false;
    return layout_ready(dir);
  };
  auto run = crash::run_and_kill(dir, seed, 1, std::chrono::milliseconds(10000), opts);
  REQUIRE_MESSAGE(run.failure.empty(), run.failure);
  auto fail = [&](const std::string& reason) {
    *why = reason;
    return false;
  };
  ks->seed = seed;
  ks->acked = run.last_acked;
  ks->files = read_store(dir);
  // What the store's records say: the live tables, the closed logs, the newest log.
  temp_dir copy("kepler-killed-sweep-layout");
  stage(ks->files, copy.path(), "", "");
  st::recovered_store out;
  auto s = open_image(copy.path(), st::recovery_mode::point_in_time, &out);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  std::set<std::uint64_t> live;
  for (int level = 0; level < st::num_levels; ++level)
    for (const auto& f : out.versions.current()->files(level)) live.insert(f->number);
  std::uint64_t current_manifest = 0;
  REQUIRE(st::read_current(*st::file_system::posix(), copy.path(), &current_manifest).is_ok());
  std::vector<std::uint64_t> logs;
  int tables = 0;
  for (const auto& [name, bytes] : ks->files) {
    std::uint64_t number = 0;
    auto kind = st::parse_file_name(name, &number);
    if (kind == st::file_kind::table) {
      // A table no version names (a flush the kill interrupted) is swept too: damage to it
      // must change nothing.
      ks->types[name] = live.count(number) ? file_type::table : file_type::unlisted_table;
      tables += live.count(number) ? 1 : 0;
    } else if (kind == st::file_kind::log) {
      if (number < out.versions.log_number()) return fail(name + " is obsolete");
      logs.push_back(number);
    } else if (kind == st::file_kind::manifest) {
      if (number != current_manifest) return fail(name + " is an old MANIFEST");
      ks->types[name] = file_type::manifest;
    } else if (kind == st::file_kind::current) {
      ks->types[name] = file_type::current;
    } else {
      return fail("the store holds " + name);
    }
  }
  if (tables < 2) return fail(std::to_string(tables) + " table files");
  if (logs.size() < 2) return fail(std::to_string(logs.size()) + " logs");
  const auto newest = logs.back();
  if (out.versions.closed_logs().count(newest))
    return fail("the newest log was recorded as closed");
  for (std::size_t i = 0; i + 1 < logs.size(); ++i) {
    if (!out.versions.closed_logs().count(logs[i]))
      return fail(st::log_file_name(logs[i]) + " is not recorded as closed");
    ks->types[st::log_file_name(logs[i])] = file_type::closed_log;
  }
  ks->newest_log = st::log_file_name(newest);
  ks->types[ks->newest_log] = file_type::newest_log;
  ks->newest_size = ks->files[ks->newest_log].size();
  ks->newest_records = read_records(st::join_path(copy.path(), ks->newest_log));
  if (ks->newest_records.empty()) return fail("the newest log is empty");
  auto manifest_records =
      read_records(st::join_path(copy.path(), st::manifest_file_name(current_manifest)));
  REQUIRE_FALSE(manifest_records.empty());
  ks->manifest_last_record = manifest_records.back().start;
  // Operation i's entries take sequences first_seq[i] on (one record per request).
  ks->ops.assign(1, {});
  std::map<st::sequence_number, std::uint64_t> op_at_sequence;
  st::sequence_number next = 1;
  for (std::uint64_t i = 1; i <= ks->acked + 1; ++i) {
    auto op = crash::make_operation(seed, i);
    op_at_sequence[next] = i;
    next += op.effects.size();
    std::map<std::string, std::optional<std::string>> net;
    for (auto& e : op.effects) net[e.key] = e.value;
    ks->ops.push_back(std::move(net));
  }
  // The newest log holds operations in_log, in_log + 1, ... in order.
  auto first = op_at_sequence.find(ks->newest_records.front().first);
  REQUIRE_MESSAGE(first != op_at_sequence.end(), "the newest log starts at no operation");
  ks->in_log = first->second;
  for (std::size_t r = 0; r < ks->newest_records.size(); ++r) {
    auto op = ks->in_log + r;
    REQUIRE(op <= ks->acked + 1);
    REQUIRE(op_at_sequence.count(ks->newest_records[r].first));
    REQUIRE(op_at_sequence[ks->newest_records[r].first] == op);
    REQUIRE(ks->newest_records[r].count == crash::make_operation(seed, op).effects.size());
  }
  ks->full = ks->in_log + ks->newest_records.size() - 1;
  // The undamaged store is exactly that prefix (the crash test's promise, here the base).
  auto r = read_image(copy.path(), out, all_keys());
  REQUIRE_MESSAGE(!r.error, r.error.value_or(""));
  REQUIRE(ks->full >= ks->acked);
  REQUIRE_MESSAGE(matching_prefixes(*ks, r.got)[ks->full],
                  "the undamaged killed store is not the state after its newest log's operations");
  return true;
}

// How one mode opened the undamaged image: its report, or its error.
struct baseline {
  bool opened = false;
  std::string error;
  st::recovery_stats stats;
};

bool same_report(const st::recovery_stats& a, const st::recovery_stats& b) {
  return a.torn_tail_bytes == b.torn_tail_bytes && a.dropped_records == b.dropped_records &&
         a.damage == b.damage;
}

// Operations of the newest log whose records end at or before `offset`: what damage there
// leaves whole.
std::uint64_t kept_before(const killed_store& ks, std::uint64_t offset) {
  std::uint64_t n = 0;
  for (const auto& r : ks.newest_records)
    if (r.end <= offset) ++n;
  return n;
}

// Whether the newest log cut at `len` ends where a record ends (or in the padding after it, or
// at its start): a shorter log that looks whole, which nothing could tell from a crash there.
bool clean_cut(const killed_store& ks, std::uint64_t len) {
  if (len <= ks.newest_records.front().start) return true;
  for (std::size_t i = 0; i < ks.newest_records.size(); ++i) {
    auto next = i + 1 < ks.newest_records.size() ? ks.newest_records[i + 1].start : ks.newest_size;
    if (len >= ks.newest_records[i].end && len <= next) return true;
  }
  return false;
}

void judge(const std::string& dir, st::recovery_mode mode, const killed_store& ks,
           const baseline& base, const std::string& damaged, const image& im, tally* t) {
  ++t->images;
  const file_type type = ks.types.at(damaged);
  auto violation = [&](std::uint64_t* counter, const std::string& why) {
    ++*counter;
    if (t->example.empty()) t->example = im.what + " in " + mode_name(mode) + ": " + why;
  };
  // A clear error names the file that holds the damage (CURRENT's may name the MANIFEST it
  // points to instead), or the newest log when the undamaged store is refused for its tail.
  auto named = [&](const std::string& message) {
    if (message.find(damaged) != std::string::npos) return;
    if (damaged == st::current_file_name && message.find("MANIFEST") != std::string::npos) return;
    if (!base.opened && message.find(ks.newest_log) != std::string::npos) return;
    ++t->unnamed;
    if (t->unnamed_example.empty()) t->unnamed_example = im.what + ": " + message;
  };
  st::recovered_store out;
  auto s = open_image(dir, mode, &out);
  if (!s.is_ok()) {
    ++t->error_at_open;
    named(s.message());
    return;
  }
  const bool salvage = mode == st::recovery_mode::salvage;
  // A drop or skip this image reports beyond what the undamaged store's open reports.
  const bool reported =
      reports_drop(out.stats) && !(base.opened && same_report(out.stats, base.stats));
  // A strict mode that opened with such a drop: absolute drops nothing; tolerate_tail only an
  // incomplete last record of the newest log or the MANIFEST.
  if (reported && mode == st::recovery_mode::absolute)
    violation(&t->not_refused,
              "opened with a drop: " + (out.stats.damage.empty() ? std::string("bytes dropped")
                                                                 : out.stats.damage.front()));
  if (reported && mode == st::recovery_mode::tolerate_tail) {
    bool tail =
        (type == file_type::newest_log && (im.cut || im.at >= ks.newest_records.back().start)) ||
        (type == file_type::manifest && (im.cut || im.at >= ks.manifest_last_record));
    if (!tail)
      violation(&t->not_refused, "dropped more than an incomplete last record: " +
                                     (out.stats.damage.empty() ? "" : out.stats.damage.front()));
  }
  static const auto keys = all_keys();
  static const std::set<std::string> known(keys.begin(), keys.end());
  const auto r = read_image(dir, out, keys);
  if (r.error) named(*r.error);
  // Every value read is one the workload wrote to that key; the iteration shows the same.
  bool bad = false;
  for (std::uint64_t k = 0; k < crash::key_space; ++k) {
    auto g = r.got.find(keys[k]);
    if (g == r.got.end() || !g->second) continue;
    if (!written(ks, k, *g->second, ks.full)) {
      violation(&t->wrong_value, "key #" + std::to_string(k) + " reads a value never written");
      bad = true;
    }
  }
  std::map<std::string, std::string> scanned;
  for (const auto& [k, v] : r.scanned) {
    scanned[k] = v;
    auto g = r.got.find(k);
    if (!known.count(k)) {
      violation(&t->invented, "iteration shows a key never written");
      bad = true;
    } else if (g != r.got.end() && g->second != v) {
      violation(&t->wrong_value, "iteration and get disagree on a key");
      bad = true;
    }
  }
  if (!r.error)
    for (const auto& [k, v] : r.got)
      if (v && !scanned.count(k)) {
        violation(&t->holes, "iteration misses a key a get finds");
        bad = true;
      }
  if (bad) return;
  // The prefixes of the operations this state is.
  const auto matches = matching_prefixes(ks, r.got);
  const bool full = matches[ks.full];
  bool lost = false;  // salvage: less than the full state, said so
  if (!full) {
    // The fewest operations that must be there, and whether fewer than all may be silent.
    std::uint64_t least = ks.full;
    bool may_be_silent = false;
    if (type == file_type::newest_log) {
      least = ks.in_log - 1 + kept_before(ks, im.at);
      may_be_silent = im.cut && clean_cut(ks, im.at);
    }
    std::optional<std::uint64_t> prefix;
    for (std::uint64_t p = ks.full; p-- > 0;)
      if (matches[p]) {
        prefix = p;
        break;
      }
    const std::string is = prefix ? "the state after " + std::to_string(*prefix) + " of " +
                                        std::to_string(ks.full) + " operations"
                                  : "not the state after any prefix of the operations";
    const bool silent_ok = may_be_silent && prefix && *prefix >= least;
    if (salvage) {
      if (reported)
        lost = true;
      else if (!silent_ok)
        violation(&t->silent_loss, is + ", nothing reported");
    } else if (!prefix) {
      violation(&t->holes, is);
    } else if (*prefix < least) {
      violation(&t->silent_loss, is + ", lost before the damage (" + std::to_string(least) +
                                     " must survive)" + (reported ? ", reported" : ""));
    } else if (!reported && !may_be_silent) {
      violation(&t->silent_loss, is + ", nothing reported");
    }
  }
  if (r.error) {
    ++t->error_at_read;
  } else if (lost) {
    ++t->salvaged_partial;
  } else if (reported) {
    ++t->reported_drop;
  } else {
    ++t->correct;
  }
}

void sweep_killed_store() {
  std::uint64_t seed = std::random_device{}();
  if (auto env = std::getenv("KEPLER_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  temp_dir base("kepler-killed-sweep-base");
  killed_store ks;
  bool ready = false;
  std::string why;
  int attempts = 0;
  for (; attempts < 30 && !ready; ++attempts) {
    fs::remove_all(base.path());
    ks = killed_store{};
    ready = kill_writer(base.path(), seed + attempts, &ks, &why);
  }
  REQUIRE_MESSAGE(ready, "no kill left the layout the sweep needs; the last: " << why);
  std::string files;
  for (const auto& [name, bytes] : ks.files)
    files += (files.empty() ? "" : ", ") + name + " (" + type_name(ks.types[name]) + ", " +
             std::to_string(bytes.size()) + " bytes)";
  MESSAGE("killed store (kill " << attempts << "): seed " << ks.seed
                                << " (KEPLER_CRASH_SEED reruns the workload), acked " << ks.acked
                                << " operations, the store holds " << ks.full << " (operations "
                                << ks.in_log << " on in the newest log); files " << files);
  // How each mode opens the undamaged store.
  temp_dir work("kepler-killed-sweep-work");
  std::map<st::recovery_mode, baseline> baselines;
  for (auto mode : modes) {
    stage(ks.files, work.path(), "", "");
    st::recovered_store out;
    auto s = open_image(work.path(), mode, &out);
    baselines[mode].opened = s.is_ok();
    baselines[mode].error = s.message();
    baselines[mode].stats = out.stats;
    // Only the newest log's torn tail may keep a strict mode from opening it.
    if (!s.is_ok())
      CHECK_MESSAGE(s.message().find(ks.newest_log) != std::string::npos, s.message());
    if (mode == st::recovery_mode::point_in_time) REQUIRE_MESSAGE(s.is_ok(), s.message());
  }
  // Every offset in soak mode; in the default run about one in `stride`, always including the
  // first and last 16 bytes of each file.
  const std::size_t stride = kepler::test::soak_mode() ? 1 : 113;
  std::map<std::string, tally> by_row;  // "type / mode"
  for (const auto& [name, bytes] : ks.files) {
    const auto images = damaged_images(name, bytes, stride, 16);
    for (auto mode : modes) {
      tally& row = by_row[std::string(type_name(ks.types[name])) + " / " + mode_name(mode)];
      // Read-only opens write nothing: the copy is staged once and only the damaged file
      // replaced; salvage rewrites the store, so each of its images gets a fresh copy.
      const bool read_only = mode != st::recovery_mode::salvage;
      if (read_only) stage(ks.files, work.path(), "", "");
      for (const auto& im : images) {
        if (read_only)
          replace_file(work.path(), name, im.bytes);
        else
          stage(ks.files, work.path(), name, im.bytes);
        judge(work.path(), mode, ks, baselines[mode], name, im, &row);
      }
    }
  }
  tally total;
  for (const auto& [row, t] : by_row) {
    MESSAGE(row_line("killed", row, t));
    total += t;
  }
  MESSAGE("killed store: images "
          << total.images << ", wrong_value " << total.wrong_value << ", invented "
          << total.invented << ", holes " << total.holes << ", silent_loss " << total.silent_loss
          << ", not refused " << total.not_refused << ", errors not naming the file "
          << total.unnamed << ", crashes 0, hangs 0"
          << (total.example.empty() ? "" : "; first violation: " + total.example)
          << (total.unnamed_example.empty() ? "" : "; first unnamed: " + total.unnamed_example));
  if (total.violations() + total.unnamed > 0) {
    // Keep the killed store for a rerun of the failing image.
    auto kept =
        (fs::temp_directory_path() / ("kepler-killed-store-" + std::to_string(ks.seed))).string();
    stage(ks.files, kept, "", "");
    MESSAGE("the killed store is kept in " << kept);
  }
  CHECK(total.wrong_value == 0);
  CHECK(total.invented == 0);
  CHECK(total.holes == 0);
  CHECK(total.silent_loss == 0);
  CHECK(total.not_refused == 0);
  CHECK(total.unnamed == 0);
}

}  // namespace

TEST_SUITE("soak") {
  TEST_CASE(
      "every flipped byte and every cut of a store killed mid-write is a prefix of the writes, a "
      "report or an error") {
    sweep_killed_store();
  }
}
