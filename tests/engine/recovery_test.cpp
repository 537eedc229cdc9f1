// Opening a store: what recovery accepts, refuses and leaves behind, through the public API and
// through a file system behind the seam that records (and can fail) its calls.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "actors/boundary/status_error.hpp"
#include "api/src/open_with_file_system.hpp"
#include "engine/store_checks.hpp"
#include "fault_file_system.hpp"
#include "kepler/db.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/coding.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/version_edit.hpp"
#include "test_dir.hpp"

using kepler::ec;
using namespace kepler::test;
using kepler::test::fault_file_system;
namespace storage = kepler::storage;
namespace fsys = std::filesystem;

namespace {

// A file_system that forwards to another and records each directory-level call as
// "<operation> <path>", in order. `inject`, when set, runs before each call is forwarded; a
// status it returns that is not ok fails the call instead (the call is still recorded). Files
// it opens are the base's own: appends and syncs of files are not recorded.
class recording_file_system : public storage::file_system {
 public:
  using hook = std::function<storage::status(const std::string& op, const std::string& path)>;

  explicit recording_file_system(storage::file_system* base) : base_(base) {}

  hook inject;

  std::vector<std::string> calls() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return calls_;
  }

  storage::status new_writable_file(const std::string& path,
                                    std::unique_ptr<storage::writable_file>* out) override {
    return run("new_writable_file", path, [&] { return base_->new_writable_file(path, out); });
  }
  storage::status new_appendable_file(const std::string& path,
                                      std::unique_ptr<storage::writable_file>* out) override {
    return run("new_appendable_file", path, [&] { return base_->new_appendable_file(path, out); });
  }
  storage::status new_readable_file(const std::string& path,
                                    std::unique_ptr<storage::readable_file>* out) override {
    return run("new_readable_file", path, [&] { return base_->new_readable_file(path, out); });
  }
  bool exists(const std::string& path) override {
    record("exists", path);
    return base_->exists(path);
  }
  storage::status file_size(const std::string& path, std::uint64_t* size) override {
    return run("file_size", path, [&] { return base_->file_size(path, size); });
  }
  storage::status list_dir(const std::string& dir, std::vector<std::string>* names) override {
    return run("list_dir", dir, [&] { return base_->list_dir(dir, names); });
  }
  storage::status create_dir(const std::string& dir) override {
    return run("create_dir", dir, [&] { return base_->create_dir(dir); });
  }
  storage::status remove_file(const std::string& path) override {
    return run("remove_file", path, [&] { return base_->remove_file(path); });
  }
  storage::status rename_file(const std::string& from, const std::string& to) override {
    return run("rename_file", from + " -> " + to, [&] { return base_->rename_file(from, to); });
  }
  storage::status truncate_file(const std::string& path, std::uint64_t size) override {
    return run("truncate_file", path, [&] { return base_->truncate_file(path, size); });
  }
  storage::status sync_dir(const std::string& dir) override {
    return run("sync_dir", dir, [&] { return base_->sync_dir(dir); });
  }
  storage::status lock_file(const std::string& path,
                            std::unique_ptr<storage::file_lock>* out) override {
    return run("lock_file", path, [&] { return base_->lock_file(path, out); });
  }
  storage::status lock_file_read_only(const std::string& path,
                                      std::unique_ptr<storage::file_lock>* out) override {
    return run("lock_file_read_only", path, [&] { return base_->lock_file_read_only(path, out); });
  }

 private:
  void record(const char* op, const std::string& path) {
    std::lock_guard<std::mutex> guard(mutex_);
    calls_.push_back(std::string(op) + " " + path);
  }

  template <class Forward>
  storage::status run(const char* op, const std::string& path, Forward forward) {
    record(op, path);
    if (inject) {
      auto s = inject(op, path);
      if (!s.is_ok()) return s;
    }
    return forward();
  }

