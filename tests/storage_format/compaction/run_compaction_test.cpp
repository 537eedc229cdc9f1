// run_compaction over a vector-backed input: the versions no reader sees are dropped, those a
// snapshot sees are kept, deletions go only in the lowest stripe and only when no deeper level
// holds the key; outputs split at the target size and at the grandparent overlap but never
// inside one user key's versions; a cancel, an I/O failure, bad input or a failing input
// iterator leave no output file.

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compaction_fixture.hpp"
#include "fault_file_system.hpp"
#include "storage_format/compaction/run_compaction.hpp"
#include "test_dir.hpp"

using namespace kepler::storage;
using kepler::test::entries_iterator;
using kepler::test::entry;
using kepler::test::ikey;
using kepler::test::in_key_order;
using kepler::test::make_version;
using kepler::test::table_file;

namespace {

entry put(const std::string& user_key, sequence_number seq, std::string value = "") {
  if (value.empty()) value = user_key + "@" + std::to_string(seq);
  return {ikey(user_key, seq), std::move(value)};
}
entry del(const std::string& user_key, sequence_number seq) {
  return {ikey(user_key, seq, value_type::deletion), ""};
}

std::string key_of(int i) {
  return "key" + std::to_string(100000 + i);
}

// A directory, a compaction of level 1 into level 2 (with made-up input files, for the bytes
// read) over a base version holding `deeper` files, and a file number counter.
struct job_fixture {
  kepler::test::temp_dir dir{"kepler-compaction"};
  file_system& posix = *file_system::posix();
  compaction c;
  table_options table;
  std::uint64_t next_number = 100;
  std::uint64_t numbers_taken = 0;
  compaction_result result;

  explicit job_fixture(const std::vector<kepler::test::placed_file>& deeper = {}) {
    REQUIRE(posix.create_dir(dir.path()).is_ok());
    std::vector<kepler::test::placed_file> files = deeper;
    auto in1 = table_file(1, "a", "m", 4000);
    auto in2 = table_file(2, "a", "z", 6000);
    files.push_back({1, in1});
    files.push_back({2, in2});
    c.level = 1;
    c.base = make_version(files);
    c.inputs[0] = {in1};
    c.inputs[1] = {in2};
    table.block_bytes = 1024;
    // Raw blocks: the cases below size their entries against target_file_size, which counts
    // bytes on disk (compressed ones, with a codec).
    table.compression = block_codec::none;
  }

  status run(std::vector<entry> entries, const std::vector<sequence_number>& snapshots = {},
             const std::atomic<bool>* cancel = nullptr, file_system* fs = nullptr) {
    entries_iterator input(std::move(entries));
    return run(input, snapshots, cancel, fs);
  }
  status run(internal_iterator& input, const std::vector<sequence_number>& snapshots = {},
             const std::atomic<bool>* cancel = nullptr, file_system* fs = nullptr) {
    return run_compaction(
        fs != nullptr ? *fs : posix, dir.path(), table, c, input, snapshots,
        [this] {
          ++numbers_taken;
          return next_number++;
        },
        cancel, &result);
  }
  std::vector<entry> outputs() {
    return kepler::test::read_outputs(posix, dir.path(), result.outputs);
  }
  std::vector<std::string> files() { return kepler::test::dir_entries(posix, dir.path()); }

  // The figures every successful run must add up to.
  void check_figures(const std::vector<entry>& written) {
    CHECK(result.bytes_read == 10000);
    std::uint64_t bytes = 0;
    for (const auto& f : result.outputs) bytes += f.size;
    CHECK(result.bytes_written == bytes);
    CHECK(result.entries_out == written.size());
    CHECK(result.entries_in ==
          result.entries_out + result.overwritten_dropped + result.deletions_dropped);
    CHECK(files().size() == result.outputs.size());
  }
};

// Consecutive outputs: each one's last user key sorts strictly before the next one's first.
void check_outputs_disjoint(const compaction_result& r) {
  for (std::size_t i = 1; i < r.outputs.size(); ++i) {
    CAPTURE(i);
    CHECK(extract_user_key(r.outputs[i - 1].largest) < extract_user_key(r.outputs[i].smallest));
  }
}

}  // namespace

