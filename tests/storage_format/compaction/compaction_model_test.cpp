// Randomized: random versions of random keys (values and deletions), random live snapshots and
// random deeper-level files; after the compaction every snapshot and the latest state read
// every key exactly as before, and every version kept is one some reader sees.
// KEPLER_COMPACTION_MODEL_SEEDS=<n> runs more seeds than the default.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "compaction_fixture.hpp"
#include "storage_format/compaction/run_compaction.hpp"
#include "test_dir.hpp"

using namespace kepler::storage;
using kepler::test::entries_iterator;
using kepler::test::entry;
using kepler::test::ikey;
using kepler::test::table_file;

namespace {

constexpr int default_seeds = 40;

std::string user_key(int i) {
  return "k" + std::to_string(100 + i);
}

// What a reader at `snapshot` reads for each key of `entries` (in internal-key order), with
// the keys a deeper level holds reading "<deeper>" when no version at or below the snapshot
// is in the entries: the deeper level's older value shows through.
struct reader_model {
  struct version_of {
    sequence_number seq;
    bool deletion;
    std::string value;
  };
  std::map<std::string, std::vector<version_of>> versions;  // newest first

  explicit reader_model(const std::vector<entry>& entries) {
    for (const auto& e : entries) {
      parsed_internal_key p;
      REQUIRE(parse_internal_key(e.first, &p));
      versions[std::string(p.user_key)].push_back(
          {p.sequence, p.type == value_type::deletion, e.second});
    }
  }
  // The version a reader at `snapshot` sees; null when none.
  const version_of* seen(const std::string& key, sequence_number snapshot) const {
    auto it = versions.find(key);
    if (it == versions.end()) return nullptr;
    for (const auto& v : it->second)
      if (v.seq <= snapshot) return &v;
    return nullptr;
  }
  std::string read(const std::string& key, sequence_number snapshot, bool held_deeper) const {
    const version_of* v = seen(key, snapshot);
    if (v == nullptr) return held_deeper ? "<deeper>" : "<absent>";
    return v->deletion ? "<absent>" : "=" + v->value;
  }
};

struct totals {
  std::uint64_t entries_in = 0, entries_out = 0, overwritten = 0, deletions = 0, outputs = 0;
  std::uint64_t reads_compared = 0, snapshots = 0;
};

void run_seed(std::uint64_t seed, totals* t, std::ostringstream* log) {
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  auto pick = [&rng](std::uint64_t n) { return static_cast<std::uint64_t>(rng() % n); };

  const int keys = 1 + static_cast<int>(pick(40));
  const int probe_keys = keys + 5;  // some keys are never written
  const std::uint64_t count = 1 + pick(400);
  std::vector<sequence_number> seqs(3 * count);
  for (std::size_t i = 0; i < seqs.size(); ++i) seqs[i] = i + 1;
  std::shuffle(seqs.begin(), seqs.end(), rng);
  std::vector<entry> input;
  for (std::uint64_t i = 0; i < count; ++i) {
    const bool deletion = pick(10) < 3;
    const std::string key = user_key(static_cast<int>(pick(keys)));
    input.push_back({ikey(key, seqs[i], deletion ? value_type::deletion : value_type::value),
                     deletion ? "" : std::string(pick(40), static_cast<char>('a' + pick(26)))});
  }
  input = kepler::test::in_key_order(input);

  std::vector<sequence_number> snapshots;
  for (std::uint64_t n = pick(6); n > 0; --n) snapshots.push_back(1 + pick(3 * count + 2));
  std::sort(snapshots.begin(), snapshots.end());

  // Level 3 (below the output level 2): disjoint files over random runs of keys; they are the
  // deeper level deletions must respect and the grandparents the outputs are split by.
  std::vector<kepler::test::placed_file> files;
  std::vector<compaction::file_ptr> level3;
  for (int k = 0; k < probe_keys;) {
    const int len = 1 + static_cast<int>(pick(6));
    if (pick(2) == 0)
      level3.push_back(table_file(1000 + k, user_key(k),
                                  user_key(std::min(k + len, probe_keys) - 1), 1 + pick(2000)));
    k += len + 1;
  }
  for (const auto& f : level3) files.push_back({3, f});
  kepler::test::temp_dir dir("kepler-compaction-model");
  file_system& fs = *file_system::posix();
  REQUIRE(fs.create_dir(dir.path()).is_ok());
  compaction c;
  c.level = 1;
  c.base = kepler::test::make_version(files);
  c.grandparents = level3;
  c.options.target_file_size = pick(3) == 0 ? (1 << 20) : 256 + pick(2048);
  c.options.max_grandparent_overlap = 500 + pick(4000);
  table_options table;
  table.block_bytes = 256;

  std::uint64_t next_number = 1;
  compaction_result result;
  entries_iterator it(input);
  const status s = run_compaction(
      fs, dir.path(), table, c, it, snapshots, [&next_number] { return next_number++; }, nullptr,
      &result);
  REQUIRE(s.is_ok());
  const std::vector<entry> output = kepler::test::read_outputs(fs, dir.path(), result.outputs);
  for (std::size_t i = 1; i < result.outputs.size(); ++i)
    REQUIRE(extract_user_key(result.outputs[i - 1].largest) <
            extract_user_key(result.outputs[i].smallest));
  CHECK(result.entries_in == input.size());
  CHECK(result.entries_out == output.size());
  CHECK(result.entries_in ==
        result.entries_out + result.overwritten_dropped + result.deletions_dropped);

  const reader_model before(input), after(output);
  std::vector<sequence_number> readers = snapshots;
  readers.push_back(max_sequence_number);  // the latest state
  for (int k = 0; k < probe_keys; ++k) {
    const std::string key = user_key(k);
    const bool held = c.deeper_levels_hold(key);
    for (sequence_number r : readers) {
      CAPTURE(key);
      CAPTURE(r);
      REQUIRE(before.read(key, r, held) == after.read(key, r, held));
      ++t->reads_compared;
    }
  }
  // Nothing kept that no reader sees.
  for (const auto& [key, versions] : after.versions)
    for (const auto& v : versions) {
      CAPTURE(key);
      CAPTURE(v.seq);
      const bool someone_sees = std::any_of(readers.begin(), readers.end(), [&](sequence_number r) {
        const auto* seen = after.seen(key, r);
        return seen != nullptr && seen->seq == v.seq;
      });
      CHECK(someone_sees);
    }

  t->entries_in += result.entries_in;
  t->entries_out += result.entries_out;
  t->overwritten += result.overwritten_dropped;
  t->deletions += result.deletions_dropped;
  t->outputs += result.outputs.size();
  t->snapshots += snapshots.size();
  *log << "seed " << seed << ": " << result.entries_in << " entries, " << snapshots.size()
       << " snapshots, " << level3.size() << " deeper files -> " << result.entries_out
       << " kept in " << result.outputs.size() << " outputs, " << result.overwritten_dropped
       << " overwritten and " << result.deletions_dropped << " deletions dropped\n";
}

}  // namespace

TEST_CASE(
    "a compaction changes no key's value for any snapshot or the latest state "
    "(randomized)") {
  int seeds = default_seeds;
  if (const char* env = std::getenv("KEPLER_COMPACTION_MODEL_SEEDS")) seeds = std::atoi(env);
  totals t;
  std::ostringstream log;
  for (int seed = 1; seed <= seeds; ++seed) run_seed(static_cast<std::uint64_t>(seed), &t, &log);
  // The rules were exercised, not only the trivial cases.
  CHECK(t.overwritten > 0);
  CHECK(t.deletions > 0);
  CHECK(t.outputs > static_cast<std::uint64_t>(seeds));
  MESSAGE(log.str() << seeds << " seeds: " << t.entries_in << " entries in, " << t.entries_out
                    << " out in " << t.outputs << " outputs, " << t.overwritten
                    << " overwritten and " << t.deletions << " deletions dropped, " << t.snapshots
                    << " snapshots, " << t.reads_compared << " reads identical before and after");
}
