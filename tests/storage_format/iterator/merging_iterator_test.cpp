// The merge of sorted sources: internal-key order both ways, direction switches anywhere (the
// other children repositioned around the current key), equal keys in child order, and the
// first child's error stopping the merge.

#include <doctest/doctest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "iterator_test_util.hpp"
#include "storage_format/iterator/empty_iterator.hpp"
#include "storage_format/iterator/merging_iterator.hpp"

using kepler::storage::internal_iterator;
using kepler::storage::new_empty_iterator;
using kepler::storage::new_error_iterator;
using kepler::storage::new_merging_iterator;
using kepler::storage::status;
using kepler::storage::status_code;
using kepler::test::entry_list;
using kepler::test::ikey;
using kepler::test::vector_iterator;

namespace {

using children = std::vector<std::unique_ptr<internal_iterator>>;

// `count` children sharing random entries out (each internal key to one child), and the union.
children random_children(std::mt19937& rng, int count, int entries, entry_list* all) {
  std::vector<entry_list> parts(count);
  for (int i = 0; i < entries; ++i) {
    // Few user keys and many sequences: versions of one key land in several children.
    const std::string k = "k" + std::to_string(rng() % (entries / 4 + 1));
    const auto seq = static_cast<kepler::storage::sequence_number>(i + 1);
    const std::string key = rng() % 3 == 0 ? kepler::test::deletion_key(k, seq) : ikey(k, seq);
    parts[rng() % count].emplace_back(key, "v" + std::to_string(i));
    all->emplace_back(key, "v" + std::to_string(i));
  }
  kepler::test::sort_entries(all);
  children out;
  for (auto& p : parts) {
    kepler::test::sort_entries(&p);
    out.push_back(std::make_unique<vector_iterator>(std::move(p)));
  }
  return out;
}

}  // namespace

TEST_CASE("a merging iterator yields every child's entries in internal-key order, both ways") {
  std::mt19937 rng(5);
  for (int count : {2, 3, 7, 40}) {
    CAPTURE(count);
    entry_list all;
    auto merged = new_merging_iterator(random_children(rng, count, 600, &all));
    CHECK(kepler::test::scan_forward(*merged) == all);
    CHECK(kepler::test::scan_backward(*merged) == all);
    CHECK(merged->state().is_ok());
  }
}

TEST_CASE("a merging iterator switches direction anywhere and agrees with the sorted union") {
  constexpr int seeds = 200;
  constexpr int steps = 300;
  int moves = 0;
  int switches = 0;
  int differences = 0;
  for (int seed = 1; seed <= seeds && differences == 0; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    entry_list all;
    const int count = 2 + static_cast<int>(rng() % 6);
    auto merged = new_merging_iterator(random_children(rng, count, 20 + rng() % 200, &all));
    std::size_t pos = all.size();  // the model: all.size() is invalid
    bool forward = true;
    for (int step = 0; step < steps; ++step) {
      const unsigned op = rng() % 10;
      std::string what;
      if (op == 0) {
        merged->seek_to_first();
        pos = 0;
        forward = true;
        what = "seek_to_first";
      } else if (op == 1) {
        merged->seek_to_last();
        pos = all.empty() ? 0 : all.size() - 1;
        forward = false;
        what = "seek_to_last";
      } else if (op == 2) {
        const std::string target = ikey("k" + std::to_string(rng() % 60), rng() % 250);
        merged->seek(target);
        pos = 0;
        while (pos < all.size() &&
               kepler::storage::compare_internal_keys(all[pos].first, target) < 0)
          ++pos;
        forward = true;
        what = "seek";
      } else if (pos < all.size()) {
        const bool next = rng() % 2 == 0;
        if (next != forward) ++switches;
        forward = next;
        if (next) {
          merged->next();
          ++pos;
        } else {
          merged->prev();
          pos = pos == 0 ? all.size() : pos - 1;
        }
        what = next ? "next" : "prev";
        ++moves;
      } else {
        continue;
      }
      if (pos > all.size()) pos = all.size();
      const bool expect_valid = pos < all.size();
      if (merged->valid() != expect_valid ||
          (expect_valid &&
           (merged->key() != all[pos].first || merged->value() != all[pos].second))) {
        ++differences;
        MESSAGE("seed " << seed << " step " << step << " (" << what << "): expected "
                        << (expect_valid ? all[pos].second : "the end") << ", got "
                        << (merged->valid() ? std::string(merged->value()) : "the end"));
        break;
      }
    }
  }
  MESSAGE(seeds << " seeds, " << moves << " next/prev steps, " << switches
                << " direction switches: " << differences << " differences");
  CHECK(differences == 0);
}