TEST_CASE("a compaction drops the versions a newer version hides when no snapshot sees them") {
  job_fixture f;
  auto input = in_key_order(
      {put("a", 10), put("a", 7), put("a", 3), put("b", 5), del("c", 9), put("c", 4), put("d", 2)});
  REQUIRE(f.run(input).is_ok());
  const auto out = f.outputs();
  // "c": its deletion goes too (nothing deeper holds "c"), and the value it hid with it.
  CHECK(out == std::vector<entry>{put("a", 10), put("b", 5), put("d", 2)});
  CHECK(f.result.entries_in == 7);
  CHECK(f.result.overwritten_dropped == 3);
  CHECK(f.result.deletions_dropped == 1);
  REQUIRE(f.result.outputs.size() == 1);
  CHECK(f.result.outputs[0].number == 100);
  CHECK(f.result.outputs[0].smallest_sequence == 2);
  CHECK(f.result.outputs[0].largest_sequence == 10);
  f.check_figures(out);
  MESSAGE(f.result.entries_in << " entries in, " << f.result.entries_out << " out, "
                              << f.result.overwritten_dropped << " overwritten and "
                              << f.result.deletions_dropped << " deletions dropped");
}

TEST_CASE(
    "a compaction keeps the newest version of each snapshot stripe, which that snapshot "
    "sees") {
  job_fixture f;
  // Snapshots 5 and 8 cut the sequences into (..5], (5..8], (8..): stripes 0, 1 and above.
  auto input = in_key_order(
      {put("k", 10), put("k", 9), put("k", 8), put("k", 6), put("k", 5), put("k", 4), put("k", 2)});
  REQUIRE(f.run(input, {5, 8}).is_ok());
  const auto out = f.outputs();
  CHECK(out == std::vector<entry>{put("k", 10), put("k", 8), put("k", 5)});
  CHECK(f.result.overwritten_dropped == 4);
  f.check_figures(out);

  // A snapshot at a sequence no version has still sees the newest below it.
  job_fixture g;
  REQUIRE(g.run(in_key_order({put("k", 10), put("k", 6), put("k", 4)}), {7}).is_ok());
  CHECK(g.outputs() == std::vector<entry>{put("k", 10), put("k", 6)});
  MESSAGE("7 versions under snapshots 5 and 8: kept " << out.size() << " (10, 8, 5)");
}

TEST_CASE(
    "a compaction drops a deletion only in the lowest stripe and only when no deeper level "
    "holds its key") {
  // Level 3 (below the output level 2) holds "held".
  job_fixture f({{3, table_file(50, "held", "held", 100)}});
  auto input = in_key_order({
      del("above", 9), put("above", 3),  // the deletion above snapshot 5: snapshot 5 sees 3
      del("free", 4), put("free", 2),    // lowest stripe, nothing deeper: both go
      del("held", 4), put("held", 2),    // lowest stripe, but level 3 may hold an older "held"
      del("only", 9),                    // above the snapshot: kept (the rule looks no further)
  });
  REQUIRE(f.run(input, {5}).is_ok());
  const auto out = f.outputs();
  CHECK(out ==
        std::vector<entry>{del("above", 9), put("above", 3), del("held", 4), del("only", 9)});
  CHECK(f.result.deletions_dropped == 1);
  CHECK(f.result.overwritten_dropped == 2);  // free@2, held@2
  f.check_figures(out);

  // Without snapshots every version is in the lowest stripe.
  job_fixture g({{3, table_file(50, "held", "held", 100)}});
  REQUIRE(g.run(input).is_ok());
  CHECK(g.outputs() == std::vector<entry>{del("held", 4)});
  CHECK(g.result.deletions_dropped == 3);
  MESSAGE("with snapshot 5: " << f.result.deletions_dropped
                              << " deletion dropped, 3 kept; without: "
                              << g.result.deletions_dropped << " dropped, 1 kept (held deeper)");
}

