// The inspection commands (kepler sst, manifest, log, check) run as a program on stores the
// library wrote: what they print must be what the test wrote (entry counts, key ranges, file
// numbers, sequences), damage must fail them with the file and an offset inside the damaged
// table's data, and running them must leave every file of the store as it was.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cli/cli_process.hpp"
#include "cli/written_store.hpp"
#include "kepler/db.hpp"
#include "test_dir.hpp"

using kepler::test::field;
using kepler::test::key_of;
using kepler::test::lines_of;
using kepler::test::names_with;
using kepler::test::read_whole_file;
using kepler::test::run_cli;
using kepler::test::temp_dir;
using kepler::test::value_of;
using kepler::test::write_store;
using kepler::test::written_store;
namespace fs = std::filesystem;

namespace {

// One "file:" line of the version `kepler manifest` prints.
struct listed_file {
  int level = -1;
  unsigned long long number = 0, size = 0, smallest_seq = 0, largest_seq = 0;
  std::string smallest, largest;
  unsigned long long first_seq = 0, last_seq = 0;
};

std::vector<listed_file> version_files(const std::string& out) {
  std::vector<listed_file> files;
  for (const auto& line : lines_of(out)) {
    listed_file f;
    char smallest[64], largest[64], t1[16], t2[16];
    if (std::sscanf(line.c_str(),
                    "    file: level %d, number %llu, size %llu, smallest %63s @%llu %15s "
                    "largest %63s @%llu %15s sequences %llu..%llu",
                    &f.level, &f.number, &f.size, smallest, &f.smallest_seq, t1, largest,
                    &f.largest_seq, t2, &f.first_seq, &f.last_seq) == 11) {
      f.smallest = smallest;
      f.largest = largest;
      files.push_back(f);
    }
  }
  return files;
}

std::string table_name(unsigned long long number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu.sst", number);
  return buf;
}

unsigned long long number_field(const std::string& text, const std::string& name) {
  return std::stoull("0" + field(text, name));
}

// Every entry's name and bytes.
std::map<std::string, std::string> contents_of(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    files[e.path().filename().string()] = read_whole_file(e.path().string());
  return files;
}

}  // namespace