  storage::file_system* base_;
  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
};

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (auto& entry : fsys::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

int count_prefixed(const std::string& dir, const std::string& prefix) {
  auto names = names_in(dir);
  return static_cast<int>(std::count_if(names.begin(), names.end(), [&](const std::string& n) {
    return n.compare(0, prefix.size(), prefix) == 0;
  }));
}

int count_suffixed(const std::string& dir, const std::string& suffix) {
  auto names = names_in(dir);
  return static_cast<int>(std::count_if(names.begin(), names.end(), [&](const std::string& n) {
    return n.size() >= suffix.size() &&
           n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
  }));
}

// The newest log of the store in `dir` that holds records.
std::string newest_nonempty_log(const std::string& dir) {
  std::string newest;
  for (const auto& name : names_in(dir))
    if (fsys::path(name).extension() == ".log" && fsys::file_size(dir + "/" + name) > 0)
      newest = name;
  return newest;
}

// One version edit as version_edit.cpp encodes it, with an extra field of `extra_tag` (which
// this version does not know) after the known ones.
std::string edit_with_unknown_tag(std::uint32_t format_version, std::uint32_t extra_tag) {
  std::string edit;
  storage::put_varint32(&edit, 1);  // format_version
  storage::put_varint32(&edit, format_version);
  storage::put_varint32(&edit, 2);  // log_number
  storage::put_varint64(&edit, 2);
  storage::put_varint32(&edit, 3);  // next_file_number
  storage::put_varint64(&edit, 3);
  storage::put_varint32(&edit, 4);  // last_sequence
  storage::put_varint64(&edit, 0);
  storage::put_varint32(&edit, extra_tag);
  storage::put_varint64(&edit, 77);
  return edit;
}

// A directory holding only a MANIFEST-000001 with `edit` and a CURRENT naming it.
void make_store_with_edit(const std::string& dir, const std::string& edit) {
  fsys::create_directories(dir);
  write_log(dir, storage::manifest_file_name(1), {edit});
  write_text(dir + "/CURRENT", storage::manifest_file_name(1) + "\n");
}

std::string batch_at(storage::sequence_number first, int entries) {
  auto rep = storage::batch::make_empty();
  for (int i = 0; i < entries; ++i) storage::batch::add_put(&rep, key_of(i), value_of(i));
  storage::batch::set_sequence(&rep, first);
  return rep;
}

std::string parent_of(const std::string& path) {
  return fsys::path(path).parent_path().string();
}

// Index of the first recorded call that starts with `prefix`, or calls.size().
std::size_t first_call(const std::vector<std::string>& calls, const std::string& prefix) {
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (calls[i].compare(0, prefix.size(), prefix) == 0) return i;
  return calls.size();
}

}  // namespace

// Item 5: a newer store must read as unsupported, never as corrupt.
TEST_CASE("a store of a newer format is unsupported_format even when its edits hold unknown tags") {
  temp_dir newer;
  make_store_with_edit(newer.path(), edit_with_unknown_tag(storage::current_format_version + 1, 9));
  auto opened = kepler::db::open(newer.path());
  REQUIRE_FALSE(opened);
  auto text = kepler::to_string(opened.error());
  MESSAGE("format " << storage::current_format_version + 1 << " with tag 9: " << text);
  CHECK(has_code(opened.error(), ec::unsupported_format));
  CHECK(text.find("newer") != std::string::npos);

  // The same unknown tag in a store of the version this code writes is damage.
  temp_dir known;
  make_store_with_edit(known.path(), edit_with_unknown_tag(storage::current_format_version, 9));
  auto damaged = kepler::db::open(known.path());
  REQUIRE_FALSE(damaged);
  auto damage_text = kepler::to_string(damaged.error());
  MESSAGE("format " << storage::current_format_version << " with tag 9: " << damage_text);
  CHECK(has_code(damaged.error(), ec::corruption));
  CHECK(damage_text.find("unknown field tag 9") != std::string::npos);
  CHECK(damage_text.find(storage::manifest_file_name(1)) != std::string::npos);

  // A reader can judge the version first only if the first edit carries it.
  temp_dir late;
  storage::version_edit numbers;
  numbers.log_number = 2;
  numbers.next_file_number = 3;
  storage::version_edit version;
  version.format_version = storage::current_format_version;
  std::string first_record, second_record;
  numbers.encode(&first_record);
  version.encode(&second_record);
  fsys::create_directories(late.path());
  write_log(late.path(), storage::manifest_file_name(1), {first_record, second_record});
  write_text(late.file("CURRENT"), storage::manifest_file_name(1) + "\n");
  auto unversioned = kepler::db::open(late.path());
  MESSAGE("format version only in the second edit: " << outcome(unversioned));
  REQUIRE_FALSE(unversioned);
  CHECK(has_code(unversioned.error(), ec::corruption));
}

