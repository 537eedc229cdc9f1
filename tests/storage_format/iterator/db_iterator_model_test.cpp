// The whole read stack against a model: random puts and deletions spread over an active and
// sealed memtables, level-0 tables and deeper levels, read through new_view_iterator and a
// db_iterator, and compared with a std::map for random seeks, steps and direction switches
// under random snapshots and bounds, over many seeds.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "iterator_test_util.hpp"
#include "storage_format/iterator/db_iterator.hpp"
#include "storage_format/iterator/view_iterator.hpp"
#include "storage_format/version/read_view.hpp"

using kepler::storage::db_iterator;
using kepler::storage::file_meta;
using kepler::storage::max_sequence_number;
using kepler::storage::new_view_iterator;
using kepler::storage::read_options;
using kepler::storage::read_view;
using kepler::storage::sequence_number;
using kepler::test::entry_list;

namespace {

constexpr int seeds = 300;
constexpr int iterators_per_seed = 6;
constexpr int steps_per_iterator = 120;

using bound = std::optional<std::string>;
using file_ptr = std::shared_ptr<const file_meta>;

struct version_record {
  sequence_number seq;
  bool deleted;
  std::string value;
};
// Every version of every key, in the order written (ascending sequence).
using history_model = std::map<std::string, std::vector<version_record>>;
using key_values = std::vector<std::pair<std::string, std::string>>;

// What a db_iterator as of `seq` within the bounds must show.
key_values visible(const history_model& model, sequence_number seq, const bound& lower,
                   const bound& upper) {
  key_values out;
  for (const auto& [key, versions] : model) {
    if ((lower && key < *lower) || (upper && key >= *upper)) continue;
    const version_record* newest = nullptr;
    for (const auto& v : versions)
      if (v.seq <= seq) newest = &v;
    if (newest != nullptr && !newest->deleted) out.emplace_back(key, newest->value);
  }
  return out;
}

std::string printable(std::string_view s) {
  std::ostringstream out;
  out << '"';
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out << c;
    } else {
      static const char hex[] = "0123456789abcdef";
      out << "\\x" << hex[c >> 4] << hex[c & 0xf];
    }
  }
  out << '"';
  return out.str();
}

std::string printable_bound(const bound& b) {
  return b ? printable(std::string_view(*b)) : "none";
}

// Short keys over an alphabet with the byte extremes, so that empty keys, prefixes and keys
// differing only in a trailing zero byte all occur.
std::string random_key(std::mt19937_64& rng) {
  static const char alphabet[] = {'a', 'b', '\0', '\xff'};
  std::string k;
  const std::size_t length = rng() % 5;
  for (std::size_t i = 0; i < length; ++i) k.push_back(alphabet[rng() % sizeof(alphabet)]);
  return k;
}

// A store's worth of random history, spread over every kind of source.
struct random_store {
  explicit random_store(std::mt19937_64& rng) {
    std::set<std::string> pool_set;
    const std::size_t pool_size = 5 + rng() % 60;
    for (int tries = 0; pool_set.size() < pool_size && tries < 10000; ++tries)
      pool_set.insert(random_key(rng));
    pool.assign(pool_set.begin(), pool_set.end());

    // Layers: 0 the active memtable, then sealed memtables, level-0 files, level 1, level 2.
    const int sealed = static_cast<int>(rng() % 3);
    const int level0 = static_cast<int>(rng() % 4);
    const int level1_files = static_cast<int>(rng() % 4);
    const int level2_files = static_cast<int>(rng() % 3);
    const int layers = 1 + sealed + level0 + 2;
    std::vector<entry_list> layer(layers);
    last_sequence = 20 + rng() % 1500;
    for (sequence_number seq = 1; seq <= last_sequence; ++seq) {
      const std::string& key = pool[rng() % pool.size()];
      const bool deleted = rng() % 3 == 0;
      // Mostly short values; now and then one that fills a block by itself.
      const std::string value =
          deleted ? "" : "v" + std::to_string(seq) + std::string(rng() % 8 == 0 ? 300 : 0, 'x');
      model[key].push_back({seq, deleted, value});
      layer[rng() % layers].emplace_back(
          deleted ? kepler::test::deletion_key(key, seq) : kepler::test::ikey(key, seq), value);
      ++entries;
    }
    for (auto& l : layer) kepler::test::sort_entries(&l);

    kepler::storage::table_options options;
    options.block_bytes = std::vector<std::size_t>{64, 512, 4096}[rng() % 3];
    options.restart_interval = std::vector<int>{1, 2, 16}[rng() % 3];

    auto view = std::make_shared<read_view>();
    view->tables = &tables.cache;
    view->mem = kepler::test::memtable_of(layer[0]);
    for (int i = 0; i < sealed; ++i)
      view->sealed.push_back(kepler::test::memtable_of(layer[1 + i]));
    memtables = 1 + sealed;
    std::vector<std::vector<file_ptr>> levels(3);
    std::uint64_t number = 0;
    for (int i = 0; i < level0; ++i) {
      const entry_list& e = layer[1 + sealed + i];
      if (!e.empty()) levels[0].push_back(tables.write(++number, e, options));
    }
    split_level(layer[layers - 2], level1_files, options, &number, &levels[1]);
    split_level(layer[layers - 1], level2_files, options, &number, &levels[2]);
    files = static_cast<int>(number);
    view->files = kepler::test::version_of(levels);
    this->view = std::move(view);
    for (auto& l : layer) all.insert(all.end(), l.begin(), l.end());
    kepler::test::sort_entries(&all);
  }

