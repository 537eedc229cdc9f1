// The damage table of manifest_format.md, through the public API: one test per row that
// recovery_test.cpp, flush_test.cpp and fault_test.cpp do not already pin. Each test damages a
// store the way the row says (or writes the files by hand, framed as the store frames them),
// opens it, prints what the open said, and checks the verdict and that a refused open changed
// nothing.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/src/open_with_file_system.hpp"
#include "engine/store_checks.hpp"
#include "forwarding_file_system.hpp"
#include "kepler/db.hpp"
#include "storage_format/log/log_reader.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/coding.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/version.hpp"
#include "storage_format/version/version_edit.hpp"
#include "test_dir.hpp"

using kepler::ec;
using namespace kepler::test;
namespace storage = kepler::storage;
namespace fsys = std::filesystem;

namespace {

// Every file of `dir` but LOCK (which any open may create), with its contents.
std::map<std::string, std::string> snapshot_of(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (auto& e : fsys::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    if (name == "LOCK") continue;
    std::ifstream in(e.path(), std::ios::binary);
    files[name] = std::string((std::istreambuf_iterator<char>(in)), {});
  }
  return files;
}

std::string encoded(const storage::version_edit& e) {
  std::string out;
  e.encode(&out);
  return out;
}

// What a store's first edit holds: a complete description with no files.
storage::version_edit base_edit() {
  storage::version_edit e;
  e.format_version = storage::current_format_version;
  e.log_number = 2;
  e.next_file_number = 30;
  e.last_sequence = 0;
  return e;
}

// A directory holding a MANIFEST-000001 with `records` and a CURRENT naming it.
void make_store(const std::string& dir, const std::vector<std::string>& records) {
  fsys::create_directories(dir);
  write_log(dir, storage::manifest_file_name(1), records);
  write_text(dir + "/CURRENT", storage::manifest_file_name(1) + "\n");
}

std::string ikey(const std::string& user_key, storage::sequence_number seq) {
  std::string k;
  storage::append_internal_key(&k, user_key, seq, storage::value_type::value);
  return k;
}

storage::file_meta table(std::uint64_t number, const std::string& from, const std::string& to) {
  storage::file_meta f;
  f.number = number;
  f.size = 1000;
  f.smallest = ikey(from, 2);
  f.largest = ikey(to, 1);
  f.smallest_sequence = 1;
  f.largest_sequence = 2;
  return f;
}

// A write batch putting key_of(i) -> value_of(i) for i in [from, from + n), numbered from `seq`.
std::string batch_of(storage::sequence_number seq, int from, int n) {
  auto rep = storage::batch::make_empty();
  for (int i = from; i < from + n; ++i) storage::batch::add_put(&rep, key_of(i), value_of(i));
  storage::batch::set_sequence(&rep, seq);
  return rep;
}

// Opens `dir`, expects corruption whose message holds every one of `names`, and that the open
// changed no file. Returns the message.
std::string expect_corruption(const std::string& dir, const std::vector<std::string>& names,
                              const std::string& what) {
  const auto before = snapshot_of(dir);
  auto store = kepler::db::open(dir);
  auto text = outcome(store);
  MESSAGE(what << ": " << text);
  REQUIRE_FALSE(store);
  CHECK(has_code(store.error(), ec::corruption));
  for (const auto& n : names)
    CHECK_MESSAGE(text.find(n) != std::string::npos, "'" << n << "' not named");
  CHECK(snapshot_of(dir) == before);
  return text;
}

// A file system that removes CURRENT the moment the open goes to read it: listed, then gone.
class vanishing_current_fs : public kepler::test::forwarding_file_system {
 public:
  using forwarding_file_system::forwarding_file_system;
  storage::status new_readable_file(const std::string& path,
                                    std::unique_ptr<storage::readable_file>* out) override {
    if (kepler::test::ends_with(path, "/CURRENT") && !removed) {
      removed = true;
      fsys::remove(path);
    }
    return forwarding_file_system::new_readable_file(path, out);
  }
  bool removed = false;
};

}  // namespace

