// I/O errors at every file operation: the fixed workload (workload.hpp) runs through the real
// store over a memory_file_system whose nth operation of one kind fails, once (EIO) or from then
// on (ENOSPC), for every n the workload reaches (a sample in the default run, all in soak). The
// disk promise:
//  - the call that hit the error returns it: a write during whose call a log append or sync
//    failed does not succeed, and a failure of any kind but a removal (which the store may
//    ignore: the next open removes the file) is reported by some call (open, write,
//    compact_range, read, close);
//  - once a write failed, later writes fail with the same error (sticky), and reads keep
//    working: they show exactly the acknowledged writes (and maybe the failed one);
//  - no file the store still needs is deleted after the failure (the live MANIFEST, CURRENT, a
//    log at or above the MANIFEST's log number, a table the MANIFEST names);
//  - the store then opens read-only over the same files (with an ENOSPC fault still armed:
//    a read-only open writes nothing) and holds every acknowledged write;
//  - once the fault is lifted, a normal open brings back every acknowledged write.

#include <doctest/doctest.h>

#include <cstdio>
#include <exception>
#include <set>
#include <string>
#include <vector>

#include "api/src/open_with_file_system.hpp"
#include "forwarding_file_system.hpp"
#include "kepler/db.hpp"
#include "power_loss/memory_file_system.hpp"
#include "power_loss/workload.hpp"
#include "soak_mode.hpp"
#include "storage_format/log/log_reader.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/version_edit.hpp"
#include "string_files.hpp"

using namespace kepler::test;
using namespace kepler::test::power;
namespace storage = kepler::storage;