// Item 7: only canonical names are a store's files; others are left alone.
TEST_CASE("a stray 5.log beside 000005.log is ignored, not replayed twice") {
  temp_dir dir;
  constexpr int n = 50;
  fill_store(dir.path(), n);
  auto log = newest_nonempty_log(dir.path());
  REQUIRE(!log.empty());
  std::uint64_t number = 0;
  REQUIRE(storage::parse_file_name(log, &number) == storage::file_kind::log);
  auto stray = std::to_string(number) + ".log";
  REQUIRE(stray != log);
  fsys::copy_file(dir.file(log), dir.file(stray));
  auto stray_bytes = read_text(dir.file(stray));

  auto store = kepler::db::open(dir.path());
  MESSAGE("beside " << log << ", " << stray << ": " << outcome(store));
  REQUIRE(store);
  CHECK(count_present(**store, n) == n);
  MESSAGE("logs replayed: " << (*store)->recovery().logs_replayed
                            << ", batches: " << (*store)->recovery().batches_replayed);
  CHECK((*store)->recovery().batches_replayed == n);
  REQUIRE((*store)->close());
  // Not ours, so not touched.
  CHECK(read_text(dir.file(stray)) == stray_bytes);
}

TEST_CASE("a lone non-canonical 7.log does not break open and is left in place") {
  temp_dir dir;
  fill_store(dir.path(), 10);
  write_text(dir.file("7.log"), "not ours");
  auto store = kepler::db::open(dir.path());
  MESSAGE("with 7.log: " << outcome(store));
  REQUIRE(store);
  CHECK(count_present(**store, 10) == 10);
  REQUIRE((*store)->close());
  CHECK(read_text(dir.file("7.log")) == "not ours");
}

// Item 8: an empty directory may hold what an interrupted creation of ours leaves, nothing else.
TEST_CASE("a store is created over what an interrupted creation leaves, not over others' files") {
  const char* foreign[] = {"download.tmp", "MANIFEST-000007", "MANIFEST-1", "LOCK.tmp"};
  for (const char* name : foreign) {
    temp_dir dir;
    fsys::create_directories(dir.path());
    write_text(dir.file(name), "another program's");
    auto store = kepler::db::open(dir.path());
    MESSAGE(std::string(name) << ": "
                              << (store ? std::string("a store was created")
                                        : kepler::to_string(store.error())));
    CHECK_FALSE(store);
    // A name the store itself writes, without CURRENT, is a store that lost its CURRENT:
    // corruption (refused all the same); anything else is simply not a store.
    std::uint64_t number = 0;
    bool ours = storage::parse_file_name(name, &number) != storage::file_kind::other;
    if (!store) CHECK(has_code(store.error(), ours ? ec::corruption : ec::not_a_store));
    CHECK_FALSE(fsys::exists(dir.file("CURRENT")));
    CHECK(read_text(dir.file(name)) == "another program's");
  }

  // What a creation killed after writing MANIFEST-000001 and while writing CURRENT.tmp leaves.
  temp_dir dir;
  fsys::create_directories(dir.path());
  write_text(dir.file("LOCK"), "4711\n");
  write_text(dir.file(storage::manifest_file_name(1)), "half a manifest");
  write_text(dir.file("CURRENT.tmp"), "MANIF");
  auto store = kepler::db::open(dir.path());
  REQUIRE_MESSAGE(store, outcome(store));
  MESSAGE("over LOCK, MANIFEST-000001 and CURRENT.tmp: created " << (*store)->recovery().created);
  CHECK((*store)->recovery().created);
  REQUIRE((*store)->insert("k", "v"));
  REQUIRE((*store)->close());
  auto again = kepler::db::open(dir.path());
  REQUIRE_MESSAGE(again, outcome(again));
  CHECK((*again)->get("k")->value_or("") == "v");
}

