// The whole engine against a model: random inserts, removes, batches, reads, iterations both
// ways within random bounds, reads through snapshots, manual compactions and reopens, every
// answer compared with a std::map that holds what the store must hold. A memtable of a few KiB
// and a low level-0 trigger make flushes and compactions happen all through a run, so reads
// cross memtables and the tables of several levels while files come and go.
//
// Each seed prints its figures; a difference names the seed, the step and the operation.
// KEPLER_MODEL_SEED=<n> runs that seed alone: its operations repeat exactly (the background
// flushes and compactions may fall in between them differently).

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/store_checks.hpp"
#include "kepler/db.hpp"
#include "soak_mode.hpp"
#include "test_dir.hpp"

using kepler::test::temp_dir;

namespace {

using model = std::map<std::string, std::string>;
using bound = std::optional<std::string>;

// Differences reported in full per seed; later ones are only counted.
constexpr int reported_differences = 5;
// Snapshots held at once.
constexpr std::size_t max_live_snapshots = 4;
// Moves after an iterator's first positioning: at most this many, or (walk_chance) to the end.
constexpr int max_moves = 12;
constexpr double walk_chance = 0.1;

// The operations a step picks from, with their weights (per mille of the steps). Compactions
// and reopens are rare because each costs a flush and several fsyncs.
enum class op {
  insert,
  remove,
  batch,
  get,
  iterate,
  scan,
  take_snapshot,
  read_snapshot,
  release_snapshot,
  compact,
  reopen
};
constexpr std::pair<op, double> op_weights[] = {
    {op::insert, 300},       {op::remove, 100},        {op::batch, 60},
    {op::get, 200},          {op::iterate, 110},       {op::scan, 40},
    {op::take_snapshot, 20}, {op::read_snapshot, 100}, {op::release_snapshot, 20},
    {op::compact, 5},        {op::reopen, 3}};

// Bytes as text, with every byte that is not printable ASCII as \xNN; long strings cut.
std::string printable(std::string_view s) {
  constexpr std::size_t shown = 24;
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < shown; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
      out += static_cast<char>(c);
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  out += s.size() > shown ? "...\"" : "\"";
  if (s.size() > shown) out += " (" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string printable_bound(const bound& b) {
  return b ? printable(*b) : std::string("none");
}

std::optional<std::string_view> view_of(const bound& b) {
  if (!b) return std::nullopt;
  return std::string_view(*b);
}

// What an iterator over a model within [lower, upper) must show: the entries inside the
// bounds and a position among them (or none).
class model_cursor {
 public:
  model_cursor(const model& m, const bound& lower, const bound& upper) {
    for (auto it = lower ? m.lower_bound(*lower) : m.begin();
         it != m.end() && (!upper || it->first < *upper); ++it)
      entries_.push_back(&*it);
  }

  bool valid() const { return pos_ < entries_.size(); }
  const std::string& key() const { return entries_[pos_]->first; }
  const std::string& value() const { return entries_[pos_]->second; }
  const std::vector<const model::value_type*>& entries() const { return entries_; }

  void seek_to_first() { pos_ = entries_.empty() ? none : 0; }
  void seek_to_last() { pos_ = entries_.empty() ? none : entries_.size() - 1; }
  void seek(std::string_view target) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const auto* e) { return e->first >= target; });
    pos_ = it == entries_.end() ? none : static_cast<std::size_t>(it - entries_.begin());
  }
  void seek_for_prev(std::string_view target) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const auto* e) { return e->first > target; });
    pos_ = it == entries_.begin() ? none : static_cast<std::size_t>(it - entries_.begin()) - 1;
  }
  void next() { pos_ = pos_ + 1 < entries_.size() ? pos_ + 1 : none; }
  void prev() { pos_ = pos_ == 0 ? none : pos_ - 1; }

 private:
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<const model::value_type*> entries_;
  std::size_t pos_ = none;
};

struct held_snapshot {
  std::unique_ptr<kepler::snapshot> handle;
  model state;  // the model when the snapshot was taken
  int taken_at = 0;
};

struct run_figures {
  int seeds = 0;
  std::uint64_t steps = 0;
  std::uint64_t checks = 0;  // answers compared with the model
  std::uint64_t reopens = 0;
  std::uint64_t flushes = 0;
  std::uint64_t compactions = 0;
  std::uint64_t differences = 0;