namespace {

struct tally {
  int runs = 0;
  int injected = 0;     // runs in which the fault fired
  int not_reached = 0;  // runs that never reached the nth operation (the order varies)
  int unreported = 0;
  int swallowed = 0;
  int not_sticky = 0;
  int other_error = 0;
  int reads_broken = 0;
  int reads_wrong = 0;
  int deleted_needed = 0;
  int removed_after_fault = 0;  // any removal after the fault (informational)
  std::string removed_example;
  int read_only_refused = 0;
  int read_only_wrong = 0;
  int refused_after_lift = 0;
  int lost_after_lift = 0;
  int crashes = 0;
  std::string example;
};

void note(tally* t, const std::string& what) {
  if (t->example.empty()) t->example = what;
}

bool has_code(const caf::error& e, kepler::ec code) {
  return e.category() == caf::atom("kepler") && e.code() == static_cast<std::uint8_t>(code);
}

// What the live MANIFEST of `disk` says the store needs: the file names that must not go.
std::set<std::string> needed_files(const mem_disk& disk) {
  std::set<std::string> needed;
  auto current = disk.file(store_dir + "/CURRENT");
  if (!current || current->data.empty()) return needed;
  needed.insert(store_dir + "/CURRENT");
  const auto manifest_name = current->data.substr(0, current->data.size() - 1);
  auto manifest = disk.file(store_dir + "/" + manifest_name);
  if (!manifest) return needed;
  needed.insert(store_dir + "/" + manifest_name);
  string_readable file(manifest->data);
  storage::log::reader reader(&file);
  std::string record;
  std::set<std::uint64_t> tables;
  std::uint64_t log_number = 0;
  while (reader.read_record(&record)) {
    storage::version_edit edit;
    if (!edit.decode(record, manifest_name).is_ok()) break;
    if (edit.log_number) log_number = *edit.log_number;
    for (const auto& d : edit.deleted_files) tables.erase(d.number);
    for (const auto& f : edit.new_files) tables.insert(f.meta.number);
  }
  for (auto number : tables) needed.insert(store_dir + "/" + storage::table_file_name(number));
  for (const auto& path : disk.files()) {
    std::uint64_t number = 0;
    const auto name = path.substr(path.find_last_of('/') + 1);
    if (storage::parse_file_name(name, &number) == storage::file_kind::log && number >= log_number)
      needed.insert(path);
  }
  return needed;
}

// Opens `fs` with `opts` and judges what it holds: "" or why not.
std::string open_and_judge(memory_file_system& fs, const std::vector<step>& plan,
                           const kepler::options& opts, std::size_t must, std::size_t may,
                           bool* refused) {
  *refused = false;
  auto opened = kepler::detail::open_with_file_system(fs, nullptr, store_dir, opts);
  if (!opened) {
    std::string current;
    // Before the creation's CURRENT switch there is no store to open read-only.
    if (opts.read_only && has_code(opened.error(), kepler::ec::not_a_store) &&
        !fs.peek(store_dir + "/CURRENT", &current) && must == 0)
      return "";
    *refused = true;
    return "open failed: " + kepler::to_string(opened.error());
  }
  auto observed = read_all(**opened);
  if (!observed) return "read failed: " + kepler::to_string(observed.error());
  auto v = judge(plan, *observed, must, may);
  (*opened)->close();
  return v.ok ? "" : v.why;
}

void run_one(const std::vector<step>& plan, const kepler::options& opts, fs_op kind,
             std::uint64_t n, memory_file_system::repeat r, watchdog& dog, tally* t) {
  ++t->runs;
  const bool once = r == memory_file_system::repeat::once;
  const std::string where = std::string(to_string(kind)) + " #" + std::to_string(n) + " failing " +
                            (once ? "once" : "from then on");
  memory_file_system fs;
  fs.record_trace(true);
  fs.fail_nth(kind, n, r);
  const bool read_kind = kind == fs_op::read || kind == fs_op::open;
  bool scan_failed = false;
  std::string reads_problem;
  try {
    dog.arm("the workload, " + where);
    auto out = run_workload(fs, plan, opts, 3, [&](kepler::db& store, const run_outcome& so_far) {
      auto observed = read_all(store);
      if (!observed) {
        scan_failed = true;
        if (!read_kind) reads_problem = "read failed: " + kepler::to_string(observed.error());
        return;
      }
      const auto acked = so_far.first_failed;
      auto v = judge(plan, *observed, acked, acked + (acked < so_far.writes.size() ? 1 : 0));
      if (!v.ok) reads_problem = "reads show " + v.why;
    });
    dog.disarm();
    const auto injections = fs.injections();
    if (injections.empty()) {
      ++t->not_reached;
      return;
    }
    ++t->injected;
    const auto t0 = injections.front().tick;

    // The call that hit the error returns it.
    const bool write_failed = out.first_failed < out.writes.size();
    const bool reported =
        !out.opened || write_failed || out.compact_failed || out.close_failed || scan_failed;
    if (!reported && kind != fs_op::remove) {
      ++t->unreported;
      note(t, where + ": no call returned the injected failure (" + injections.front().path + ")");
    }
    for (const auto& inj : injections) {
      if (!(inj.kind == fs_op::append || inj.kind == fs_op::sync) || !ends_with(inj.path, ".log"))
        continue;
      for (const auto& w : out.writes)
        if (w.sent < inj.tick && inj.tick < w.acked && w.ok) {
          ++t->swallowed;
          note(t, where + ": a write succeeded though its log " + to_string(inj.kind) +
                      " failed (" + inj.path + ")");
        }
    }
    // Sticky, with the same error.
    if (write_failed) {
      const auto& first = out.writes[out.first_failed].error;
      for (std::size_t i = out.first_failed + 1; i < out.writes.size(); ++i) {
        if (out.writes[i].ok) {
          ++t->not_sticky;
          note(t, where + ": a write succeeded after a write failed");
        } else if (out.writes[i].error.code() != first.code() ||
                   out.writes[i].error.category() != first.category()) {
          ++t->other_error;
          note(t, where + ": a later write failed with " + kepler::to_string(out.writes[i].error) +
                      ", the first with " + kepler::to_string(first));
        }
      }
    }
    // Reads keep working.
    if (!reads_problem.empty()) {
      if (scan_failed)
        ++t->reads_broken;
      else
        ++t->reads_wrong;
      note(t, where + ": " + reads_problem);
    }
    // Nothing the store needs is deleted after the failure.
    if (kind != fs_op::remove && (write_failed || out.compact_failed || out.close_failed)) {
      const auto trace = fs.trace();
      trace_replay replay(trace);
      for (std::size_t i = 0; i < trace.size(); ++i) {
        if (trace[i].tick < t0 || trace[i].kind != fs_op::remove) continue;
        ++t->removed_after_fault;
        if (t->removed_example.empty())
          t->removed_example =
              where + ": " + trace[i].path + " (fault at " + injections.front().path + ")";
        replay.advance_to(i);
        if (needed_files(replay.disk()).count(trace[i].path) != 0) {
          ++t->deleted_needed;
          note(t, where + ": " + trace[i].path + " was removed after the failure");
        }
      }
    }
    const std::size_t acked = out.first_failed;
    const std::size_t may = acked + (write_failed ? 1 : 0);
    // Read-only over the same files; a fault from then on stays armed (a full disk), unless it
    // fails reads, which a read-only open needs.
    if (once || read_kind) fs.disarm();
    auto ro = opts;
    ro.read_only = true;
    bool refused = false;
    dog.arm("the read-only open, " + where);
    auto why = open_and_judge(fs, plan, ro, acked, may, &refused);
    dog.disarm();
    if (!why.empty()) {
      ++(refused ? t->read_only_refused : t->read_only_wrong);
      note(t, where + ": read-only: " + why);
    }
    // The fault lifted, a normal open brings back every acknowledged write.
    fs.disarm();
    dog.arm("the open after the fault was lifted, " + where);
    why = open_and_judge(fs, plan, opts, acked, may, &refused);
    dog.disarm();
    if (!why.empty()) {
      ++(refused ? t->refused_after_lift : t->lost_after_lift);
      note(t, where + ": after lifting the fault: " + why);
    }
  } catch (const std::exception& e) {
    dog.disarm();
    ++t->crashes;
    note(t, where + ": exception: " + e.what());
  }
}

void run_mode(memory_file_system::repeat r) {
  const bool once = r == memory_file_system::repeat::once;
  const auto plan = make_workload();
  const auto opts = workload_options();
  watchdog dog(std::chrono::seconds(30));
  // How many operations of each kind a run without faults makes.
  memory_file_system baseline;
  dog.arm("the baseline run");
  auto base = run_workload(baseline, plan, opts);
  dog.disarm();
  REQUIRE(base.opened);
  REQUIRE(base.first_failed == base.writes.size());
  const bool soak = soak_mode();
  tally t;
  std::string counts;
  for (int k = 0; k < fs_op_count; ++k) {
    const auto kind = static_cast<fs_op>(k);
    const auto count = baseline.counted(kind);
    counts += std::string(" ") + to_string(kind) + "=" + std::to_string(count);
    // Default: the first, one in the middle, and the last of each kind (and a few more of the
    // numerous kinds); soak: every one.
    const std::uint64_t stride = soak ? 1 : std::max<std::uint64_t>(1, count / 4);
    for (std::uint64_t n = 1; n <= count; n += stride) run_one(plan, opts, kind, n, r, dog, &t);
    if (!soak && count > 1 && (count - 1) % stride != 0)
      run_one(plan, opts, kind, count, r, dog, &t);
  }
  std::printf("io errors (%s): operations per run:%s\n", once ? "once" : "from then on",
              counts.c_str());
  std::printf(
      "io errors (%s): runs=%d injected=%d not_reached=%d unreported=%d swallowed=%d "
      "not_sticky=%d other_error=%d reads_broken=%d reads_wrong=%d deleted_needed=%d "
      "read_only_refused=%d read_only_wrong=%d refused_after_lift=%d lost_after_lift=%d "
      "crashes=%d hangs=0 (removals after the fault, informational: %d)\n",
      once ? "once" : "from then on", t.runs, t.injected, t.not_reached, t.unreported, t.swallowed,
      t.not_sticky, t.other_error, t.reads_broken, t.reads_wrong, t.deleted_needed,
      t.read_only_refused, t.read_only_wrong, t.refused_after_lift, t.lost_after_lift, t.crashes,
      t.removed_after_fault);
  if (!t.example.empty()) std::printf("  first violation: %s\n", t.example.c_str());
  if (!t.removed_example.empty())
    std::printf("  first removal after a fault: %s\n", t.removed_example.c_str());
  MESSAGE(t.runs << " runs (" << t.injected << " with the fault injected), "
                 << "every disk-promise violation count 0 unless reported above");
  INFO(t.example);
  CHECK(t.injected > t.runs / 2);
  CHECK(t.unreported == 0);
  CHECK(t.swallowed == 0);
  CHECK(t.not_sticky == 0);
  CHECK(t.other_error == 0);
  CHECK(t.reads_broken == 0);
  CHECK(t.reads_wrong == 0);
  CHECK(t.deleted_needed == 0);
  CHECK(t.read_only_refused == 0);
  CHECK(t.read_only_wrong == 0);
  CHECK(t.refused_after_lift == 0);
  CHECK(t.lost_after_lift == 0);
  CHECK(t.crashes == 0);
}

}  // namespace

TEST_CASE("an I/O error once at any file operation keeps the disk promise" *
          doctest::test_suite("soak")) {
  run_mode(memory_file_system::repeat::once);
}

TEST_CASE("an I/O error from any file operation on keeps the disk promise" *
          doctest::test_suite("soak")) {
  run_mode(memory_file_system::repeat::from_then_on);
}
