// The compaction picker: level scores and the trigger, level 0 taken whole, round robin over a
// deeper level, widening that brings no new file of the next level in, grandparents, range
// compactions (level 0 transitively), and never the last level as an input.

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compaction_fixture.hpp"
#include "storage_format/compaction/compact_pointers.hpp"
#include "storage_format/compaction/compaction_edit.hpp"
#include "storage_format/compaction/compaction_picker.hpp"
#include "storage_format/version/version_set.hpp"

using namespace kepler::storage;
using kepler::test::make_version;
using kepler::test::numbers;
using kepler::test::table_file;

namespace {

using numbers_t = std::vector<std::uint64_t>;

// Small sizes: level 1 scores 1 at 1000 bytes, level 2 at 10000, level 3 at 100000.
compaction_options small_levels() {
  compaction_options opts;
  opts.max_bytes_for_level_base = 1000;
  opts.level_size_multiplier = 10;
  return opts;
}

}  // namespace

TEST_CASE(
    "level 0 is compacted only at its trigger, then every level-0 file with the level-1 "
    "files it overlaps") {
  const compaction_options opts;  // trigger 4
  std::vector<kepler::test::placed_file> files = {
      {0, table_file(11, "c", "f", 100, 1, 10)},  {0, table_file(12, "a", "d", 100, 11, 20)},
      {0, table_file(13, "x", "y", 100, 21, 30)},  // overlaps no other level-0 file
      {1, table_file(1, "a", "b", 100)},          {1, table_file(2, "e", "g", 100)},
      {1, table_file(3, "h", "w", 100)},   // between the level-0 ranges: still inside [a, y]
      {1, table_file(4, "z", "zz", 100)},  // past every level-0 file
  };
  auto three = make_version(files);
  CHECK(level_score(*three, 0, opts) == doctest::Approx(0.75));
  CHECK_FALSE(pick_compaction(three, compact_pointers{}, opts).has_value());

  files.push_back({0, table_file(14, "m", "n", 100, 31, 40)});
  auto four = make_version(files);
  CHECK(level_score(*four, 0, opts) == doctest::Approx(1.0));
  auto c = pick_compaction(four, compact_pointers{}, opts);
  REQUIRE(c.has_value());
  CHECK(c->level == 0);
  CHECK(c->output_level() == 1);
  CHECK_FALSE(c->manual);
  CHECK(c->base.get() == four.get());
  CHECK(numbers(c->inputs[0]) == numbers_t{14, 13, 12, 11});  // newest first, all of them
  CHECK(numbers(c->inputs[1]) == numbers_t{1, 2, 3});
  CHECK(c->input_bytes() == 700);
  MESSAGE("3 level-0 files score " << level_score(*three, 0, opts) << ", 4 score "
                                   << level_score(*four, 0, opts) << "; picked "
                                   << c->inputs[0].size() << " level-0 + " << c->inputs[1].size()
                                   << " level-1 files");
}

TEST_CASE(
    "compaction scores levels by bytes against base x multiplier^(n-1) and compacts the "
    "highest score") {
  const compaction_options opts = small_levels();
  CHECK(max_bytes_for_level(1, opts) == 1000);
  CHECK(max_bytes_for_level(2, opts) == 10000);
  CHECK(max_bytes_for_level(5, opts) == 10000000);
  compaction_options huge = opts;
  huge.max_bytes_for_level_base = UINT64_MAX / 2;
  CHECK(max_bytes_for_level(6, huge) == UINT64_MAX);  // saturates, never wraps

  // Level 0 at 0.5, level 1 at 1.5, level 2 at 2.5: level 2 is picked.
  auto v = make_version({{0, table_file(30, "a", "z", 10, 1, 5)},
                         {0, table_file(31, "a", "z", 10, 6, 9)},
                         {1, table_file(20, "a", "c", 1500)},
                         {2, table_file(10, "a", "m", 12000)},
                         {2, table_file(11, "n", "z", 13000)},
                         {3, table_file(5, "a", "z", 50000)}});
  CHECK(level_score(*v, 0, opts) == doctest::Approx(0.5));
  CHECK(level_score(*v, 1, opts) == doctest::Approx(1.5));
  CHECK(level_score(*v, 2, opts) == doctest::Approx(2.5));
  CHECK(level_score(*v, 3, opts) == doctest::Approx(0.5));
  auto c = pick_compaction(v, compact_pointers{}, opts);
  REQUIRE(c.has_value());
  CHECK(c->level == 2);
  // File 10 brings level-3 file 5 (a..z), which holds file 11 too: widened to both.
  CHECK(numbers(c->inputs[0]) == numbers_t{10, 11});
  CHECK(numbers(c->inputs[1]) == numbers_t{5});

  // Level 2 under its size: level 1 is the only one over.
  auto v1 =
      make_version({{1, table_file(20, "a", "c", 1500)}, {2, table_file(10, "a", "m", 9000)}});
  auto c1 = pick_compaction(v1, compact_pointers{}, opts);
  REQUIRE(c1.has_value());
  CHECK(c1->level == 1);
  CHECK(numbers(c1->inputs[1]) == numbers_t{10});

  // A tie goes to the lower level.
  auto tie =
      make_version({{1, table_file(20, "a", "c", 2000)}, {2, table_file(10, "x", "z", 20000)}});
  auto ct = pick_compaction(tie, compact_pointers{}, opts);
  REQUIRE(ct.has_value());
  CHECK(ct->level == 1);

  // Every level under 1: nothing to compact.
  auto calm = make_version({{1, table_file(20, "a", "c", 999)}});
  CHECK_FALSE(pick_compaction(calm, compact_pointers{}, opts).has_value());
  MESSAGE("scores L0 " << level_score(*v, 0, opts) << ", L1 " << level_score(*v, 1, opts) << ", L2 "
                       << level_score(*v, 2, opts) << ", L3 " << level_score(*v, 3, opts)
                       << ": compacted level " << c->level);
}