// Row: CURRENT empty, without the trailing `\n`, or naming something that is not a MANIFEST.
TEST_CASE("a CURRENT that is empty, lacks its newline or names no MANIFEST is corruption") {
  const char* contents[] = {"",   "MANIFEST-000004",    "000005.log\n", "MANIFEST-1\n",
                            "\n", "MANIFEST-000004\n\n"};
  for (const char* text : contents) {
    temp_dir dir;
    fill_store(dir.path(), 10);
    write_text(dir.file("CURRENT"), text);
    std::string shown = text;
    std::replace(shown.begin(), shown.end(), '\n', '|');
    expect_corruption(dir.path(), {"CURRENT"}, "CURRENT = '" + shown + "'");
  }
}

// Row: CURRENT names a MANIFEST that is missing.
TEST_CASE("a CURRENT naming a missing MANIFEST is corruption naming that MANIFEST") {
  temp_dir dir;
  fill_store(dir.path(), 10);
  write_text(dir.file("CURRENT"), storage::manifest_file_name(99) + "\n");
  auto text = expect_corruption(dir.path(), {storage::manifest_file_name(99)},
                                "CURRENT names MANIFEST-000099");
  CHECK(text.find("missing") != std::string::npos);
}

// Row: CURRENT itself vanishes after it was listed.
TEST_CASE("a CURRENT that vanishes after it was listed is corruption naming it, not not_a_store") {
  temp_dir dir;
  fill_store(dir.path(), 10);
  vanishing_current_fs fs(storage::file_system::posix());
  auto store = kepler::detail::open_with_file_system(fs, nullptr, dir.path(), {});
  auto text = outcome(store);
  MESSAGE("CURRENT removed as it was opened: " << text);
  REQUIRE(fs.removed);
  REQUIRE_FALSE(store);
  CHECK(has_code(store.error(), ec::corruption));
  CHECK(text.find("CURRENT") != std::string::npos);
  // Not a fresh store over the data.
  CHECK_FALSE(fsys::exists(dir.file("CURRENT")));
  CHECK_FALSE(with_suffix(dir.path(), ".log").empty());
}

// Row: MANIFEST damage with no valid record after it (torn tail).
TEST_CASE("a torn MANIFEST tail is the end of a crash: the edits before it count") {
  temp_dir dir;
  constexpr int n = 40;
  fill_store(dir.path(), n);
  // The MANIFEST's last record is close()'s closed_log edit: cut it in half.
  auto current = read_text(dir.file("CURRENT"));
  auto manifest = dir.file(current.substr(0, current.size() - 1));
  auto size = fsys::file_size(manifest);
  fsys::resize_file(manifest, size - 4);
  auto store = kepler::db::open(dir.path());
  MESSAGE("MANIFEST cut from " << size << " to " << size - 4 << " bytes: " << outcome(store));
  REQUIRE(store);
  CHECK(count_present(**store, n) == n);
  // Without the closed_log edit the log is the newest, replayed in full.
  CHECK((*store)->recovery().batches_replayed == n);
  // The cut record's remaining bytes are the dropped torn tail, and reported as such.
  const auto& report = (*store)->recovery();
  CHECK(report.torn_tail_bytes > 0);
  CHECK(report.torn_tail_bytes < size);
  REQUIRE(report.damage.size() == 1);
  CHECK(report.damage[0].find(current.substr(0, current.size() - 1)) != std::string::npos);
  MESSAGE("reported: " << report.damage[0]);
}

// Row: MANIFEST damage followed by a valid record.
TEST_CASE("MANIFEST damage followed by a valid record is corruption naming the file and offset") {
  temp_dir dir;
  // Enough edits to pass the first 32 KiB block, so valid records follow the damaged one.
  std::vector<std::string> records{encoded(base_edit())};
  for (int i = 0; i < 5000; ++i) {
    storage::version_edit e;
    e.last_sequence = 0;
    e.next_file_number = 30;
    records.push_back(encoded(e));
  }
  make_store(dir.path(), records);
  REQUIRE(fsys::file_size(dir.file(storage::manifest_file_name(1))) > 40000);
  flip_byte(dir.file(storage::manifest_file_name(1)), 200);
  expect_corruption(dir.path(), {storage::manifest_file_name(1), "offset"},
                    "MANIFEST byte 200 flipped, 5000 edits after it");
}