TEST_CASE("a compaction splits its output at the target file size") {
  job_fixture f;
  f.c.options.target_file_size = 16 * 1024;
  std::vector<entry> input;
  for (int i = 0; i < 2000; ++i) input.push_back(put(key_of(i), 5000 + i, std::string(100, 'v')));
  REQUIRE(f.run(input).is_ok());
  const auto out = f.outputs();
  CHECK(out == input);
  f.check_figures(out);
  REQUIRE(f.result.outputs.size() > 5);
  std::uint64_t largest = 0;
  for (std::size_t i = 0; i < f.result.outputs.size(); ++i) {
    const auto& meta = f.result.outputs[i];
    CAPTURE(i);
    CHECK(meta.number == 100 + i);
    // Closed once the blocks written reach the target; then the last block, the filter, index
    // and footer follow.
    if (i + 1 < f.result.outputs.size()) CHECK(meta.size >= f.c.options.target_file_size);
    CHECK(meta.size < f.c.options.target_file_size + 4 * f.table.block_bytes);
    largest = std::max(largest, meta.size);
  }
  check_outputs_disjoint(f.result);
  MESSAGE(out.size() << " entries in " << f.result.outputs.size() << " outputs of target "
                     << f.c.options.target_file_size << " bytes, the largest " << largest);
}

TEST_CASE("a compaction never splits one user key's versions across outputs") {
  job_fixture f;
  f.c.options.target_file_size = 8 * 1024;
  std::vector<entry> input;
  std::vector<sequence_number> snapshots;
  for (int i = 0; i < 40; ++i) input.push_back(put(key_of(i), 10 + i, std::string(100, 'a')));
  // 300 versions of one key, each seen by a snapshot of its own: ~30 KiB that must stay whole.
  for (int v = 0; v < 300; ++v) {
    input.push_back(put("key100040", 1000 + v, std::string(100, 'm')));
    snapshots.push_back(1000 + v);
  }
  for (int i = 41; i < 80; ++i) input.push_back(put(key_of(i), 10 + i, std::string(100, 'z')));
  input = in_key_order(input);
  REQUIRE(f.run(input, snapshots).is_ok());
  const auto out = f.outputs();
  CHECK(out == input);
  f.check_figures(out);
  check_outputs_disjoint(f.result);
  int holding = 0;
  std::uint64_t its_size = 0;
  for (const auto& meta : f.result.outputs) {
    const bool holds = extract_user_key(meta.smallest) <= "key100040" &&
                       "key100040" <= extract_user_key(meta.largest);
    if (holds) {
      ++holding;
      its_size = meta.size;
    }
  }
  CHECK(holding == 1);
  CHECK(its_size > 3 * f.c.options.target_file_size);  // it wanted to split, and could not
  MESSAGE(f.result.outputs.size() << " outputs; the one holding all 300 versions of a key is "
                                  << its_size << " bytes (target " << f.c.options.target_file_size
                                  << ")");
}