  // A deeper level's files: `entries` cut into `count` disjoint key ranges (every version of a
  // key in one file). With no files the layer's entries go to one file.
  void split_level(const entry_list& entries, int count, const kepler::storage::table_options& o,
                   std::uint64_t* number, std::vector<file_ptr>* out) {
    if (entries.empty()) return;
    count = std::max(count, 1);
    const std::size_t per_file = entries.size() / static_cast<std::size_t>(count) + 1;
    entry_list part;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      part.push_back(entries[i]);
      const bool key_ends =
          i + 1 == entries.size() || kepler::test::user_key_of(entries[i + 1].first) !=
                                         kepler::test::user_key_of(entries[i].first);
      if (key_ends && (part.size() >= per_file || i + 1 == entries.size())) {
        out->push_back(tables.write(++*number, part, o));
        part.clear();
      }
    }
  }

  kepler::test::table_dir tables;
  std::vector<std::string> pool;
  history_model model;
  entry_list all;  // every internal entry, in order
  std::shared_ptr<const read_view> view;
  sequence_number last_sequence = 0;
  int entries = 0;
  int files = 0;
  int memtables = 0;
};

struct totals {
  int stores = 0;
  long entries = 0;
  int files = 0;
  int memtables = 0;
  int iterators = 0;
  long steps = 0;
  long switches = 0;
  long valid_positions = 0;
  long entries_stepped = 0;
  int differences = 0;
};