TEST_CASE("a merging iterator gives equal keys of several children in child order, both ways") {
  auto child = [](const std::string& name) {
    entry_list e = {
        {ikey("a", 1), "a " + name}, {ikey("b", 1), "b " + name}, {ikey("c", 1), "c " + name}};
    return std::make_unique<vector_iterator>(e);
  };
  children c;
  c.push_back(child("first"));
  c.push_back(child("second"));
  c.push_back(child("third"));
  auto merged = new_merging_iterator(std::move(c));
  const std::vector<std::string> order = {"a first", "a second", "a third",  "b first", "b second",
                                          "b third", "c first",  "c second", "c third"};
  std::vector<std::string> seen;
  for (merged->seek_to_first(); merged->valid(); merged->next()) seen.emplace_back(merged->value());
  CHECK(seen == order);
  seen.clear();
  for (merged->seek_to_last(); merged->valid(); merged->prev())
    seen.emplace(seen.begin(), merged->value());
  CHECK(seen == order);

  // Switching inside a run of equal keys steps to the neighbour in that same order.
  merged->seek(ikey("b", 1));
  REQUIRE(merged->valid());
  CHECK(merged->value() == "b first");
  merged->next();
  CHECK(merged->value() == "b second");
  merged->prev();
  CHECK(merged->value() == "b first");
  merged->prev();
  CHECK(merged->value() == "a third");
  merged->next();
  CHECK(merged->value() == "b first");
  merged->next();
  merged->next();
  CHECK(merged->value() == "b third");
  merged->prev();
  CHECK(merged->value() == "b second");
  merged->next();
  CHECK(merged->value() == "b third");
}

TEST_CASE("a child's error stops a merging iterator, and state() is the first child's error") {
  // Interleaved keys: a holds k00, k02, ..., b holds k01, k03, ... and fails on its fifth.
  entry_list a, b;
  for (int i = 0; i < 20; ++i) {
    const std::string k = "k" + std::string(i < 10 ? "0" : "") + std::to_string(i);
    (i % 2 == 0 ? a : b).emplace_back(ikey(k, 1), k);
  }
  children c;
  c.push_back(std::make_unique<vector_iterator>(a));
  c.push_back(std::make_unique<vector_iterator>(b, 4));  // fails stepping onto k09
  auto merged = new_merging_iterator(std::move(c));
  const entry_list seen = kepler::test::scan_forward(*merged);
  // k00 to k07, then the stop: a's k08 and later are not shown past the broken child.
  CHECK(seen.size() == 8);
  CHECK_FALSE(merged->valid());
  CHECK(merged->state().code() == status_code::io_error);
  MESSAGE("stopped after " << seen.size() << " of 20 entries: " << merged->state().to_string());

  children two_broken;
  two_broken.push_back(std::make_unique<vector_iterator>(a));
  two_broken.push_back(new_error_iterator(status::corruption("second")));
  two_broken.push_back(new_error_iterator(status::io_error("third")));
  merged = new_merging_iterator(std::move(two_broken));
  merged->seek_to_first();
  CHECK_FALSE(merged->valid());
  CHECK(merged->state().code() == status_code::corruption);
  CHECK(merged->state().message() == "second");
}

TEST_CASE("a merging iterator of no children is empty, and of one child is that child") {
  auto none = new_merging_iterator({});
  none->seek_to_first();
  CHECK_FALSE(none->valid());
  CHECK(none->state().is_ok());

  entry_list e = {{ikey("a", 1), "1"}, {ikey("b", 1), "2"}};
  children one;
  one.push_back(std::make_unique<vector_iterator>(e));
  internal_iterator* child = one.front().get();
  auto merged = new_merging_iterator(std::move(one));
  CHECK(merged.get() == child);
  CHECK(kepler::test::scan_forward(*merged) == e);

  children with_empty;
  with_empty.push_back(new_empty_iterator());
  with_empty.push_back(std::make_unique<vector_iterator>(e));
  with_empty.push_back(new_empty_iterator());
  merged = new_merging_iterator(std::move(with_empty));
  CHECK(kepler::test::scan_forward(*merged) == e);
  CHECK(kepler::test::scan_backward(*merged) == e);
}
