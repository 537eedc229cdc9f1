// Damage to a MANIFEST record that sound records follow in the same block must not pass for a
// torn tail: the log reader drops the rest of the block, and the later, synced edits (tables
// flushed) would vanish with it; recovery would then delete their tables as obsolete.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "storage_format/log/log_reader.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/version/build_table.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/manifest.hpp"
#include "storage_format/version/obsolete_files.hpp"
#include "storage_format/version/recovery.hpp"
#include "test_dir.hpp"

namespace fs = std::filesystem;
using namespace kepler::storage;
using kepler::test::temp_dir;

namespace {

void must(const status& s) {
  REQUIRE_MESSAGE(s.is_ok(), s.message());
}

// MANIFEST-000009: a snapshot (no tables), then two flush edits adding tables 5 and 6 at
// level 0; log 8 is empty. Returns the records' offsets.
std::vector<std::uint64_t> build(const std::string& dir) {
  auto& fsys = *file_system::posix();
  table_options topts;
  topts.compression = block_codec::none;
  memtable t5, t6;
  for (int i = 0; i < 10; ++i) t5.add(1 + i, value_type::value, "k" + std::to_string(i), "v5");
  for (int i = 0; i < 10; ++i) t6.add(11 + i, value_type::value, "m" + std::to_string(i), "v6");
  file_meta f5, f6;
  must(build_table(fsys, dir, topts, t5, 5, &f5));
  must(build_table(fsys, dir, topts, t6, 6, &f6));
  version_edit snap;
  snap.format_version = current_format_version;
  snap.log_number = 8;
  snap.next_file_number = 10;
  snap.last_sequence = 0;
  std::unique_ptr<manifest> man;
  must(manifest::create(fsys, dir, 9, snap, &man));
  version_set versions;
  must(versions.apply(snap, "snapshot"));
  version_edit e5, e6;
  e5.new_files.push_back({0, f5});
  e5.last_sequence = 10;
  must(man->log_and_apply(e5, &versions));
  e6.new_files.push_back({0, f6});
  e6.last_sequence = 20;
  must(man->log_and_apply(e6, &versions));
  man.reset();
  std::unique_ptr<writable_file> log;
  must(fsys.new_writable_file(join_path(dir, log_file_name(8)), &log));
  must(log->close());
  std::unique_ptr<readable_file> file;
  must(fsys.new_readable_file(join_path(dir, manifest_file_name(9)), &file));
  log::reader reader(file.get());
  std::vector<std::uint64_t> offsets;
  std::string record;
  std::uint64_t offset = 0;
  while (reader.read_record(&record, &offset)) offsets.push_back(offset);
  REQUIRE(offsets.size() == 3);
  return offsets;
}

void damage(const std::string& path, std::uint64_t record, bool length) {
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  if (length) {
    // The length claims to run one byte past the end of the file: "truncated", to the reader.
    std::size_t len = bytes.size() - record - 7 + 1;
    bytes[record + 4] = static_cast<char>(len & 0xff);
    bytes[record + 5] = static_cast<char>(len >> 8);
  } else {
    bytes[record + 10] ^= 0x01;  // a payload byte: the checksum fails
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("MANIFEST damage before a sound record refuses the open and deletes no table") {
  for (bool length : {false, true})
    for (auto mode :
         {recovery_mode::point_in_time, recovery_mode::tolerate_tail, recovery_mode::absolute}) {
      CAPTURE(length);
      CAPTURE(static_cast<int>(mode));
      temp_dir dir("kepler-manifest-tail");
      fs::create_directories(dir.path());
      auto offsets = build(dir.path());
      damage(dir.file(manifest_file_name(9)), offsets[1], length);
      recovery_options ropts;
      ropts.create_if_missing = false;
      ropts.mode = mode;
      recovered_store out;
      auto s = recover_store(*file_system::posix(), dir.path(), ropts, &out);
      MESSAGE("damage to the first flush edit (" << (length ? "length" : "payload") << "), mode "
                                                 << static_cast<int>(mode) << ": " << s.message());
      CHECK(s.code() == status_code::corruption);
      CHECK(s.message().find(manifest_file_name(9)) != std::string::npos);
      CHECK(fs::exists(dir.file(table_file_name(5))));
      CHECK(fs::exists(dir.file(table_file_name(6))));
    }
}

TEST_CASE("salvage skips a damaged MANIFEST edit and moves what it cannot use to lost") {
  temp_dir dir("kepler-manifest-salvage");
  fs::create_directories(dir.path());
  auto offsets = build(dir.path());
  damage(dir.file(manifest_file_name(9)), offsets[1], false);
  recovery_options ropts;
  ropts.create_if_missing = false;
  ropts.mode = recovery_mode::salvage;
  recovered_store out;
  must(recover_store(*file_system::posix(), dir.path(), ropts, &out));
  // The second flush's table stays in the store; the first one's edit is gone, so its table is
  // no longer named: it is kept in lost/, with the damaged MANIFEST, not deleted.
  CHECK(out.versions.current()->file_count() == 1);
  CHECK(fs::exists(dir.file(table_file_name(6))));
  const auto lost = dir.path() + "/" + lost_dir_name + "/";
  CHECK(fs::exists(lost + table_file_name(5)));
  CHECK(fs::exists(lost + manifest_file_name(9)));
  std::string report;
  for (const auto& d : out.stats.damage) report += d + "\n";
  MESSAGE("salvage reported:\n" << report);
  CHECK(report.find("lost") != std::string::npos);
}