TEST_CASE("the last level is never a compaction's input level") {
  const compaction_options opts = small_levels();
  auto last = make_version({{num_levels - 1, table_file(1, "a", "z", UINT64_MAX / 4)}});
  CHECK(level_score(*last, num_levels - 1, opts) == 0);
  CHECK_FALSE(pick_compaction(last, compact_pointers{}, opts).has_value());
  CHECK_FALSE(
      pick_range_compaction(last, num_levels - 1, std::nullopt, std::nullopt, opts).has_value());
  CHECK_FALSE(
      pick_range_compaction(last, num_levels, std::nullopt, std::nullopt, opts).has_value());
  CHECK_FALSE(pick_range_compaction(last, -1, std::nullopt, std::nullopt, opts).has_value());

  // The level above it compacts into it, with no grandparents (there is no level below).
  auto above = make_version({{num_levels - 2, table_file(2, "a", "m", UINT64_MAX / 4)},
                             {num_levels - 1, table_file(1, "a", "z", 10)}});
  auto c = pick_compaction(above, compact_pointers{}, opts);
  REQUIRE(c.has_value());
  CHECK(c->level == num_levels - 2);
  CHECK(c->output_level() == num_levels - 1);
  CHECK(numbers(c->inputs[1]) == numbers_t{1});
  CHECK(c->grandparents.empty());
}

TEST_CASE(
    "round-robin compaction of a level starts after the previous compaction's largest key "
    "and wraps") {
  const compaction_options opts = small_levels();
  // Level 1 far over its size, so each pick compacts it; no level 2 to widen against.
  auto v = make_version({{1, table_file(1, "a", "b", 1000)},
                         {1, table_file(2, "c", "d", 1000)},
                         {1, table_file(3, "e", "f", 1000)},
                         {1, table_file(4, "g", "h", 1000)}});
  compact_pointers pointers;
  CHECK(pointers.at(1).empty());
  numbers_t order;
  for (int round = 0; round < 6; ++round) {
    auto c = pick_compaction(v, pointers, opts);
    REQUIRE(c.has_value());
    REQUIRE(c->level == 1);
    REQUIRE(c->inputs[0].size() == 1);
    order.push_back(c->inputs[0][0]->number);
    pointers.advance(*c);
    CHECK(pointers.at(1) == c->inputs[0][0]->largest);
  }
  CHECK(order == numbers_t{1, 2, 3, 4, 1, 2});

  // A pointer between files (the file it named is gone): the next file after it.
  compact_pointers between;
  compaction gone;
  gone.level = 1;
  gone.inputs[0] = {table_file(99, "c1", "c2", 10)};
  between.advance(gone);
  auto c = pick_compaction(v, between, opts);
  REQUIRE(c.has_value());
  CHECK(numbers(c->inputs[0]) == numbers_t{2});  // "c".."d" ends after "c2"
  std::string shown;
  for (auto n : order) shown += std::to_string(n) + " ";
  MESSAGE("files compacted in turn: " << shown);
}

