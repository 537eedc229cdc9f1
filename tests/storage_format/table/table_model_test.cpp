// Tables built from random operations, checked against a std::map model: get as of a sequence,
// iteration both ways and seeks. KEPLER_TABLE_MODEL_SEEDS=<n> runs more seeds than the default.

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "table_test_util.hpp"

using namespace kepler::storage;
using namespace kepler::test;

namespace {

constexpr int default_seeds = 20;
constexpr int ops_per_seed = 1500;
constexpr std::size_t max_key_bytes = 1024;
constexpr std::size_t max_value_bytes = std::size_t{1} << 20;

struct internal_order {
  bool operator()(const std::string& a, const std::string& b) const {
    return compare_internal_keys(a, b) < 0;
  }
};

// Bytes from a small alphabet, NUL and 0xff included, so keys share prefixes and sort across
// the signed/unsigned boundary.
std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
  static const char alphabet[] = {'\0', '\x01', 'a', 'b', 'k', '\x7f', '\x80', '\xff'};
  std::string s(n, '\0');
  for (auto& c : s) c = alphabet[rng() % sizeof alphabet];
  return s;
}

std::size_t random_key_size(std::mt19937_64& rng) {
  switch (rng() % 10) {
    case 0:
      return 0;
    case 1:
      return rng() % (max_key_bytes + 1);
    default:
      return 1 + rng() % 12;
  }
}

std::size_t random_value_size(std::mt19937_64& rng) {
  const auto r = rng() % 1000;
  if (r < 3) return max_value_bytes - rng() % 1024;  // about 1 MiB
  if (r < 60) return rng() % 20000;
  return rng() % 120;
}

struct model {
  // user key -> sequence -> value (nullopt: a deletion)
  std::map<std::string, std::map<sequence_number, std::optional<std::string>>> versions;
  std::map<std::string, std::string, internal_order> entries;

  table_lookup get(const std::string& user, sequence_number snapshot, std::string* value) const {
    auto it = versions.find(user);
    if (it == versions.end()) return table_lookup::absent;
    auto v = it->second.upper_bound(snapshot);
    if (v == it->second.begin()) return table_lookup::absent;
    --v;
    if (!v->second) return table_lookup::deleted;
    *value = *v->second;
    return table_lookup::found;
  }
};

struct totals {
  std::size_t entries = 0, gets = 0, seeks = 0, steps = 0, differences = 0;
  std::size_t big_values = 0;
};

void run_seed(std::uint64_t seed, totals* t) {
  std::mt19937_64 rng(seed);
  table_options options;
  options.block_bytes = std::vector<std::size_t>{64, 512, 4096}[rng() % 3];
  options.restart_interval = std::vector<int>{1, 4, 16}[rng() % 3];
  options.bloom_bits_per_key = rng() % 3 == 0 ? 0 : 10;
  const bool use_cache = rng() % 2 == 0;
  CAPTURE(seed);
  CAPTURE(options.block_bytes);
  CAPTURE(options.restart_interval);

  std::vector<std::string> pool;
  for (int i = 0; i < 120; ++i) pool.push_back(random_bytes(rng, random_key_size(rng)));

  model m;
  sequence_number seq = rng() % 1000;
  for (int i = 0; i < ops_per_seed; ++i) {
    seq += 1 + rng() % 3;
    const std::string& user = pool[rng() % pool.size()];
    std::optional<std::string> value;
    if (rng() % 4 != 0) {
      const std::size_t n = random_value_size(rng);
      if (n > 100000) ++t->big_values;
      value = random_bytes(rng, n);
    }
    m.versions[user][seq] = value;
    m.entries[ikey(user, seq, value ? value_type::value : value_type::deletion)] =
        value.value_or("");
  }

  const entry_list entries(m.entries.begin(), m.entries.end());
  block_cache cache(64 << 10, 2);  // small: blocks are evicted while the checks run
  std::unique_ptr<table_reader> table;
  REQUIRE(open_table(build_table(entries, options), use_cache ? &cache : nullptr, &table).is_ok());
  CHECK(table->properties().entries == entries.size());
  t->entries += entries.size();

  auto differ = [&](bool different) {
    if (different) ++t->differences;
    CHECK_FALSE(different);
  };

  // Gets: every pool key (and keys never written) at every version's sequence, one below it,
  // and random sequences.
  std::vector<std::string> users = pool;
  for (int i = 0; i < 40; ++i) users.push_back(random_bytes(rng, random_key_size(rng)));
  for (const auto& user : users) {
    std::vector<sequence_number> snapshots = {0, seq + 1, max_sequence_number};
    auto it = m.versions.find(user);
    if (it != m.versions.end()) {
      for (const auto& [s, v] : it->second) {
        snapshots.push_back(s);
        snapshots.push_back(s - 1);
      }
    }
    for (int i = 0; i < 4; ++i) snapshots.push_back(rng() % (seq + 2));
    for (sequence_number s : snapshots) {
      std::string expected, got;
      const table_lookup want = m.get(user, s, &expected);
      table_lookup have;
      REQUIRE(table->get(read_options{}, lookup_key(user, s), &have, &got).is_ok());
      ++t->gets;
      differ(have != want || (want == table_lookup::found && got != expected));
    }
  }

  // Iteration, forwards then backwards.
  auto it = table->new_iterator();
  auto expected = m.entries.begin();
  for (it->seek_to_first(); it->valid(); it->next(), ++expected, ++t->steps) {
    REQUIRE(expected != m.entries.end());
    differ(it->key() != expected->first || it->value() != expected->second);
  }
  differ(expected != m.entries.end());
  auto back = m.entries.rbegin();
  for (it->seek_to_last(); it->valid(); it->prev(), ++back, ++t->steps) {
    REQUIRE(back != m.entries.rend());
    differ(it->key() != back->first || it->value() != back->second);
  }
  differ(back != m.entries.rend());
  REQUIRE(it->state().is_ok());

  // Seeks to random targets, then a few steps either way.
  for (int i = 0; i < 300; ++i) {
    const std::string& user = users[rng() % users.size()];
    const std::string target = lookup_key(user, rng() % (seq + 2));
    it->seek(target);
    ++t->seeks;
    auto want = m.entries.lower_bound(target);
    differ(it->valid() != (want != m.entries.end()));
    if (!it->valid() || want == m.entries.end()) continue;
    differ(it->key() != want->first);
    const bool forward = rng() % 2 == 0;
    for (int step = 0; step < 5 && it->valid(); ++step, ++t->steps) {
      if (forward) {
        it->next();
        ++want;
        differ(it->valid() != (want != m.entries.end()));
        if (want == m.entries.end()) break;
      } else {
        it->prev();
        if (want == m.entries.begin()) {
          differ(it->valid());
          break;
        }
        --want;
      }
      if (it->valid()) differ(it->key() != want->first || it->value() != want->second);
    }
    REQUIRE(it->state().is_ok());
  }
}

}  // namespace

TEST_CASE("tables from random operations agree with a std::map model on gets, scans and seeks") {
  int seeds = default_seeds;
  if (const char* env = std::getenv("KEPLER_TABLE_MODEL_SEEDS")) seeds = std::atoi(env);
  totals t;
  for (int seed = 1; seed <= seeds; ++seed) run_seed(static_cast<std::uint64_t>(seed), &t);
  MESSAGE("table model: " << seeds << " seeds, " << t.entries << " entries (" << t.big_values
                          << " values over 100 KB), " << t.gets << " gets, " << t.seeks
                          << " seeks, " << t.steps << " iterator steps, " << t.differences
                          << " differences");
  CHECK(t.differences == 0);
}
