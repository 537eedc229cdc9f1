#include "power_loss/workload.hpp"

#include <cstdio>
#include <cstdlib>
#include <random>

#include "api/src/open_with_file_system.hpp"

namespace kepler::test::power {

namespace {

constexpr int key_space = 30;
constexpr int compact_at = 250;     // the compact_range comes before this write
constexpr int empty_sync_at = 120;  // an empty synced batch
constexpr std::size_t max_value = 700;
// A few values larger than a log block (32 KiB): their records span blocks, so a log holds
// more than one block and a power loss that writes back a later block's pages without an
// earlier one's leaves damage followed by valid records.
constexpr int big_value_every = 90;
constexpr std::size_t big_value = 45 * 1024;

std::string key_name(int k) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%02d", k);
  return buf;
}

// "w<write>/<key>/" padded to `len` with a pattern of the write: which write made a value, and
// for which key, can be read back from it.
std::string value_for(std::size_t write, const std::string& key, std::size_t len) {
  std::string v = "w" + std::to_string(write) + "/" + key + "/";
  while (v.size() < len) v.push_back(static_cast<char>('a' + (write + v.size()) % 26));
  return v;
}

// The write a value names, or false when it names none.
bool parse_value(const std::string& v, std::size_t* write, std::string* key) {
  if (v.size() < 4 || v[0] != 'w') return false;
  const auto slash = v.find('/');
  if (slash == std::string::npos || slash == 1) return false;
  const auto slash2 = v.find('/', slash + 1);
  if (slash2 == std::string::npos) return false;
  for (std::size_t i = 1; i < slash; ++i)
    if (v[i] < '0' || v[i] > '9') return false;
  *write = std::strtoull(v.substr(1, slash - 1).c_str(), nullptr, 10);
  *key = v.substr(slash + 1, slash2 - slash - 1);
  return true;
}

void apply(const step& s, kv_state* state) {
  for (const auto& op : s.ops) {
    if (op.value)
      (*state)[op.key] = *op.value;
    else
      state->erase(op.key);
  }
}

}  // namespace

std::vector<step> make_workload(int writes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<step> plan;
  std::size_t write = 0;
  auto random_op = [&](std::size_t w, bool may_delete) {
    kv_op op;
    op.key = key_name(static_cast<int>(rng() % key_space));
    if (!may_delete || rng() % 4 != 0) op.value = value_for(w, op.key, 20 + rng() % max_value);
    return op;
  };
  for (int i = 0; i < writes; ++i, ++write) {
    if (i == compact_at) {
      step c;
      c.compact = true;
      plan.push_back(c);
    }
    step s;
    s.sync = rng() % 8 == 0;
    if (i == empty_sync_at) {
      s.batch = true;
      s.sync = true;
    } else {
      const auto r = rng() % 100;
      if (r < 15) {
        s.batch = true;
        const int n = 2 + static_cast<int>(rng() % 3);
        for (int j = 0; j < n; ++j) s.ops.push_back(random_op(write, true));
      } else if (r < 27) {
        kv_op op;
        op.key = key_name(static_cast<int>(rng() % key_space));
        s.ops.push_back(op);
      } else {
        s.ops.push_back(random_op(write, false));
        if (i % big_value_every == big_value_every / 2) {
          s.sync = false;
          s.ops[0].value = value_for(write, s.ops[0].key, big_value);
        }
      }
    }
    plan.push_back(std::move(s));
  }
  return plan;
}

kepler::options workload_options(std::size_t memtable_bytes) {
  kepler::options o;
  o.memtable_bytes = memtable_bytes;
  o.max_manifest_bytes = 1024;
  o.l0_compaction_trigger = 2;
  o.target_file_size = 16 * 1024;
  o.max_bytes_for_level_base = 64 * 1024;
  o.block_cache_bytes = 64 * 1024;
  o.worker_threads = 1;
  return o;
}

run_outcome run_workload(memory_file_system& fs, const std::vector<step>& plan,
                         const kepler::options& opts, std::size_t extra_after_failure,
                         const std::function<void(kepler::db&, const run_outcome&)>& before_close) {
  run_outcome out;
  auto opened = kepler::detail::open_with_file_system(fs, nullptr, store_dir, opts);
  if (!opened) {
    out.open_error = opened.error();
    return out;
  }
  out.opened = true;
  auto& store = **opened;
  out.first_failed = 0;
  bool failed = false;
  std::size_t after_failure = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const auto& s = plan[i];
    if (s.compact) {
      if (failed) continue;
      auto c = store.compact_range(std::nullopt, std::nullopt);
      if (!c) {
        out.compact_failed = true;
        out.compact_error = c.error();
      }
      continue;
    }
    if (failed && after_failure++ >= extra_after_failure) break;
    write_outcome w;
    w.step = i;
    w.sent = fs.now();
    caf::expected<void> r = caf::unit;
    const kepler::write_options wo{s.sync};
    if (s.batch) {
      kepler::write_batch b;
      for (const auto& op : s.ops) op.value ? b.insert(op.key, *op.value) : b.remove(op.key);
      r = store.write(b, wo);
    } else if (s.ops[0].value) {
      r = store.insert(s.ops[0].key, *s.ops[0].value, wo);
    } else {
      r = store.remove(s.ops[0].key, wo);
    }
    w.acked = fs.now();
    w.ok = static_cast<bool>(r);
    if (!r) w.error = r.error();
    if (!w.ok && !failed) {
      failed = true;
      out.first_failed = out.writes.size();
    }
    out.writes.push_back(std::move(w));
  }
  if (!failed) out.first_failed = out.writes.size();
  if (before_close) before_close(store, out);
  auto closed = store.close();
  if (!closed) {
    out.close_failed = true;
    out.close_error = closed.error();
  }
  return out;
}