// Row: an edit of a known format that does not parse (a truncated field; the unknown tag is
// recovery_test.cpp's).
TEST_CASE("an edit with a truncated field is corruption naming the MANIFEST and offset") {
  temp_dir dir;
  std::string edit;
  storage::put_varint32(&edit, 1);  // format_version
  storage::put_varint32(&edit, storage::current_format_version);
  storage::put_varint32(&edit, 3);  // next_file_number
  storage::put_varint64(&edit, 30);
  storage::put_varint32(&edit, 2);  // log_number, and no value
  make_store(dir.path(), {edit});
  auto text = expect_corruption(dir.path(), {storage::manifest_file_name(1), "offset"},
                                "log_number without its value");
  CHECK(text.find("truncated log number") != std::string::npos);
}

// Row: a MANIFEST without format version or file numbers (the missing format version of a first
// edit is recovery_test.cpp's).
TEST_CASE("a MANIFEST without the log number or next file number is corruption") {
  for (int missing = 0; missing < 2; ++missing) {
    temp_dir dir;
    auto e = base_edit();
    if (missing == 0)
      e.log_number.reset();
    else
      e.next_file_number.reset();
    make_store(dir.path(), {encoded(e)});
    auto text = expect_corruption(dir.path(), {storage::manifest_file_name(1)},
                                  missing == 0 ? "no log_number" : "no next_file_number");
    CHECK(text.find("file numbers") != std::string::npos);
  }
}

// Row: a log record that is not a well-formed write batch.
TEST_CASE(
    "a log record that is not a well-formed write batch is corruption naming log and offset") {
  auto miscounted = batch_of(2, 0, 1);
  miscounted[8] = 3;  // the count says three entries; one follows
  const std::pair<const char*, std::string> bad[] = {
      {"a 5-byte record", "short"},
      {"a batch whose count is too high", miscounted},
      {"a batch cut in its entry", batch_of(2, 0, 1).substr(0, 20)},
  };
  const auto log = storage::log_file_name(100);
  for (const auto& [what, record] : bad) {
    temp_dir dir;
    fill_store(dir.path(), 0);
    write_log(dir.path(), log, {batch_of(1, 0, 1), record, batch_of(3, 1, 1)});
    expect_corruption(dir.path(), {log, "offset"}, what);
  }
}

// Row: a log record whose sequence does not follow the one before it.
TEST_CASE("a log record whose sequence does not follow the one before is corruption") {
  {
    temp_dir dir;
    fill_store(dir.path(), 0);
    const auto log = storage::log_file_name(100);
    write_log(dir.path(), log, {batch_of(5, 0, 2), batch_of(6, 2, 1)});
    auto text = expect_corruption(dir.path(), {log, "offset"}, "sequence 6 after 5..6");
    CHECK(text.find("does not follow") != std::string::npos);
  }
  {
    // Across logs too: the newer log may not go back.
    temp_dir dir;
    fill_store(dir.path(), 0);
    write_log(dir.path(), storage::log_file_name(100), {batch_of(10, 0, 1)});
    const auto later = storage::log_file_name(101);
    write_log(dir.path(), later, {batch_of(3, 1, 1)});
    expect_corruption(dir.path(), {later, "offset"}, "sequence 3 in the log after sequence 10");
  }
}