TEST_CASE("kepler manifest, sst and log print what the store was written with") {
  temp_dir dir("kepler-inspect");
  const written_store w;
  write_store(dir.path(), w);

  auto manifest = run_cli({"manifest", dir.path()});
  REQUIRE_MESSAGE(manifest.exit_code == 0, manifest.err);
  CHECK(manifest.err.empty());
  const auto files = version_files(manifest.out);
  const auto tables_on_disk = names_with(dir.path(), ".sst");
  std::vector<std::string> listed;
  for (const auto& f : files) listed.push_back(table_name(f.number));
  std::sort(listed.begin(), listed.end());
  CHECK(listed == tables_on_disk);
  CHECK(field(manifest.out, "  last sequence") == std::to_string(w.last_table_sequence()));

  // The second phase is one level-0 table; the first phase's keys lie in the others.
  int second_tables = 0, deeper = 0;
  std::string first_smallest = "~", first_largest;
  for (const auto& f : files) {
    if (f.smallest[0] == 'm') {
      ++second_tables;
      CHECK(f.level == 0);
      CHECK(f.smallest == key_of('m', 0));
      CHECK(f.largest == key_of('m', w.second - 1));
      CHECK(f.first_seq == static_cast<unsigned long long>(w.first) + 1);
      CHECK(f.last_seq == w.last_table_sequence());
      continue;
    }
    CHECK(f.smallest[0] == 'a');
    CHECK(f.last_seq <= static_cast<unsigned long long>(w.first));
    if (f.level > 0) ++deeper;
    first_smallest = std::min(first_smallest, f.smallest);
    first_largest = std::max(first_largest, f.largest);
  }
  CHECK(second_tables == 1);
  CHECK(deeper >= 2);
  CHECK(first_smallest == key_of('a', 0));
  CHECK(first_largest == key_of('a', w.first - 1));
  const auto records = number_field(manifest.out, "records");
  CHECK(records >= 1);

  // Each table's own view: entries add up to every key written to tables, ranges agree.
  unsigned long long entries = 0, blocks = 0;
  for (const auto& f : files) {
    const auto sst = run_cli({"sst", dir.file(table_name(f.number)), "--scan"});
    REQUIRE_MESSAGE(sst.exit_code == 0, sst.err);
    const auto n = number_field(sst.out, "entries");
    CHECK(number_field(sst.out, "scanned entries") == n);
    CHECK(number_field(sst.out, "file bytes") == f.size);
    CHECK(field(sst.out, "smallest key") ==
          f.smallest + " @" + std::to_string(f.smallest_seq) + " value");
    CHECK(field(sst.out, "min sequence") == std::to_string(f.first_seq));
    CHECK(field(sst.out, "max sequence") == std::to_string(f.last_seq));
    CHECK(field(sst.out, "filter").rfind("present, ", 0) == 0);
    // One index line per data block, each with a codec the trailer names.
    const auto data_blocks = number_field(sst.out, "data blocks");
    unsigned long long index_lines = 0;
    for (const auto& line : lines_of(sst.out)) {
      unsigned long long block = 0, offset = 0, size = 0;
      char codec[16];
      if (std::sscanf(line.c_str(), " %llu %llu %llu %15s", &block, &offset, &size, codec) == 4) {
        CHECK(block == index_lines);
        CHECK((std::string(codec) == "lz4" || std::string(codec) == "none"));
        ++index_lines;
      }
    }
    CHECK(index_lines == data_blocks);
    blocks += data_blocks;
    entries += n;
  }
  CHECK(entries == static_cast<unsigned long long>(w.first + w.second));

  // The closed log holds the third phase, one batch per write.
  const auto logs = names_with(dir.path(), ".log");
  REQUIRE(logs.size() == 1);
  const auto log = run_cli({"log", dir.file(logs[0])});
  REQUIRE_MESSAGE(log.exit_code == 0, log.err);
  CHECK(number_field(log.out, "records") == static_cast<unsigned long long>(w.puts + w.dels));
  CHECK(number_field(log.out, "entries") == static_cast<unsigned long long>(w.puts + w.dels));
  CHECK(field(log.out, "sequences") ==
        std::to_string(w.last_table_sequence() + 1) + ".." + std::to_string(w.last_sequence()));
  int puts = 0, dels = 0;
  for (const auto& line : lines_of(log.out)) {
    if (line == "  put\t" + std::to_string(w.last_table_sequence() + 1) + "\t" + key_of('z', 0) +
                    "\t" + value_of(0))
      CHECK(puts == 0);
    puts += line.rfind("  put\t", 0) == 0;
    dels += line.rfind("  del\t", 0) == 0;
  }
  CHECK(puts == w.puts);
  CHECK(dels == w.dels);
  CHECK(log.out.find("dropped:") == std::string::npos);
  MESSAGE("manifest records " << records << ", tables " << files.size() << " (" << deeper
                              << " below level 0), blocks " << blocks << ", table entries "
                              << entries << ", log records " << w.puts + w.dels);
}

TEST_CASE("kepler check passes a sound store and names what it verified") {
  temp_dir dir("kepler-inspect");
  const written_store w;
  write_store(dir.path(), w);
  const auto check = run_cli({"check", dir.path()});
  REQUIRE_MESSAGE(check.exit_code == 0, check.err);
  CHECK(check.err.empty());
  std::string summary;
  for (const auto& line : lines_of(check.out))
    if (line.rfind("checked MANIFEST-", 0) == 0) summary = line;
  REQUIRE(!summary.empty());
  unsigned long long records = 0, tables = 0, blocks = 0, bytes = 0, entries = 0, logs = 0,
                     log_records = 0, log_entries = 0, problems = 0;
  char name[32];
  REQUIRE(std::sscanf(summary.c_str(),
                      "checked %31[^:]: %llu records; %llu tables, %llu blocks, %llu bytes, %llu "
                      "entries; %llu logs, %llu records, %llu entries; %llu problems",
                      name, &records, &tables, &blocks, &bytes, &entries, &logs, &log_records,
                      &log_entries, &problems) == 10);
  CHECK(tables == names_with(dir.path(), ".sst").size());
  CHECK(entries == static_cast<unsigned long long>(w.first + w.second));
  CHECK(logs == 1);
  CHECK(log_records == static_cast<unsigned long long>(w.puts + w.dels));
  CHECK(problems == 0);
  CHECK(blocks >= tables);
  CHECK(fs::exists(dir.file(name)));
  MESSAGE(summary);
}