TEST_CASE("a compaction closes an output once it overlaps too many grandparent bytes") {
  constexpr std::uint64_t gp_size = 1000;
  auto run = [](bool with_grandparents, compaction_result* result) {
    std::vector<kepler::test::placed_file> level3;
    for (int g = 0; g < 20; ++g)
      level3.push_back({3, table_file(200 + g, key_of(10 * g), key_of(10 * g + 9), gp_size)});
    job_fixture f(level3);
    f.c.options.target_file_size = std::uint64_t{1} << 30;  // size never splits here
    f.c.options.max_grandparent_overlap = 2500;
    if (with_grandparents)
      for (const auto& p : level3) f.c.grandparents.push_back(p.file);
    std::vector<entry> input;
    for (int i = 0; i < 200; ++i) input.push_back(put(key_of(i), 1 + i));
    REQUIRE(f.run(input).is_ok());
    CHECK(f.outputs() == input);
    check_outputs_disjoint(f.result);
    // Bytes of grandparents each output's range overlaps: the counted ones plus at most one
    // at each end.
    std::uint64_t worst = 0;
    for (std::size_t i = 0; i < f.result.outputs.size(); ++i) {
      const auto& meta = f.result.outputs[i];
      std::uint64_t bytes = 0;
      for (const auto& p : level3)
        if (!(extract_user_key(p.file->largest) < extract_user_key(meta.smallest) ||
              extract_user_key(p.file->smallest) > extract_user_key(meta.largest)))
          bytes += p.file->size;
      worst = std::max(worst, bytes);
      // Closed no earlier than the limit asks (the keys are dense: no grandparent lies between
      // two outputs).
      if (with_grandparents && i + 1 < f.result.outputs.size())
        CHECK(bytes > f.c.options.max_grandparent_overlap);
    }
    if (with_grandparents) CHECK(worst <= f.c.options.max_grandparent_overlap + 2 * gp_size);
    *result = f.result;
    return worst;
  };
  compaction_result split, whole;
  const std::uint64_t worst = run(true, &split);
  const std::uint64_t all = run(false, &whole);
  CHECK(whole.outputs.size() == 1);
  CHECK(all == 20 * gp_size);
  CHECK(split.outputs.size() >= 5);
  MESSAGE("20 grandparents of " << gp_size << " bytes, limit 2500: " << split.outputs.size()
                                << " outputs overlapping at most " << worst
                                << " bytes each; without grandparents 1 output overlapping "
                                << all);
}

TEST_CASE("a compaction whose every entry is dropped writes no file") {
  job_fixture f;
  REQUIRE(f.run(in_key_order({del("a", 5), put("a", 3), del("b", 4)})).is_ok());
  CHECK(f.result.outputs.empty());
  CHECK(f.result.deletions_dropped == 2);
  CHECK(f.result.overwritten_dropped == 1);
  CHECK(f.numbers_taken == 0);
  CHECK(f.files().empty());
}

TEST_CASE("a cancelled compaction stops with aborted and leaves no output files") {
  SUBCASE("cancelled before it starts") {
    job_fixture f;
    std::atomic<bool> cancel{true};
    auto s = f.run(in_key_order({put("a", 1), put("b", 2)}), {}, &cancel);
    CHECK(s.code() == status_code::aborted);
    CHECK(f.result.outputs.empty());
    CHECK(f.files().empty());
  }
  SUBCASE("cancelled after several outputs are finished") {
    // An input that raises the flag once 2500 entries have been read.
    struct cancelling_iterator : entries_iterator {
      cancelling_iterator(std::vector<entry> e, std::atomic<bool>* flag)
          : entries_iterator(std::move(e)), flag_(flag) {}
      void next() override {
        entries_iterator::next();
        if (visited() == 2500) flag_->store(true);
      }
      std::atomic<bool>* flag_;
    };
    job_fixture f;
    f.c.options.target_file_size = 8 * 1024;
    std::atomic<bool> cancel{false};
    std::vector<entry> input;
    for (int i = 0; i < 5000; ++i) input.push_back(put(key_of(i), 1 + i, std::string(50, 'c')));
    cancelling_iterator it(input, &cancel);
    auto s = f.run(it, {}, &cancel);
    REQUIRE(s.code() == status_code::aborted);
    CHECK(f.numbers_taken > 3);          // outputs had been written
    CHECK(f.result.entries_in == 3000);  // seen at the next look, every 1000 entries
    CHECK(f.result.outputs.empty());
    CHECK(f.files().empty());
    MESSAGE(s.to_string() << " after " << f.result.entries_in << " entries and " << f.numbers_taken
                          << " outputs begun; none left");
  }
}