  void add(const run_figures& seed) {
    seeds += seed.seeds;
    steps += seed.steps;
    checks += seed.checks;
    reopens += seed.reopens;
    flushes += seed.flushes;
    compactions += seed.compactions;
    differences += seed.differences;
  }
  std::string to_string() const {
    std::ostringstream out;
    out << "steps=" << steps << " checks=" << checks << " reopens=" << reopens
        << " flushes=" << flushes << " compactions=" << compactions
        << " differences=" << differences;
    return out.str();
  }
};

// One seed's run: a store in `dir`, its model, and the random choices of `seed`.
class model_run {
 public:
  model_run(std::uint64_t seed, std::string dir) : seed_(seed), dir_(std::move(dir)), rng_(seed) {
    // A memtable of 4 to 16 KiB flushes every few dozen writes; two to four level-0 tables
    // start a compaction; the smallest tables and level 1 the options allow make deeper levels.
    opts_.memtable_bytes = uniform(4096, 16384);
    opts_.l0_compaction_trigger = static_cast<int>(uniform(2, 4));
    opts_.target_file_size = 16 * 1024;
    opts_.max_bytes_for_level_base = 64 * 1024;
    // A few hundred keys at most, so writes overwrite and remove keys that are there.
    const auto key_count = uniform(50, 600);
    while (keys_.size() < key_count) {
      auto k = random_string();
      if (std::find(keys_.begin(), keys_.end(), k) == keys_.end()) keys_.push_back(k);
    }
    std::vector<double> weights;
    for (const auto& [o, w] : op_weights) weights.push_back(w);
    pick_op_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
  }

  run_figures run(int steps) {
    figures_.seeds = 1;
    if (!open()) return figures_;
    for (step_ = 0; step_ < steps && store_; ++step_) {
      ++figures_.steps;
      switch (op_weights[pick_op_(rng_)].first) {
        case op::insert:
          insert();
          break;
        case op::remove:
          remove();
          break;
        case op::batch:
          batch();
          break;
        case op::get:
          get(model_, nullptr, "");
          break;
        case op::iterate:
          iterate(model_, nullptr, "");
          break;
        case op::scan:
          scan(model_, nullptr, "");
          break;
        case op::take_snapshot:
          take_snapshot();
          break;
        case op::read_snapshot:
          read_snapshot();
          break;
        case op::release_snapshot:
          release_snapshot();
          break;
        case op::compact:
          compact();
          break;
        case op::reopen:
          reopen();
          break;
      }
    }
    if (!store_) return figures_;
    op_ = "final check";
    check_all(model_, nullptr, "");
    for (const auto& s : snapshots_) check_all(s.state, s.handle.get(), through(s));
    snapshots_.clear();
    close();
    return figures_;
  }

  const kepler::options& options() const { return opts_; }
  std::size_t key_count() const { return keys_.size(); }

 private:
  // --- random choices
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // 0 to 10 bytes from a small alphabet holding the smallest and the largest byte, so keys
  // share prefixes, one is often a prefix of another, and byte order matters.
  std::string random_string() {
    static const char alphabet[] = {'\0', '0', 'a', 'b', 'k', '\xff'};
    std::string s(uniform(0, 10), '\0');
    for (auto& c : s) c = alphabet[uniform(0, sizeof alphabet - 1)];
    return s;
  }
  const std::string& random_key() { return keys_[uniform(0, keys_.size() - 1)]; }
  // Where reads aim: a key of the pool, one just past it, or any string.
  std::string random_target() {
    auto r = uniform(0, 9);
    if (r < 6) return random_key();
    if (r < 8) return random_key() + '\0';
    return random_string();
  }
  bound random_bound() {
    if (chance(0.5)) return std::nullopt;
    return random_target();
  }
  // Unique to the step (a stale version cannot pass for the newest), mostly short, some of a
  // few hundred bytes, a few larger than a data block; now and then empty.
  std::string random_value() {
    auto r = uniform(0, 99);
    if (r < 3) return std::string();
    auto length = r < 70 ? uniform(0, 40) : r < 95 ? uniform(40, 400) : uniform(1000, 6000);
    std::string v = "v" + std::to_string(step_) + ":";
    while (v.size() < length) v += static_cast<char>(uniform(0, 255));
    return v;
  }