TEST_CASE(
    "compaction widens its level-n inputs only while that brings no new level-n+1 file "
    "in and stays under the size limit") {
  const compaction_options opts = small_levels();
  SUBCASE("widened: the level-2 file already taken spans the neighbour") {
    auto v = make_version({{1, table_file(1, "a", "b", 1000)},
                           {1, table_file(2, "c", "d", 1000)},
                           {1, table_file(3, "e", "f", 1000)},
                           {2, table_file(10, "a", "d", 100)},
                           {2, table_file(11, "f", "h", 100)}});
    auto c = pick_compaction(v, compact_pointers{}, opts);
    REQUIRE(c.has_value());
    CHECK(numbers(c->inputs[0]) == numbers_t{1, 2});
    CHECK(numbers(c->inputs[1]) == numbers_t{10});
    MESSAGE("widened to level-1 files 1 and 2 over level-2 file 10; file 3 would bring 11");
  }
  SUBCASE("not widened: the neighbour reaches a further level-2 file") {
    auto v = make_version({{1, table_file(1, "a", "b", 1000)},
                           {1, table_file(2, "c", "d", 1000)},
                           {2, table_file(10, "a", "c", 100)},
                           {2, table_file(11, "d", "e", 100)}});
    auto c = pick_compaction(v, compact_pointers{}, opts);
    REQUIRE(c.has_value());
    CHECK(numbers(c->inputs[0]) == numbers_t{1});
    CHECK(numbers(c->inputs[1]) == numbers_t{10});
  }
  SUBCASE("not widened: over max_expanded_compaction_bytes") {
    compaction_options tight = opts;
    tight.max_expanded_compaction_bytes = 2100;  // 1000 + 1000 + 100 is not under it
    auto v = make_version({{1, table_file(1, "a", "b", 1000)},
                           {1, table_file(2, "c", "d", 1000)},
                           {2, table_file(10, "a", "d", 100)}});
    auto c = pick_compaction(v, compact_pointers{}, tight);
    REQUIRE(c.has_value());
    CHECK(numbers(c->inputs[0]) == numbers_t{1});
    tight.max_expanded_compaction_bytes = 2101;
    auto wider = pick_compaction(v, compact_pointers{}, tight);
    REQUIRE(wider.has_value());
    CHECK(numbers(wider->inputs[0]) == numbers_t{1, 2});
  }
  SUBCASE("widened on both sides within the level-n+1 files already taken") {
    auto v = make_version({{1, table_file(1, "a", "a", 1000)},
                           {1, table_file(2, "b", "e", 10)},
                           {1, table_file(3, "e1", "f", 10)},
                           {1, table_file(4, "x", "y", 10)},
                           {2, table_file(10, "a", "c", 100)},
                           {2, table_file(11, "c1", "g", 100)}});
    // From file 1: level-2 file 10 (a..c) reaches file 2 (b..e), whose range reaches level-2
    // file 11 as well: not widened.
    auto c = pick_compaction(v, compact_pointers{}, opts);
    REQUIRE(c.has_value());
    CHECK(numbers(c->inputs[0]) == numbers_t{1});
    // Starting from file 2: level 2 gives 10 and 11 (a..g), which takes 1, 2, 3 (a..f) and
    // still only 10 and 11.
    compact_pointers after_first;
    after_first.advance(*c);
    auto c2 = pick_compaction(v, after_first, opts);
    REQUIRE(c2.has_value());
    CHECK(numbers(c2->inputs[0]) == numbers_t{1, 2, 3});
    CHECK(numbers(c2->inputs[1]) == numbers_t{10, 11});
  }
}

TEST_CASE("a compaction collects the level-n+2 files overlapping its inputs as grandparents") {
  const compaction_options opts = small_levels();
  auto v = make_version({{1, table_file(1, "c", "d", 5000)},
                         {2, table_file(10, "c", "e", 100)},
                         {3, table_file(20, "a", "b", 100)},
                         {3, table_file(21, "b1", "c", 100)},
                         {3, table_file(22, "d", "f", 100)},
                         {3, table_file(23, "g", "h", 100)},
                         {4, table_file(30, "a", "z", 100)}});
  auto c = pick_compaction(v, compact_pointers{}, opts);
  REQUIRE(c.has_value());
  CHECK(numbers(c->inputs[1]) == numbers_t{10});
  CHECK(numbers(c->grandparents) == numbers_t{21, 22});  // overlap c..e
  MESSAGE(c->grandparents.size() << " grandparents of 4 level-3 files");
}