TEST_CASE("a failed write or sync during a compaction leaves no output files") {
  struct fault_case {
    const char* what;
    bool sync;
    std::uint64_t nth;
  };
  // The third output's sync (two finished before it), an append in the middle, the first one.
  for (const fault_case& fc :
       {fault_case{"third sync", true, 3}, fault_case{"fortieth append", false, 40},
        fault_case{"first append", false, 1}}) {
    const std::string what = fc.what;
    CAPTURE(what);
    job_fixture f;
    f.c.options.target_file_size = 8 * 1024;
    kepler::test::fault_file_system fs(file_system::posix());
    (fc.sync ? fs.syncs : fs.appends).fail_nth(fc.nth, kepler::test::op_faults::repeat::once);
    std::vector<entry> input;
    for (int i = 0; i < 1000; ++i) input.push_back(put(key_of(i), 1 + i, std::string(80, 'f')));
    auto s = f.run(input, {}, nullptr, &fs);
    REQUIRE(s.code() == status_code::io_error);
    CHECK((fc.sync ? fs.syncs : fs.appends).injected() == 1);
    CHECK(s.message().find(f.dir.path()) != std::string::npos);  // names the file
    CHECK(f.result.outputs.empty());
    CHECK(f.files().empty());
    MESSAGE(what << ": " << s.to_string() << "; " << f.numbers_taken
                 << " outputs begun, none left");
  }
}

TEST_CASE(
    "a malformed or out-of-order key in a compaction's input is corruption and leaves no "
    "output files") {
  std::vector<entry> good;
  for (int i = 0; i < 1000; ++i) good.push_back(put(key_of(i), 1 + i, std::string(80, 'g')));
  SUBCASE("a key shorter than its tag") {
    auto input = good;
    input.push_back({"bad", "x"});
    job_fixture f;
    f.c.options.target_file_size = 8 * 1024;
    auto s = f.run(input);
    CHECK(s.code() == status_code::corruption);
    CHECK(s.message().find("entry 1000") != std::string::npos);
    CHECK(f.numbers_taken > 1);
    CHECK(f.files().empty());
    MESSAGE(s.to_string());
  }
  SUBCASE("an unknown value type") {
    auto input = good;
    std::string k = "zzz";
    put_fixed64(&k, (std::uint64_t{5000} << 8) | 7);
    input.push_back({k, "x"});
    job_fixture f;
    CHECK(f.run(input).code() == status_code::corruption);
    CHECK(f.files().empty());
  }
  SUBCASE("two keys out of order") {
    auto input = good;
    std::swap(input[600], input[601]);
    job_fixture f;
    f.c.options.target_file_size = 8 * 1024;
    auto s = f.run(input);
    CHECK(s.code() == status_code::corruption);
    CHECK(s.message().find("entry 601") != std::string::npos);
    CHECK(f.files().empty());
    MESSAGE(s.to_string());
  }
  SUBCASE("the same internal key twice") {
    auto input = good;
    input.insert(input.begin() + 300, input[300]);
    job_fixture f;
    CHECK(f.run(input).code() == status_code::corruption);
    CHECK(f.files().empty());
  }
}

TEST_CASE("an input iterator's error ends the compaction with that error and no output files") {
  std::vector<entry> input;
  for (int i = 0; i < 1000; ++i) input.push_back(put(key_of(i), 1 + i, std::string(80, 'e')));
  job_fixture f;
  f.c.options.target_file_size = 8 * 1024;
  entries_iterator it(input);
  it.fail_at(700, status::corruption("000042.sst: block at offset 4096: checksum mismatch"));
  auto s = f.run(it);
  CHECK(s.code() == status_code::corruption);
  CHECK(s.message() == "000042.sst: block at offset 4096: checksum mismatch");
  CHECK(f.result.entries_in == 700);
  CHECK(f.numbers_taken > 1);
  CHECK(f.files().empty());
  MESSAGE(s.to_string() << " after " << f.result.entries_in << " entries");
}

TEST_CASE("a compaction refuses snapshots out of order before reading anything") {
  job_fixture f;
  entries_iterator it(in_key_order({put("a", 1)}));
  CHECK(f.run(it, {8, 5}).code() == status_code::invalid_argument);
  CHECK(it.visited() == 0);
  CHECK(f.files().empty());
  job_fixture g;
  CHECK(g.run(in_key_order({put("a", 9), put("a", 1)}), {5, 5}).is_ok());  // duplicates are fine
  CHECK(g.outputs().size() == 2);
}