verdict judge(const std::vector<step>& plan, const kv_state& observed, std::size_t must,
              std::size_t may) {
  verdict v;
  std::vector<const step*> ws;
  for (const auto& s : plan)
    if (!s.compact) ws.push_back(&s);
  may = std::min(may, ws.size());
  for (const auto& [key, value] : observed) {
    std::size_t w = 0;
    std::string named;
    const kv_op* made = nullptr;
    if (parse_value(value, &w, &named) && w < ws.size())
      for (const auto& op : ws[w]->ops)
        if (op.value && *op.value == value) made = &op;
    if (made == nullptr) {
      v.phantom = true;
      if (v.why.empty())
        v.why = "phantom: " + key + " = '" + value.substr(0, 40) + "' was never written";
    } else if (made->key != key) {
      v.wrong_value = true;
      if (v.why.empty())
        v.why = "wrong value: " + key + " holds the value written for " + made->key;
    }
  }
  kv_state s;
  for (std::size_t k = 0; k <= may; ++k) {
    if (k > 0) apply(*ws[k - 1], &s);
    if (s == observed) v.matched = k;
  }
  if (v.matched && *v.matched >= must) {
    v.ok = !v.phantom && !v.wrong_value;
    return v;
  }
  v.ok = false;
  if (v.matched) {
    v.lost_acked = true;
    v.why = "lost acknowledged writes: the state after " + std::to_string(*v.matched) +
            " writes, " + std::to_string(must) + " had to survive";
    return v;
  }
  // Not any prefix's state: lost (a key older than its last write that had to survive) or a
  // hole (later writes without earlier ones, or part of a batch).
  std::map<std::string, std::size_t> last_required;  // key -> last write below `must`
  for (std::size_t k = 0; k < must && k < ws.size(); ++k)
    for (const auto& op : ws[k]->ops) last_required[op.key] = k;
  for (const auto& [key, last] : last_required) {
    const kv_op* op = nullptr;
    for (const auto& o : ws[last]->ops)
      if (o.key == key) op = &o;
    auto it = observed.find(key);
    std::size_t w = 0;
    std::string named;
    if (it == observed.end()) {
      if (!op->value) continue;
      bool deleted_later = false;
      for (std::size_t k = last + 1; k < may; ++k)
        for (const auto& o : ws[k]->ops)
          if (o.key == key && !o.value) deleted_later = true;
      if (!deleted_later) {
        v.lost_acked = true;
        if (v.why.empty())
          v.why = "lost: " + key + " is missing, write " + std::to_string(last) + " put it";
      }
    } else if (parse_value(it->second, &w, &named) && w < last) {
      v.lost_acked = true;
      if (v.why.empty())
        v.why = "lost: " + key + " holds write " + std::to_string(w) + "'s value, write " +
                std::to_string(last) + " had to survive";
    }
  }
  if (!v.lost_acked && !v.phantom && !v.wrong_value) {
    v.hole = true;
    // Name the first key where the longest matching prefix and the state part.
    kv_state p;
    std::string first;
    for (std::size_t k = 0; k < may; ++k) {
      apply(*ws[k], &p);
      for (const auto& op : ws[k]->ops) {
        auto want = observed.find(op.key);
        const bool same =
            op.value ? want != observed.end() && want->second == *op.value : want == observed.end();
        if (!same && first.empty()) first = op.key + " of write " + std::to_string(k);
      }
    }
    v.why =
        "not the state after any prefix of the writes (a hole or a torn batch; first "
        "differing: " +
        first + ")";
  }
  return v;
}

caf::expected<kv_state> read_all(const kepler::db& store) {
  auto pairs = store.scan(std::nullopt, std::nullopt);
  if (!pairs) return pairs.error();
  kv_state out;
  for (auto& [k, v] : *pairs) out.emplace(std::move(k), std::move(v));
  return out;
}

watchdog::watchdog(std::chrono::seconds limit)
    : limit_(limit), thread_([this] {
        while (!stop_) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          std::lock_guard<std::mutex> guard(mutex_);
          if (armed_ && std::chrono::steady_clock::now() - since_ > limit_) {
            std::fprintf(stderr, "FAIL: HANG: %s has not returned after %lld s\n", what_.c_str(),
                         static_cast<long long>(limit_.count()));
            std::fflush(stderr);
            std::fflush(stdout);
            std::_Exit(EXIT_FAILURE);
          }
        }
      }) {}

watchdog::~watchdog() {
  stop_ = true;
  thread_.join();
}

void watchdog::arm(std::string what) {
  std::lock_guard<std::mutex> guard(mutex_);
  what_ = std::move(what);
  since_ = std::chrono::steady_clock::now();
  armed_ = true;
}

void watchdog::disarm() {
  std::lock_guard<std::mutex> guard(mutex_);
  armed_ = false;
}

}  // namespace kepler::test::power