  // --- reporting
  void differ(const std::string& what) {
    ++figures_.differences;
    if (figures_.differences <= reported_differences)
      FAIL_CHECK("seed " << seed_ << " step " << step_ << ": " << op_ << ": " << what);
  }
  template <class T>
  bool succeeded(const caf::expected<T>& result, const std::string& call) {
    if (result) return true;
    differ(call + " failed: " + kepler::to_string(result.error()));
    return false;
  }
  static std::string through(const held_snapshot& s) {
    return " through the snapshot of step " + std::to_string(s.taken_at);
  }

  // --- opening and closing
  bool open() {
    op_ = "open";
    auto opened = kepler::db::open(dir_, opts_);
    if (!succeeded(opened, "open")) return false;
    store_ = std::move(*opened);
    return true;
  }
  void count_stats() {
    auto stats = store_->stats();
    if (!succeeded(stats, "stats")) return;
    figures_.flushes += stats->flushes;
    figures_.compactions += stats->compactions;
  }
  void close() {
    count_stats();  // the counters start over at each open
    succeeded(store_->close(), "close");
    store_.reset();
  }

  // --- writes
  void insert() {
    const auto& key = random_key();
    auto value = random_value();
    op_ = "insert " + printable(key) + " = " + printable(value);
    kepler::write_options wo;
    wo.sync = chance(0.02);
    if (succeeded(store_->insert(key, value, wo), "insert")) model_[key] = value;
  }
  void remove() {
    const auto& key = random_key();
    op_ = "remove " + printable(key);
    if (succeeded(store_->remove(key), "remove")) model_.erase(key);
  }
  void batch() {
    kepler::write_batch b;
    model after = model_;
    op_ = "batch";
    for (auto n = uniform(0, 12); n > 0; --n) {
      const auto& key = random_key();
      if (chance(0.7)) {
        auto value = random_value();
        b.insert(key, value);
        after[key] = value;
        op_ += " insert " + printable(key);
      } else {
        b.remove(key);
        after.erase(key);
        op_ += " remove " + printable(key);
      }
    }
    if (succeeded(store_->write(b), "write")) model_ = std::move(after);
  }

  // --- reads, as of now (snap null) or through a snapshot, against the model `m`
  void get(const model& m, const kepler::snapshot* snap, const std::string& label) {
    auto key = random_target();
    op_ = "get " + printable(key) + label;
    check_get(m, snap, key);
  }
  void check_get(const model& m, const kepler::snapshot* snap, const std::string& key) {
    kepler::read_options ro;
    ro.snapshot = snap;
    auto got = store_->get(key, ro);
    if (!succeeded(got, "get")) return;
    ++figures_.checks;
    auto it = m.find(key);
    std::optional<std::string> expected;
    if (it != m.end()) expected = it->second;
    if (*got != expected)
      differ("get " + printable(key) + ": store " + (*got ? printable(**got) : "none") +
             ", model " + (expected ? printable(*expected) : "none"));
  }

  // Whether the iterator shows what the cursor does; a difference is reported.
  bool same(const kepler::iterator& got, const model_cursor& expected, const std::string& at) {
    ++figures_.checks;
    if (got.valid() != expected.valid()) {
      differ(at + ": store " + (got.valid() ? "at " + printable(got.key()) : "not valid") +
             ", model " + (expected.valid() ? "at " + printable(expected.key()) : "not valid"));
      return false;
    }
    if (!got.valid()) return true;
    if (got.key() != expected.key() || got.value() != expected.value()) {
      differ(at + ": store at " + printable(got.key()) + " = " + printable(got.value()) +
             ", model at " + printable(expected.key()) + " = " + printable(expected.value()));
      return false;
    }
    return true;
  }