// Row: log damage followed by a valid record, in the newest log (fault_test.cpp damages a closed
// one). A power loss may leave a hole in the unsynced part of the newest log, with valid
// records after it: point_in_time reads up to the hole and drops the rest, so what survives is
// a prefix of the writes; tolerate_tail and absolute refuse the open.
TEST_CASE("damage followed by a valid record in the newest log drops the rest, or refuses") {
  constexpr int n = 400;
  auto make = [](const std::string& dir) {
    fill_store(dir, 0);
    std::vector<std::string> records;
    for (int i = 0; i < n; ++i) records.push_back(batch_of(1 + i, i, 1));
    const auto log = storage::log_file_name(100);
    write_log(dir, log, records);
    REQUIRE(fsys::file_size(dir + "/" + log) > 40000);
    flip_byte(dir + "/" + log, 1000);
    return log;
  };
  for (auto mode : {kepler::recovery_mode::tolerate_tail, kepler::recovery_mode::absolute}) {
    temp_dir dir;
    const auto log = make(dir.path());
    kepler::options opts;
    opts.recovery_mode = mode;
    auto store = kepler::db::open(dir.path(), opts);
    MESSAGE("mode " << static_cast<int>(mode) << ": " << outcome(store));
    REQUIRE_FALSE(store);
    CHECK(has_code(store.error(), ec::corruption));
    CHECK(outcome(store).find(log) != std::string::npos);
  }
  temp_dir dir;
  const auto log = make(dir.path());
  auto store = kepler::db::open(dir.path());
  REQUIRE(store);
  // A prefix survives: keys 0..k-1 and none after.
  int k = 0;
  while (k < n && (*store)->get(key_of(k)).value()) ++k;
  int after = 0;
  for (int i = k; i < n; ++i) after += (*store)->get(key_of(i)).value().has_value();
  const auto& report = (*store)->recovery();
  MESSAGE("point_in_time: prefix of " << k << " records kept, " << report.dropped_records
                                      << " valid records dropped after the damage, "
                                      << report.torn_tail_bytes << " bytes dropped; "
                                      << (report.damage.empty() ? "" : report.damage[0]));
  CHECK(k > 0);
  CHECK(k < n);
  CHECK(after == 0);
  CHECK(report.dropped_records > 0);
  CHECK(report.dropped_records < static_cast<std::uint64_t>(n - k));
  CHECK(report.torn_tail_bytes > 0);
  REQUIRE(report.damage.size() == 1);
  CHECK(report.damage[0].find(log) != std::string::npos);
  CHECK(report.damage[0].find("offset") != std::string::npos);
}

// Row: a table file the MANIFEST names has another size than recorded (the missing one is
// flush_test.cpp's).
TEST_CASE("a table file of another size than the MANIFEST recorded is corruption naming it") {
  kepler::options opts;
  opts.memtable_bytes = 64 * 1024;
  for (int grow = 0; grow < 2; ++grow) {
    temp_dir dir;
    fill_store(dir.path(), 3000, opts);
    auto tables = with_suffix(dir.path(), ".sst");
    REQUIRE_FALSE(tables.empty());
    auto victim = dir.file(tables.front());
    auto size = fsys::file_size(victim);
    if (grow)
      std::ofstream(victim, std::ios::binary | std::ios::app) << "x";
    else
      fsys::resize_file(victim, size - 1);
    auto text = expect_corruption(dir.path(), {tables.front()},
                                  grow ? "a table one byte longer" : "a table one byte shorter");
    CHECK(text.find(std::to_string(size)) != std::string::npos);
  }
}

// Row: a closed log with any damage, even at its end (the cut one is flush_test.cpp's).
TEST_CASE("damage at the very end of a closed log is corruption, never a torn tail") {
  temp_dir dir;
  fill_store(dir.path(), 50);
  auto logs = with_suffix(dir.path(), ".log");
  REQUIRE(logs.size() == 1);
  auto path = dir.file(logs.front());
  auto size = fsys::file_size(path);
  REQUIRE(size > 0);
  // The last record's last byte: no valid record follows, the size is unchanged.
  flip_byte(path, size - 1);
  auto text = expect_corruption(dir.path(), {logs.front()}, "last byte of the closed log flipped");
  CHECK(text.find("closed log") != std::string::npos);
}