// Item 9: not_found from the file system is not "not a store".
TEST_CASE("a log that vanishes during recovery is corruption naming it, not not_a_store") {
  temp_dir dir;
  fill_store(dir.path(), 20);
  recording_file_system fs(storage::file_system::posix());
  std::string vanished;
  fs.inject = [&](const std::string& op, const std::string& path) {
    // Listed a moment ago, gone when opened: another program removed it.
    if (op == "new_readable_file" && fsys::path(path).extension() == ".log" && vanished.empty()) {
      vanished = fsys::path(path).filename();
      fsys::remove(path);
    }
    return storage::status::ok();
  };
  auto store = kepler::detail::open_with_file_system(fs, nullptr, dir.path(), {});
  REQUIRE_FALSE(store);
  auto text = kepler::to_string(store.error());
  MESSAGE("vanished " << vanished << ": " << text);
  CHECK(has_code(store.error(), ec::corruption));
  CHECK_FALSE(has_code(store.error(), ec::not_a_store));
  CHECK(text.find(vanished) != std::string::npos);

  // At the boundary: only recovery's own verdict is "not a store".
  auto plain = kepler::actors::to_error(storage::status::not_found("/x/000009.log: open: gone"));
  MESSAGE("a plain not_found maps to: " << kepler::to_string(plain));
  CHECK_FALSE(has_code(plain, ec::not_a_store));
}

// Item 12: the directory's own entry is made durable, level by level.
TEST_CASE("creating a store syncs the parent of every directory level it creates") {
  temp_dir base;
  const std::string store_dir = base.path() + "/a/b/store";
  recording_file_system fs(storage::file_system::posix());
  {
    auto store = kepler::detail::open_with_file_system(fs, nullptr, store_dir, {});
    REQUIRE_MESSAGE(store, outcome(store));
    REQUIRE((*store)->close());
  }
  auto calls = fs.calls();
  std::string trace;
  for (const auto& c : calls)
    if (c.compare(0, 10, "create_dir") == 0 || c.compare(0, 8, "sync_dir") == 0 ||
        c.compare(0, 9, "lock_file") == 0)
      trace += "\n  " + c;
  MESSAGE("directory calls:" << trace);
  auto created = first_call(calls, "create_dir ");
  auto locked = first_call(calls, "lock_file ");
  REQUIRE(created < calls.size());
  REQUIRE(locked < calls.size());
  // Each level was missing: base.path(), a, b and the store itself.
  const std::vector<std::string> levels = {base.path(), base.path() + "/a", base.path() + "/a/b",
                                           store_dir};
  for (const auto& level : levels) {
    auto synced =
        std::find(calls.begin() + created, calls.begin() + locked, "sync_dir " + parent_of(level));
    CHECK_MESSAGE(synced != calls.begin() + locked,
                  "no sync of " << parent_of(level) << " after creating " << level
                                << " and before the store's first file");
  }
}

// Item 13: a failed open cleans up after itself, and the next open removes dead MANIFESTs.
TEST_CASE("an open that fails writing its fresh MANIFEST leaves no orphan MANIFEST or log") {
  temp_dir dir;
  constexpr int n = 30;
  fill_store(dir.path(), n);
  const auto before = names_in(dir.path());
  fault_file_system fs(storage::file_system::posix());
  constexpr int failed_opens = 3;
  for (int i = 0; i < 2 * failed_opens; ++i) {
    const bool appends = i < failed_opens;
    fs.fail_appends = appends;
    fs.fail_syncs = !appends;
    auto store = kepler::detail::open_with_file_system(fs, nullptr, dir.path(), {});
    REQUIRE_FALSE(store);
    CHECK(kepler::to_string(store.error()).find("injected") != std::string::npos);
  }
  fs.fail_appends = false;
  fs.fail_syncs = false;
  const auto after = names_in(dir.path());
  MESSAGE("before " << 2 * failed_opens << " failed opens: " << joined(before));
  MESSAGE("after them: " << joined(after));
  CHECK(after == before);
  CHECK(count_prefixed(dir.path(), "MANIFEST-") == 1);

  auto store = kepler::db::open(dir.path());
  REQUIRE_MESSAGE(store, outcome(store));
  CHECK(count_present(**store, n) == n);
}