TEST_CASE(
    "a range compaction takes the files of the level overlapping the range, open ends "
    "included") {
  const compaction_options opts = small_levels();
  auto v = make_version({{1, table_file(1, "a", "b", 10)},
                         {1, table_file(2, "c", "d", 10)},
                         {1, table_file(3, "e", "f", 10)},
                         {1, table_file(4, "g", "h", 10)},
                         {2, table_file(10, "d", "e", 10)}});
  auto pick = [&](std::optional<std::string_view> b, std::optional<std::string_view> e) {
    auto c = pick_range_compaction(v, 1, b, e, opts);
    if (c.has_value()) {
      CHECK(c->manual);
      CHECK(c->level == 1);
    }
    return c ? numbers(c->inputs[0]) : numbers_t{};
  };
  CHECK(pick("d", "e") == numbers_t{2, 3});
  CHECK(pick("b", "b") == numbers_t{1});
  CHECK(pick(std::nullopt, "c") == numbers_t{1, 2, 3});  // 2 brings 10 (d..e), which takes 3
  CHECK(pick("g", std::nullopt) == numbers_t{4});
  CHECK(pick(std::nullopt, std::nullopt) == numbers_t{1, 2, 3, 4});
  CHECK(pick("b1", "b2") == numbers_t{});  // between files
  CHECK(pick("x", "y") == numbers_t{});
  CHECK(pick("e", "d") == numbers_t{});  // an empty range
  auto c = pick_range_compaction(v, 1, "c", "c", opts);
  REQUIRE(c.has_value());
  CHECK(numbers(c->inputs[1]) == numbers_t{10});
  // Even when no level scores 1.
  CHECK_FALSE(pick_compaction(v, compact_pointers{}, opts).has_value());
}

TEST_CASE(
    "a range compaction of level 0 takes every level-0 file overlapping a taken one, "
    "transitively") {
  const compaction_options opts;
  auto v = make_version({{0, table_file(1, "a", "c", 10, 1, 1)},
                         {0, table_file(2, "b", "e", 10, 2, 2)},
                         {0, table_file(3, "d", "f", 10, 3, 3)},
                         {0, table_file(4, "x", "z", 10, 4, 4)},
                         {0, table_file(5, "g", "h", 10, 5, 5)},
                         {1, table_file(10, "f", "g", 10)},
                         {1, table_file(11, "y", "y", 10)},
                         {1, table_file(12, "h", "i", 10)}});
  // "a" is only in file 1; 1 reaches 2 ("b"), 2 reaches 3 ("d".."f"). File 5 ("g".."h")
  // overlaps none of them, only the level-1 file 10 they bring in; widening to it would bring
  // level-1 file 12 too, so it is left.
  auto c = pick_range_compaction(v, 0, "a", "a", opts);
  REQUIRE(c.has_value());
  CHECK(numbers(c->inputs[0]) == numbers_t{3, 2, 1});  // newest first
  CHECK(numbers(c->inputs[1]) == numbers_t{10});
  // Without level-1 file 12, widening takes file 5: it brings no new level-1 file.
  auto v2 = make_version({{0, table_file(1, "a", "c", 10, 1, 1)},
                          {0, table_file(2, "b", "e", 10, 2, 2)},
                          {0, table_file(3, "d", "f", 10, 3, 3)},
                          {0, table_file(5, "g", "h", 10, 5, 5)},
                          {1, table_file(10, "f", "g", 10)}});
  auto w = pick_range_compaction(v2, 0, "a", "a", opts);
  REQUIRE(w.has_value());
  CHECK(numbers(w->inputs[0]) == numbers_t{5, 3, 2, 1});
  auto z = pick_range_compaction(v, 0, "y", std::nullopt, opts);
  REQUIRE(z.has_value());
  CHECK(numbers(z->inputs[0]) == numbers_t{4});
  CHECK(numbers(z->inputs[1]) == numbers_t{11});
  CHECK_FALSE(pick_range_compaction(v, 0, "i", "w", opts).has_value());
  MESSAGE("range [a, a] on level 0 took " << c->inputs[0].size() << " of 5 level-0 files");
}