// Row: a closed log whose size differs from its recorded length (longer: flush_test.cpp cuts
// one shorter).
TEST_CASE("a closed log grown past its recorded length is corruption naming it") {
  temp_dir dir;
  fill_store(dir.path(), 50);
  auto logs = with_suffix(dir.path(), ".log");
  REQUIRE(logs.size() == 1);
  // A whole valid record appended after the close.
  {
    std::unique_ptr<storage::writable_file> file;
    REQUIRE(
        storage::file_system::posix()->new_appendable_file(dir.file(logs.front()), &file).is_ok());
    storage::log::writer writer(file.get());
    REQUIRE(writer.append_record(batch_of(51, 50, 1)).is_ok());
    REQUIRE(file->close().is_ok());
  }
  auto text = expect_corruption(dir.path(), {logs.front()}, "a record appended to a closed log");
  CHECK(text.find("closed at") != std::string::npos);
}

// Row: a closed log the MANIFEST records, at or above log_number, missing.
TEST_CASE("a closed log that the MANIFEST records is missing: corruption naming it") {
  temp_dir dir;
  fill_store(dir.path(), 50);
  auto logs = with_suffix(dir.path(), ".log");
  REQUIRE(logs.size() == 1);
  fsys::remove(dir.file(logs.front()));
  auto text = expect_corruption(dir.path(), {logs.front()}, "the closed log removed");
  CHECK(text.find("recorded this log as closed") != std::string::npos);
}

// Row: damage at the end of an unrecorded older log: replay stops there, later logs are dropped
// as torn.
TEST_CASE("a torn tail in an unrecorded older log ends the replay, later logs count as torn") {
  temp_dir dir;
  fill_store(dir.path(), 0);
  // What a power loss between a log switch and its closed_log edit can leave: log 100 torn in
  // its last record, log 101 after it.
  const auto older = dir.file(storage::log_file_name(100));
  const auto newer = dir.file(storage::log_file_name(101));
  write_log(dir.path(), storage::log_file_name(100),
            {batch_of(1, 0, 10), batch_of(11, 10, 10), batch_of(21, 20, 10)});
  fsys::resize_file(older, fsys::file_size(older) - 50);
  write_log(dir.path(), storage::log_file_name(101), {batch_of(31, 30, 10)});
  const auto newer_bytes = fsys::file_size(newer);
  {
    auto store = kepler::db::open(dir.path());
    REQUIRE_MESSAGE(store, outcome(store));
    const auto& r = (*store)->recovery();
    MESSAGE("opened: logs replayed " << r.logs_replayed << ", batches " << r.batches_replayed
                                     << ", torn tail bytes " << r.torn_tail_bytes << " (log 101 is "
                                     << newer_bytes << ")");
    CHECK(count_present(**store, 20) == 20);
    for (int i = 20; i < 40; ++i) CHECK_FALSE((*store)->get(key_of(i))->has_value());
    CHECK(r.batches_replayed == 2);
    CHECK(r.torn_tail_bytes > newer_bytes);
    // New writes continue after what was replayed.
    REQUIRE((*store)->insert(key_of(30), "after"));
    REQUIRE((*store)->close());
  }
  // The dropped logs are gone, not replayed at a later open.
  CHECK_FALSE(fsys::exists(older));
  CHECK_FALSE(fsys::exists(newer));
  auto again = kepler::db::open(dir.path());
  REQUIRE_MESSAGE(again, outcome(again));
  CHECK(count_present(**again, 20) == 20);
  CHECK((*again)->get(key_of(30))->value_or("") == "after");
  CHECK_FALSE((*again)->get(key_of(31))->has_value());
}