TEST_CASE(
    "after a failed directory sync of CURRENT's switch, the next open keeps only the live "
    "MANIFEST") {
  temp_dir dir;
  constexpr int n = 30;
  fill_store(dir.path(), n);
  const auto old_current = read_text(dir.file("CURRENT"));
  recording_file_system fs(storage::file_system::posix());
  // The directory sync right after CURRENT's rename (the open's earlier ones, such as the one
  // after it writes the logs' table, go through).
  bool renamed = false;
  fs.inject = [&](const std::string& op, const std::string& path) {
    if (op == "rename_file") renamed = true;
    if (op == "sync_dir" && path == dir.path() && renamed)
      return storage::status::io_error(path + ": injected directory sync failure");
    return storage::status::ok();
  };
  {
    auto store = kepler::detail::open_with_file_system(fs, nullptr, dir.path(), {});
    REQUIRE_FALSE(store);
    MESSAGE("failed open: " << kepler::to_string(store.error()));
  }
  // CURRENT was renamed before the failing sync, so either MANIFEST may be the durable one:
  // both must still be there.
  const auto new_current = read_text(dir.file("CURRENT"));
  MESSAGE("CURRENT before: " << old_current.substr(0, old_current.size() - 1)
                             << ", after the failed open: "
                             << new_current.substr(0, new_current.size() - 1)
                             << "; files: " << joined(names_in(dir.path())));
  CHECK(new_current != old_current);
  CHECK(fsys::exists(dir.file(old_current.substr(0, old_current.size() - 1))));
  CHECK(fsys::exists(dir.file(new_current.substr(0, new_current.size() - 1))));

  auto store = kepler::db::open(dir.path());
  REQUIRE_MESSAGE(store, outcome(store));
  CHECK(count_present(**store, n) == n);
  const auto live = read_text(dir.file("CURRENT"));
  MESSAGE("after the next open: " << joined(names_in(dir.path())));
  CHECK(count_prefixed(dir.path(), "MANIFEST-") == 1);
  CHECK(fsys::exists(dir.file(live.substr(0, live.size() - 1))));
  CHECK(count_suffixed(dir.path(), ".tmp") == 0);
}

// Item 2, recovery's half: sequence numbers are 56 bits. batch::validate already refuses a log
// record that runs past the maximum; the MANIFEST's last_sequence must be held to it as well.
TEST_CASE("recovery accepts no sequence past the 56-bit maximum, in a log record or the MANIFEST") {
  constexpr auto max = storage::max_sequence_number;
  const std::string log = storage::log_file_name(100);
  {
    // Ending exactly at the maximum is still a valid log.
    temp_dir dir;
    fill_store(dir.path(), 0);
    write_log(dir.path(), log, {batch_at(1, 1), batch_at(max - 1, 2)});
    auto store = kepler::db::open(dir.path());
    REQUIRE_MESSAGE(store, outcome(store));
    CHECK((*store)->recovery().batches_replayed == 2);
  }
  const std::pair<storage::sequence_number, int> past[] = {
      {max - 1, 3},     // last = max + 1
      {max + 1, 1},     // first already past
      {UINT64_MAX, 2},  // first + count wraps 64 bits
  };
  for (auto [first, count] : past) {
    temp_dir dir;
    fill_store(dir.path(), 0);
    write_log(dir.path(), log, {batch_at(1, 1), batch_at(first, count)});
    auto store = kepler::db::open(dir.path());
    auto text = outcome(store);
    MESSAGE("log record first " << first << ", count " << count << ": " << text);
    REQUIRE_FALSE(store);
    CHECK(has_code(store.error(), ec::corruption));
    CHECK(text.find(log) != std::string::npos);
    CHECK(text.find("offset") != std::string::npos);
  }
  for (storage::sequence_number last : {max + 1, storage::sequence_number{UINT64_MAX}}) {
    temp_dir dir;
    storage::version_edit edit;
    edit.format_version = storage::current_format_version;
    edit.log_number = 2;
    edit.next_file_number = 3;
    edit.last_sequence = last;
    std::string record;
    edit.encode(&record);
    make_store_with_edit(dir.path(), record);
    auto store = kepler::db::open(dir.path());
    auto text = outcome(store);
    MESSAGE("MANIFEST last_sequence " << last << ": " << text);
    REQUIRE_FALSE(store);
    CHECK(has_code(store.error(), ec::corruption));
    CHECK(text.find(storage::manifest_file_name(1)) != std::string::npos);
    CHECK(text.find("offset") != std::string::npos);
  }
}
