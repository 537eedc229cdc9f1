// A sync write is on disk when it is acknowledged: a file system behind the seam records every
// append and sync of the log, and each acknowledged sync write must be covered by a sync of its
// log that started after the write's bytes were appended and ended before the acknowledgement.
// The first writes after an open are the ones at risk: the log syncer is a detached actor that
// starts at some moment after the open, before or after the first group reaches the log.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "api/src/open_with_file_system.hpp"
#include "kepler/db.hpp"
#include "recording_file_system.hpp"
#include "soak_mode.hpp"
#include "test_dir.hpp"

using kepler::test::fs_event;
using kepler::test::recording_file_system;
using kepler::test::temp_dir;

namespace {

// Sync writes per open; the first is the one a late-starting syncer can skip.
constexpr int writes_per_open = 3;
// Long enough for the detached syncer to have started before the first write.
constexpr auto syncer_head_start = std::chrono::milliseconds(20);

struct acked_write {
  std::uint64_t sent = 0;   // recorder tick just before the call
  std::uint64_t acked = 0;  // recorder tick just after it returned
};

// Why `w` is not covered by a completed sync of its log, or "" when it is. The store has one
// caller, so the write's bytes are the last append to a log before its acknowledgement.
std::string why_uncovered(const std::vector<fs_event>& events, const acked_write& w) {
  const fs_event* append = nullptr;
  for (const auto& e : events)
    if (e.tick < w.acked && e.what == fs_event::kind::append &&
        kepler::test::ends_with(e.path, ".log"))
      append = &e;
  if (append == nullptr || append->tick < w.sent)
    return "no append to a log between the call and its acknowledgement";
  if (!append->ok) return "its append failed";
  for (const auto& e : events)
    if (e.tick < w.acked && e.what == fs_event::kind::sync_end && e.ok && e.path == append->path &&
        e.size_before >= append->size_after)
      return "";
  return "no sync of " + append->path + " covering offset " + std::to_string(append->size_after) +
         " ended before the acknowledgement";
}

struct tally {
  int opens = 0;
  int acked = 0;
  int uncovered = 0;
  int first_writes = 0;            // acknowledged first writes after an open
  int first_writes_uncovered = 0;  // of those, not covered by a sync
  std::string example;             // the first uncovered write, described
};

// Opens the store in `dir` (creating it when missing) through a recording file system, waits
// `head_start`, does the sync writes, closes, and checks each acknowledged one.
void open_and_write(const std::string& dir, int open_index, std::chrono::milliseconds head_start,
                    tally* t) {
  recording_file_system fs(kepler::storage::file_system::posix());
  std::vector<acked_write> writes;
  {
    auto store = kepler::detail::open_with_file_system(fs, nullptr, dir, {});
    REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
    ++t->opens;
    if (head_start.count() > 0) std::this_thread::sleep_for(head_start);
    for (int i = 0; i < writes_per_open; ++i) {
      acked_write w;
      w.sent = fs.now();
      auto key = "open" + std::to_string(open_index) + "-" + std::to_string(i);
      REQUIRE((*store)->insert(key, std::string(100, 'v'), kepler::write_options{true}));
      w.acked = fs.now();
      writes.push_back(w);
    }
  }
  const auto events = fs.events();
  for (std::size_t i = 0; i < writes.size(); ++i) {
    ++t->acked;
    if (i == 0) ++t->first_writes;
    auto why = why_uncovered(events, writes[i]);
    if (why.empty()) continue;
    ++t->uncovered;
    if (i == 0) ++t->first_writes_uncovered;
    if (t->example.empty())
      t->example = "open " + std::to_string(open_index) + ", write " + std::to_string(i) +
                   (head_start.count() > 0 ? " (delayed)" : " (hurried)") + ": " + why;
  }
}

}  // namespace

TEST_CASE("a sync write right after open is acknowledged only once a sync of its log covers it" *
          doctest::test_suite("soak")) {
  const int opens = kepler::test::soak_count(100, 1000);
  tally hurried, delayed;
  // Pairs of opens on one directory: the first creates the store, the second reopens it (after
  // recovery, in a new log). Every other pair gives the syncer a head start.
  for (int i = 0; i < opens; i += 2) {
    temp_dir dir;
    const bool give_head_start = (i / 2) % 2 == 1;
    auto& t = give_head_start ? delayed : hurried;
    const auto head_start = give_head_start ? syncer_head_start : std::chrono::milliseconds(0);
    open_and_write(dir.path(), i, head_start, &t);
    if (i + 1 < opens) open_and_write(dir.path(), i + 1, head_start, &t);
  }
  const int total_opens = hurried.opens + delayed.opens;
  const int acked = hurried.acked + delayed.acked;
  const int uncovered = hurried.uncovered + delayed.uncovered;
  std::printf(
      "sync durability: %d opens, %d acked sync writes, %d uncovered (first write after open "
      "uncovered: hurried %d of %d, delayed %d of %d)\n",
      total_opens, acked, uncovered, hurried.first_writes_uncovered, hurried.first_writes,
      delayed.first_writes_uncovered, delayed.first_writes);
  MESSAGE(total_opens << " opens, " << acked << " acked sync writes, " << uncovered
                      << " uncovered");
  if (!hurried.example.empty()) MESSAGE("first uncovered: " << hurried.example);
  if (!delayed.example.empty()) MESSAGE("first uncovered: " << delayed.example);
  CHECK(acked == opens * writes_per_open);
  CHECK(uncovered == 0);
}