  // A random positioning call, then a few moves with changes of direction (or a walk to the
  // end), compared with the model after every call.
  void iterate(const model& m, const kepler::snapshot* snap, const std::string& label) {
    kepler::read_options ro;
    ro.snapshot = snap;
    ro.lower_bound = random_bound();
    ro.upper_bound = random_bound();
    // Mostly a range in order; sometimes an empty one, upper below lower.
    if (ro.lower_bound && ro.upper_bound && *ro.upper_bound < *ro.lower_bound && chance(0.8))
      std::swap(ro.lower_bound, ro.upper_bound);
    op_ = "iterate" + label + " lower " + printable_bound(ro.lower_bound) + " upper " +
          printable_bound(ro.upper_bound) + ":";
    model_cursor expected(m, ro.lower_bound, ro.upper_bound);
    auto it = store_->new_iterator(ro);
    if (!succeeded(it, "new_iterator")) return;
    auto& got = **it;
    std::string target = random_target();
    switch (uniform(0, 3)) {
      case 0:
        got.seek(target);
        expected.seek(target);
        op_ += " seek " + printable(target);
        break;
      case 1:
        got.seek_for_prev(target);
        expected.seek_for_prev(target);
        op_ += " seek_for_prev " + printable(target);
        break;
      case 2:
        got.seek_to_first();
        expected.seek_to_first();
        op_ += " seek_to_first";
        break;
      default:
        got.seek_to_last();
        expected.seek_to_last();
        op_ += " seek_to_last";
        break;
    }
    if (!same(got, expected, "after positioning")) return;
    const auto moves = chance(walk_chance) ? expected.entries().size() + 1 : uniform(0, max_moves);
    bool forward = chance(0.5);
    op_ += " then";
    for (std::uint64_t i = 0; i < moves && expected.valid(); ++i) {
      if (chance(0.25)) forward = !forward;
      if (forward) {
        got.next();
        expected.next();
      } else {
        got.prev();
        expected.prev();
      }
      op_ += forward ? " next" : " prev";
      if (!same(got, expected, "after move " + std::to_string(i + 1))) return;
    }
    succeeded(got.status(), "iterator status");
  }

  // Every key both ways, as a full walk, and each key of the pool by get.
  void check_all(const model& m, const kepler::snapshot* snap, const std::string& label) {
    op_ = "check every key" + label;
    for (const auto& k : keys_) check_get(m, snap, k);
    kepler::read_options ro;
    ro.snapshot = snap;
    for (bool forward : {true, false}) {
      op_ = std::string("walk ") + (forward ? "forward" : "backward") + label;
      auto it = store_->new_iterator(ro);
      if (!succeeded(it, "new_iterator")) return;
      auto& got = **it;
      model_cursor expected(m, std::nullopt, std::nullopt);
      if (forward) {
        got.seek_to_first();
        expected.seek_to_first();
      } else {
        got.seek_to_last();
        expected.seek_to_last();
      }
      for (std::size_t i = 0;; ++i) {
        if (!same(got, expected, "at entry " + std::to_string(i)) || !expected.valid()) break;
        if (forward) {
          got.next();
          expected.next();
        } else {
          got.prev();
          expected.prev();
        }
      }
      succeeded(got.status(), "iterator status");
    }
  }

  void scan(const model& m, const kepler::snapshot* snap, const std::string& label) {
    auto begin = random_bound();
    auto end = random_bound();
    if (begin && end && *end < *begin) std::swap(begin, end);
    kepler::read_options ro;
    ro.snapshot = snap;
    if (chance(0.2)) ro.lower_bound = random_target();
    if (chance(0.2)) ro.upper_bound = random_target();
    const std::size_t limit = chance(0.5) ? 0 : uniform(1, 20);
    op_ = "scan" + label + " [" + printable_bound(begin) + ", " + printable_bound(end) +
          ") limit " + std::to_string(limit) + " lower " + printable_bound(ro.lower_bound) +
          " upper " + printable_bound(ro.upper_bound);
    // The narrower of the range and the bounds.
    bound lower = begin, upper = end;
    if (ro.lower_bound && (!lower || *lower < *ro.lower_bound)) lower = ro.lower_bound;
    if (ro.upper_bound && (!upper || *ro.upper_bound < *upper)) upper = ro.upper_bound;
    model_cursor expected(m, lower, upper);
    auto want = expected.entries();
    if (limit != 0 && want.size() > limit) want.resize(limit);
    auto got = store_->scan(view_of(begin), view_of(end), limit, ro);
    if (!succeeded(got, "scan")) return;
    ++figures_.checks;
    for (std::size_t i = 0; i < std::max(got->size(), want.size()); ++i) {
      if (i < got->size() && i < want.size() && (*got)[i].first == want[i]->first &&
          (*got)[i].second == want[i]->second)
        continue;
      auto shown = [](const std::string& k, const std::string& v) {
        return printable(k) + " = " + printable(v);
      };
      differ("entry " + std::to_string(i) + ": store " +
             (i < got->size() ? shown((*got)[i].first, (*got)[i].second) : "none") + ", model " +
             (i < want.size() ? shown(want[i]->first, want[i]->second) : "none") + " (store " +
             std::to_string(got->size()) + " entries, model " + std::to_string(want.size()) + ")");
      return;
    }
  }