TEST_CASE("a flipped byte in a table's data block fails kepler check and kepler sst --verify") {
  temp_dir dir("kepler-inspect");
  const written_store w;
  write_store(dir.path(), w);
  // The largest table and the middle of its middle data block, from its own index.
  std::string victim;
  std::uintmax_t largest = 0;
  for (const auto& name : names_with(dir.path(), ".sst"))
    if (fs::file_size(dir.file(name)) > largest)
      largest = fs::file_size(dir.file(name)), victim = name;
  const std::string path = dir.file(victim);
  const auto sst = run_cli({"sst", path});
  REQUIRE(sst.exit_code == 0);
  std::vector<std::pair<unsigned long long, unsigned long long>> blocks;  // offset, size
  for (const auto& line : lines_of(sst.out)) {
    unsigned long long block = 0, offset = 0, size = 0;
    char codec[16];
    if (std::sscanf(line.c_str(), " %llu %llu %llu %15s", &block, &offset, &size, codec) == 4)
      blocks.emplace_back(offset, size);
  }
  REQUIRE(blocks.size() >= 2);
  const auto [block_offset, block_size] = blocks[blocks.size() / 2];
  const unsigned long long data_end = blocks.back().first + blocks.back().second + 5;
  const unsigned long long flipped = block_offset + block_size / 2;
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(flipped));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(flipped));
    f.put(static_cast<char>(c ^ 0x20));
  }

  auto reported_offset = [&](const std::string& err) -> long long {
    const auto at = err.find(path + ": corruption at offset ");
    if (at == std::string::npos) return -1;
    return std::stoll(err.substr(at + path.size() + 22));
  };
  const auto check = run_cli({"check", dir.path()});
  CHECK(check.exit_code == 1);
  const long long check_offset = reported_offset(check.err);
  CHECK_MESSAGE(check_offset >= 0, check.err);
  CHECK(static_cast<unsigned long long>(check_offset) < data_end);
  CHECK(static_cast<unsigned long long>(check_offset) <= flipped);
  CHECK(check.out.find("1 problems") != std::string::npos);

  const auto verify = run_cli({"sst", path, "--verify"});
  CHECK(verify.exit_code == 1);
  const long long verify_offset = reported_offset(verify.err);
  CHECK_MESSAGE(verify_offset == check_offset, verify.err);
  CHECK(static_cast<unsigned long long>(verify_offset) == block_offset);
  MESSAGE("flipped byte " << flipped << " of " << victim << " (data ends at " << data_end
                          << "); reported: " << lines_of(check.err).at(0));
}

TEST_CASE("stats, check, manifest, log, sst and dump leave every file of the store as it was") {
  temp_dir dir("kepler-inspect");
  const written_store w;
  write_store(dir.path(), w);
  const auto before = contents_of(dir.path());
  std::vector<std::vector<std::string>> runs{{"stats", dir.path()},
                                             {"check", dir.path()},
                                             {"manifest", dir.path()},
                                             {"dump", dir.path()},
                                             {"dump", dir.path(), "--json"}};
  for (const auto& name : names_with(dir.path(), ".log")) runs.push_back({"log", dir.file(name)});
  for (const auto& name : names_with(dir.path(), ".sst"))
    runs.push_back({"sst", dir.file(name), "--scan", "--verify"});
  for (const auto& args : runs) {
    const auto r = run_cli(args);
    CHECK_MESSAGE(r.exit_code == 0, args[0] << ": " << r.err);
  }
  const auto after = contents_of(dir.path());
  std::uint64_t bytes = 0;
  for (const auto& [name, data] : before) bytes += data.size();
  CHECK(after.size() == before.size());
  CHECK(after == before);
  MESSAGE(runs.size() << " commands run; " << before.size() << " files, " << bytes
                      << " bytes, unchanged");
}