TEST_CASE("a compaction knows whether a level below its output holds a key") {
  auto v = make_version({{3, table_file(1, "m", "p", 10)}, {6, table_file(2, "x", "x", 10)}});
  compaction c;
  c.base = v;
  c.level = 1;  // output level 2: levels 3 to 6 are below it
  CHECK(c.deeper_levels_hold("m"));
  CHECK(c.deeper_levels_hold("n"));
  CHECK(c.deeper_levels_hold("x"));
  CHECK_FALSE(c.deeper_levels_hold("q"));
  c.level = 2;  // output level 3: level 3 itself is not below it
  CHECK_FALSE(c.deeper_levels_hold("n"));
  CHECK(c.deeper_levels_hold("x"));
  c.base = nullptr;  // nothing known: every key may be held
  CHECK(c.deeper_levels_hold("q"));
}

TEST_CASE("a level rewrite takes a level's overlapping files into that same level") {
  const compaction_options opts = small_levels();
  auto v = make_version({{2, table_file(1, "a", "c", 10)},
                         {2, table_file(2, "d", "f", 10)},
                         {2, table_file(3, "g", "h", 10)},
                         {3, table_file(10, "b", "e", 10)},
                         {3, table_file(11, "x", "y", 10)}});
  auto c = pick_level_rewrite(v, 2, "b", "e", opts);
  REQUIRE(c.has_value());
  CHECK(c->manual);
  CHECK(c->same_level);
  CHECK(c->level == 2);
  CHECK(c->output_level() == 2);
  CHECK(numbers(c->inputs[0]) == numbers_t{1, 2});
  CHECK(c->inputs[1].empty());
  // Level 3 lies below the output now: it bounds the outputs and keeps deletions of its keys.
  CHECK(numbers(c->grandparents) == numbers_t{10});
  CHECK(c->deeper_levels_hold("b"));
  CHECK_FALSE(c->deeper_levels_hold("g"));
  // Its edit swaps the inputs for the outputs on the same level.
  compaction_result result;
  result.outputs.push_back(*table_file(20, "a", "f", 15));
  auto edit = compaction_edit(*c, result);
  REQUIRE(edit.new_files.size() == 1);
  CHECK(edit.new_files[0].level == 2);
  CHECK(edit.deleted_files.size() == 2);
  version_set set;
  for (int level = 0; level < num_levels; ++level) {
    version_edit add;
    for (const auto& f : v->files(level)) add.new_files.push_back({level, *f});
    REQUIRE(set.apply(add, "test").is_ok());
  }
  CHECK(set.apply(edit, "test").is_ok());
  CHECK(numbers(set.current()->files(2)) == numbers_t{20, 3});
  // Nothing to rewrite: no overlap, level 0 (it has no in-place form) or out of range.
  CHECK_FALSE(pick_level_rewrite(v, 2, "i", "w", opts).has_value());
  CHECK_FALSE(pick_level_rewrite(v, 0, std::nullopt, std::nullopt, opts).has_value());
  CHECK_FALSE(pick_level_rewrite(v, num_levels, std::nullopt, std::nullopt, opts).has_value());
  // The last level can be rewritten (it has no level below to compact into).
  auto last = make_version({{num_levels - 1, table_file(5, "a", "z", 10)}});
  auto bottom = pick_level_rewrite(last, num_levels - 1, std::nullopt, std::nullopt, opts);
  REQUIRE(bottom.has_value());
  CHECK(bottom->grandparents.empty());
}

TEST_CASE("level 0 at the slowdown trigger is compacted before a deeper level that scores higher") {
  compaction_options opts = small_levels();  // level 1 scores 1 at 1000 bytes
  opts.l0_compaction_trigger = 4;
  opts.l0_slowdown_trigger = 8;
  auto with_level0 = [](int files) {
    std::vector<kepler::test::placed_file> levels;
    for (int i = 0; i < files; ++i)
      levels.push_back({0, table_file(100 + i, "a", "z", 10, 10 * i + 1, 10 * i + 5)});
    levels.push_back({1, table_file(1, "a", "z", 100000)});  // scores 100
    return levels;
  };
  // Below the slowdown trigger the higher score wins: level 1 (100) over level 0 (1.75).
  auto below = pick_compaction(make_version(with_level0(7)), compact_pointers{}, opts);
  REQUIRE(below.has_value());
  CHECK(below->level == 1);
  // At it, level 0 goes first (score 2, far under level 1's), every level-0 file taken.
  auto at = pick_compaction(make_version(with_level0(8)), compact_pointers{}, opts);
  REQUIRE(at.has_value());
  CHECK(at->level == 0);
  CHECK(at->inputs[0].size() == 8);
  CHECK(numbers(at->inputs[1]) == numbers_t{1});
}