// Row: an edit that deletes a file the level does not hold, adds a number already live, or makes
// a level above 0 overlap.
TEST_CASE("an edit whose files do not apply is corruption naming the MANIFEST and offset") {
  struct damage {
    const char* what;
    std::vector<storage::version_edit> edits;
    const char* says;
  };
  storage::version_edit add5;
  add5.new_files.push_back({1, table(5, "a", "f")});
  storage::version_edit delete_absent;
  delete_absent.deleted_files.push_back({2, 5});
  storage::version_edit add5_again;
  add5_again.new_files.push_back({0, table(5, "x", "z")});
  storage::version_edit overlap;
  overlap.new_files.push_back({1, table(6, "e", "k")});
  const damage cases[] = {
      {"deleting table 5 from level 2, which holds none", {add5, delete_absent}, "does not hold"},
      {"adding table 5 while it is live", {add5, add5_again}, "added twice"},
      {"tables 5 and 6 overlapping on level 1", {add5, overlap}, "overlap"},
  };
  for (const auto& c : cases) {
    temp_dir dir;
    std::vector<std::string> records{encoded(base_edit())};
    for (const auto& e : c.edits) records.push_back(encoded(e));
    make_store(dir.path(), records);
    auto text = expect_corruption(dir.path(), {storage::manifest_file_name(1), "offset"}, c.what);
    CHECK(text.find(c.says) != std::string::npos);
  }
}

// Row: a new_file whose level is out of range or whose key is shorter than 8 bytes.
TEST_CASE("a new_file with a level out of range or a key under 8 bytes is corruption") {
  auto deep = base_edit();
  deep.new_files.push_back({storage::num_levels, table(5, "a", "f")});
  auto short_smallest = base_edit();
  short_smallest.new_files.push_back({0, table(5, "a", "f")});
  short_smallest.new_files.back().meta.smallest = "1234567";
  auto short_largest = base_edit();
  short_largest.new_files.push_back({0, table(5, "a", "f")});
  short_largest.new_files.back().meta.largest.clear();
  const std::pair<const char*, storage::version_edit> cases[] = {
      {"level 7", deep},
      {"a 7-byte smallest key", short_smallest},
      {"an empty largest key", short_largest},
  };
  for (const auto& [what, edit] : cases) {
    temp_dir dir;
    make_store(dir.path(), {encoded(edit)});
    auto text = expect_corruption(dir.path(), {storage::manifest_file_name(1), "offset"}, what);
    CHECK((text.find("out of range") != std::string::npos ||
           text.find("too short") != std::string::npos));
  }
}

// Version edit: "Version 1 stores open as they are".
TEST_CASE("a version 1 store opens as it is, a writable open records it as version 2") {
  temp_dir dir;
  auto v1 = base_edit();
  v1.format_version = 1;
  make_store(dir.path(), {encoded(v1)});
  // As version 1 left a store: its log number stays 2, a log it never created, and every open
  // wrote a new log (3, then 5) and kept the old ones.
  write_log(dir.path(), storage::log_file_name(3), {batch_of(1, 0, 3)});
  write_log(dir.path(), storage::log_file_name(5), {batch_of(4, 3, 2)});
  {
    kepler::options ro;
    ro.read_only = true;
    const auto before = snapshot_of(dir.path());
    auto store = kepler::db::open(dir.path(), ro);
    MESSAGE("read-only open of a version 1 store: " << outcome(store));
    REQUIRE(store);
    CHECK(count_present(**store, 5) == 5);
    REQUIRE((*store)->close());
    CHECK(snapshot_of(dir.path()) == before);
  }
  {
    auto store = kepler::db::open(dir.path());
    MESSAGE("writable open of a version 1 store: " << outcome(store));
    REQUIRE(store);
    CHECK(count_present(**store, 5) == 5);
    REQUIRE((*store)->close());
  }
  auto current = read_text(dir.file("CURRENT"));
  std::unique_ptr<storage::readable_file> file;
  REQUIRE(storage::file_system::posix()
              ->new_readable_file(dir.file(current.substr(0, current.size() - 1)), &file)
              .is_ok());
  storage::log::reader reader(file.get());
  std::string record;
  REQUIRE(reader.read_record(&record));
  storage::version_edit first;
  REQUIRE(first.decode(record, "first edit").is_ok());
  MESSAGE("the fresh MANIFEST's first edit: format version " << first.format_version.value_or(0));
  CHECK(first.format_version == 2u);
}