// One db_iterator against the model for steps_per_iterator random calls; false (with the
// difference printed) at the first disagreement.
bool check_iterator(random_store& store, std::mt19937_64& rng, int seed, int index, totals* t) {
  sequence_number seq = 0;
  switch (rng() % 4) {
    case 0:
      seq = 0;
      break;
    case 1:
      seq = store.last_sequence;
      break;
    case 2:
      seq = max_sequence_number;
      break;
    default:
      seq = 1 + rng() % store.last_sequence;
  }
  auto pick_key = [&] {
    return rng() % 2 == 0 ? store.pool[rng() % store.pool.size()] : random_key(rng);
  };
  bound lower, upper;
  if (rng() % 2 == 0) lower = pick_key();
  if (rng() % 2 == 0) upper = pick_key();
  const key_values expected = visible(store.model, seq, lower, upper);

  db_iterator it(new_view_iterator(store.view, read_options{}), seq, lower, upper);
  std::size_t pos = expected.size();  // the model's position; expected.size() is invalid
  bool forward = true;
  std::vector<std::string> trace;
  for (int step = 0; step < steps_per_iterator; ++step) {
    unsigned op = static_cast<unsigned>(rng() % 20);
    if (op >= 8 && pos >= expected.size()) op = rng() % 8;  // steps need a valid position
    std::string what;
    if (op < 3) {
      const std::string k = pick_key();
      what = "seek(" + printable(k) + ")";
      it.seek(k);
      pos = static_cast<std::size_t>(
          std::lower_bound(expected.begin(), expected.end(), k,
                           [](const auto& e, const std::string& x) { return e.first < x; }) -
          expected.begin());
      forward = true;
    } else if (op < 6) {
      const std::string k = pick_key();
      what = "seek_for_prev(" + printable(k) + ")";
      it.seek_for_prev(k);
      const auto after =
          std::upper_bound(expected.begin(), expected.end(), k,
                           [](const std::string& x, const auto& e) { return x < e.first; });
      pos = after == expected.begin() ? expected.size()
                                      : static_cast<std::size_t>(after - expected.begin()) - 1;
      forward = false;
    } else if (op == 6) {
      what = "seek_to_first";
      it.seek_to_first();
      pos = 0;
      forward = true;
    } else if (op == 7) {
      what = "seek_to_last";
      it.seek_to_last();
      pos = expected.empty() ? 0 : expected.size() - 1;
      forward = false;
    } else if (op < 14) {
      what = "next";
      if (!forward) ++t->switches;
      forward = true;
      it.next();
      ++pos;
    } else {
      what = "prev";
      if (forward) ++t->switches;
      forward = false;
      it.prev();
      pos = pos == 0 ? expected.size() : pos - 1;
    }
    if (pos > expected.size()) pos = expected.size();
    ++t->steps;
    trace.push_back(what);

    const bool expect_valid = pos < expected.size();
    const bool same =
        it.valid() == expect_valid && it.state().is_ok() &&
        (!expect_valid || (it.key() == expected[pos].first && it.value() == expected[pos].second));
    if (!same) {
      std::ostringstream calls;
      for (std::size_t i = trace.size() > 8 ? trace.size() - 8 : 0; i < trace.size(); ++i)
        calls << trace[i] << "; ";
      MESSAGE(
          "seed " << seed << " iterator " << index << " step " << step << " (snapshot " << seq
                  << ", bounds [" << printable_bound(lower) << ", " << printable_bound(upper)
                  << ")), last calls: " << calls.str() << "expected "
                  << (expect_valid
                          ? printable(expected[pos].first) + "=" + printable(expected[pos].second)
                          : std::string("the end"))
                  << ", got "
                  << (it.valid() ? printable(it.key()) + "=" + printable(it.value()) : "the end")
                  << ", state " << it.state().to_string());
      ++t->differences;
      return false;
    }
    if (expect_valid) ++t->valid_positions;
  }
  t->entries_stepped += static_cast<long>(it.entries_stepped());
  return true;
}

}  // namespace

TEST_CASE("db iterators over random stores agree with a map for every call, snapshot and bound") {
  totals t;
  for (int seed = 1; seed <= seeds; ++seed) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    random_store store(rng);
    ++t.stores;
    t.entries += store.entries;
    t.files += store.files;
    t.memtables += store.memtables;

    // The merged internal entries first: every version of every source, both ways.
    auto merged = new_view_iterator(store.view, read_options{});
    const bool merged_forward = kepler::test::scan_forward(*merged) == store.all;
    const bool merged_backward = kepler::test::scan_backward(*merged) == store.all;
    if (!merged_forward || !merged_backward) {
      MESSAGE("seed " << seed << ": the view iterator's entries differ from the sources' ("
                      << (merged_forward ? "backward" : "forward") << ")");
      ++t.differences;
      break;
    }

    bool agreed = true;
    for (int i = 0; i < iterators_per_seed && agreed; ++i) {
      ++t.iterators;
      agreed = check_iterator(store, rng, seed, i, &t);
    }
    if (!agreed) break;
  }
  MESSAGE(t.stores << " seeded stores (" << t.entries << " entries in " << t.memtables
                   << " memtables and " << t.files << " table files), " << t.iterators
                   << " db iterators, " << t.steps << " calls (" << t.switches
                   << " direction switches, " << t.valid_positions << " valid positions compared), "
                   << t.entries_stepped << " input entries stepped over: " << t.differences
                   << " differences");
  CHECK(t.differences == 0);
  CHECK(t.stores == seeds);
}
