// kepler log and kepler check on stores damaged after the library wrote them: a log damaged
// in its first block with sound records after it, a closed log cut short, a missing table,
// and leftovers the version does not name. Each problem must fail check with the file named;
// a leftover is only a warning.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli/cli_process.hpp"
#include "cli/written_store.hpp"
#include "test_dir.hpp"

using kepler::test::field;
using kepler::test::lines_of;
using kepler::test::names_with;
using kepler::test::run_cli;
using kepler::test::temp_dir;
using kepler::test::write_store;
using kepler::test::written_store;
namespace fs = std::filesystem;

namespace {

void flip_byte(const std::string& path, std::uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x01));
}

unsigned long long number_field(const std::string& text, const std::string& name) {
  return std::stoull("0" + field(text, name));
}

// A small store whose closed log spans more than one 32 KiB log block.
written_store long_log() {
  written_store w;
  w.first = 200;
  w.puts = 400;
  return w;
}

}  // namespace

TEST_CASE("kepler log and check report damage in a log's first block that sound records follow") {
  temp_dir dir("kepler-inspect");
  const auto w = long_log();
  write_store(dir.path(), w);
  const auto logs = names_with(dir.path(), ".log");
  REQUIRE(logs.size() == 1);
  const std::string path = dir.file(logs[0]);
  REQUIRE(fs::file_size(path) > 32768);
  flip_byte(path, 100);

  const auto log = run_cli({"log", path});
  CHECK(log.exit_code == 1);
  CHECK(log.err.find(path + ": corruption at offset 0: bad checksum") != std::string::npos);
  std::string dropped = field(log.out, "dropped");
  CHECK(dropped == "offset 0, 32768 bytes, bad checksum, damage (sound records follow)");
  // The records after the dropped block still read, and are all puts of the third phase.
  const auto records = number_field(log.out, "records");
  CHECK(records > 0);
  CHECK(records < static_cast<unsigned long long>(w.puts + w.dels));

  const auto check = run_cli({"check", dir.path()});
  CHECK(check.exit_code == 1);
  CHECK(check.err.find(path + ": bad checksum at offset 0") != std::string::npos);
  MESSAGE("log of " << fs::file_size(path) << " bytes: " << records << " of " << w.puts + w.dels
                    << " records after the damaged block; check: " << lines_of(check.err).at(0));
}

TEST_CASE("a closed log cut short is a torn tail to kepler log and a problem to kepler check") {
  temp_dir dir("kepler-inspect");
  const written_store w;
  write_store(dir.path(), w);
  const auto logs = names_with(dir.path(), ".log");
  REQUIRE(logs.size() == 1);
  const std::string path = dir.file(logs[0]);
  const auto size = fs::file_size(path);
  fs::resize_file(path, size - 3);

  const auto log = run_cli({"log", path});
  CHECK(log.exit_code == 0);
  CHECK(number_field(log.out, "records") == static_cast<unsigned long long>(w.puts + w.dels - 1));
  const std::string dropped = field(log.out, "dropped");
  CHECK(dropped.find("truncated, torn tail") != std::string::npos);

  const auto check = run_cli({"check", dir.path()});
  CHECK(check.exit_code == 1);
  CHECK(check.err.find(path + ": holds " + std::to_string(size - 3) +
                       " bytes, but the MANIFEST recorded it closed at " + std::to_string(size)) !=
        std::string::npos);
  MESSAGE("cut " << logs[0] << " from " << size << " to " << size - 3
                 << " bytes: " << lines_of(check.err).size() << " problem lines; log: " << dropped);
}

TEST_CASE("kepler check names a missing table and only warns about leftovers") {
  temp_dir dir("kepler-inspect");
  const written_store w;
  write_store(dir.path(), w);
  const auto tables = names_with(dir.path(), ".sst");
  REQUIRE(tables.size() >= 2);

  // A copy under an unused number and a stranger's file: the version names neither.
  fs::copy_file(dir.file(tables[0]), dir.file("999999.sst"));
  std::ofstream(dir.file("notes.txt")) << "not the store's";
  auto check = run_cli({"check", dir.path()});
  CHECK_MESSAGE(check.exit_code == 0, check.err);
  CHECK(check.out.find("warning: " + dir.file("999999.sst") + ": not referenced") !=
        std::string::npos);
  CHECK(check.out.find("note: " + dir.file("notes.txt")) != std::string::npos);

  fs::remove(dir.file(tables[1]));
  check = run_cli({"check", dir.path()});
  CHECK(check.exit_code == 1);
  CHECK(check.err.find(dir.file(tables[1]) + ": missing") != std::string::npos);
  CHECK(check.out.find("; 1 problems") != std::string::npos);
  MESSAGE(tables.size() << " tables; removed " << tables[1] << ": " << lines_of(check.err).at(0));
}