  // --- snapshots
  void check_snapshot_count() {
    auto stats = store_->stats();
    if (!succeeded(stats, "stats")) return;
    ++figures_.checks;
    if (stats->live_snapshots != snapshots_.size())
      differ("stats().live_snapshots " + std::to_string(stats->live_snapshots) + ", held " +
             std::to_string(snapshots_.size()));
  }
  void take_snapshot() {
    op_ = "take a snapshot";
    if (snapshots_.size() >= max_live_snapshots) return;
    auto snap = store_->snapshot();
    if (!succeeded(snap, "snapshot")) return;
    snapshots_.push_back({std::move(*snap), model_, step_});
    check_snapshot_count();
  }
  void read_snapshot() {
    if (snapshots_.empty()) return take_snapshot();
    const auto& s = snapshots_[uniform(0, snapshots_.size() - 1)];
    for (int i = 0; i < 3; ++i) get(s.state, s.handle.get(), through(s));
    iterate(s.state, s.handle.get(), through(s));
    if (chance(0.3)) scan(s.state, s.handle.get(), through(s));
  }
  void release_snapshot() {
    op_ = "release a snapshot";
    if (snapshots_.empty()) return;
    snapshots_.erase(snapshots_.begin() +
                     static_cast<std::ptrdiff_t>(uniform(0, snapshots_.size() - 1)));
    check_snapshot_count();
  }

  // --- compaction and reopening
  void compact() {
    auto begin = random_bound();
    auto end = random_bound();
    if (begin && end && *end < *begin) std::swap(begin, end);
    op_ = "compact_range " + printable_bound(begin) + " .. " + printable_bound(end);
    succeeded(store_->compact_range(view_of(begin), view_of(end)), "compact_range");
  }
  void reopen() {
    op_ = "reopen";
    snapshots_.clear();  // a snapshot does not survive its store's close
    close();
    if (!open()) return;
    ++figures_.reopens;
    check_all(model_, nullptr, " after reopen");
  }

  std::uint64_t seed_;
  std::string dir_;
  std::mt19937_64 rng_;
  std::discrete_distribution<std::size_t> pick_op_;
  kepler::options opts_;
  std::vector<std::string> keys_;
  std::unique_ptr<kepler::db> store_;
  model model_;
  std::vector<held_snapshot> snapshots_;
  int step_ = 0;
  std::string op_;  // the operation under way, for a difference's report
  run_figures figures_;
};

}  // namespace

TEST_CASE(
    "the store answers as a std::map does through random writes, reads both ways, "
    "snapshots, compactions and reopens" *
    doctest::test_suite("soak")) {
  const int seeds = kepler::test::soak_count(20, 250);
  const int steps = kepler::test::soak_count(10000, 20000);
  std::uint64_t first_seed = 1;
  int seed_count = seeds;
  if (const char* env = std::getenv("KEPLER_MODEL_SEED")) {
    first_seed = std::strtoull(env, nullptr, 10);
    seed_count = 1;
  }
  run_figures total;
  int without_flush = 0, without_compaction = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seed = first_seed; seed < first_seed + seed_count; ++seed) {
    temp_dir dir("kepler-model");
    model_run run(seed, dir.path());
    const auto f = run.run(steps);
    MESSAGE("seed " << seed << " (memtable " << run.options().memtable_bytes << " B, l0 trigger "
                    << run.options().l0_compaction_trigger << ", " << run.key_count()
                    << " keys): " << f.to_string());
    if (f.flushes == 0) ++without_flush;
    if (f.compactions == 0) ++without_compaction;
    total.add(f);
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  MESSAGE("model test: seeds=" << total.seeds << " " << total.to_string()
                               << " seeds_without_flush=" << without_flush
                               << " seeds_without_compaction=" << without_compaction << " in "
                               << seconds.count() << " s");
  CHECK(total.differences == 0);
  CHECK(without_flush == 0);
  CHECK(without_compaction == 0);
}
