// YCSB's core workloads A-F (Cooper et al., SoCC 2010) over records loaded by ycsb-load:
// operation mixes of reads, updates, inserts, scans and read-modify-writes, keys drawn from a
// zipfian distribution (0.99), D's from "latest". A record is one --value_size value.

#include <algorithm>
#include <numeric>
#include <random>

#include "workload.hpp"
#include "zipfian.hpp"

namespace kepler::bench {

namespace {

/// YCSB E's scan length: uniform in [1, max_scan_length] (YCSB's maxscanlength).
constexpr std::uint64_t max_scan_length = 100;

/// Shares of each operation; they sum to 1.
struct ycsb_mix {
  const char* name;
  double read = 0, update = 0, insert = 0, scan = 0, read_modify_write = 0;
  /// Requests favour the newest records (D) instead of scrambled zipfian.
  bool latest = false;
};

struct ycsb_counts {
  std::uint64_t read = 0, update = 0, insert = 0, scan = 0, read_modify_write = 0, found = 0,
                scanned = 0;
};

class ycsb_client {
 public:
  ycsb_client(context& ctx, const ycsb_mix& mix, const zipfian_generator& zipf, std::uint64_t seed)
      : ctx_(ctx), mix_(mix), zipf_(zipf), rng_(seed) {}

  std::string operation() {
    double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    if ((u -= mix_.read) < 0) return read(chosen_key(), &counts_.read);
    if ((u -= mix_.update) < 0) return update(chosen_key(), &counts_.update);
    if ((u -= mix_.insert) < 0) return insert();
    if ((u -= mix_.scan) < 0) return scan();
    ++counts_.read_modify_write;
    auto key = chosen_key();
    auto err = read(key, nullptr);
    return err.empty() ? update(key, nullptr) : err;
  }
  const ycsb_counts& counts() const { return counts_; }

 private:
  std::string chosen_key() {
    auto records = ctx_.ycsb_records.load(std::memory_order_acquire);
    auto index =
        mix_.latest ? zipf_.next_latest(rng_, records) : zipf_.next_scrambled(rng_, records);
    return make_key(key_space::ycsb, index, ctx_.f.key_size);
  }
  std::string read(const std::string& key, std::uint64_t* count) {
    if (count) ++*count;
    bool hit = false;
    auto err = ctx_.db.get(key, &value_, &hit);
    counts_.found += hit;
    return err;
  }
  std::string update(const std::string& key, std::uint64_t* count) {
    if (count) ++*count;
    return ctx_.db.put(key, ctx_.values.value(rng_()), ctx_.f.sync);
  }
  std::string insert() {
    ++counts_.insert;
    auto index = ctx_.ycsb_records.fetch_add(1, std::memory_order_acq_rel);
    return ctx_.db.put(make_key(key_space::ycsb, index, ctx_.f.key_size), ctx_.values.value(index),
                       ctx_.f.sync);
  }
  std::string scan() {
    ++counts_.scan;
    auto length = std::uniform_int_distribution<std::uint64_t>(1, max_scan_length)(rng_);
    auto it = ctx_.db.new_iterator();
    it->seek(chosen_key());
    for (std::uint64_t n = 0; n < length && it->valid(); ++n, it->next()) {
      if (it->key()[0] != static_cast<char>(key_space::ycsb)) break;
      ++counts_.scanned;
    }
    return it->status();
  }

  context& ctx_;
  const ycsb_mix& mix_;
  zipfian_generator zipf_;
  std::mt19937_64 rng_;
  ycsb_counts counts_;
  std::string value_;
};

result run_ycsb(context& ctx, const ycsb_mix& mix) {
  if (ctx.ycsb_records.load() == 0) {
    result r;
    r.engine = ctx.db.name();
    r.error = "no YCSB records: run ycsb-load first";
    return r;
  }
  zipfian_generator zipf(ctx.ycsb_records.load());
  std::vector<ycsb_client> clients;
  for (std::size_t t = 0; t < ctx.f.threads; ++t)
    clients.emplace_back(ctx, mix, zipf, thread_seed(ctx, mix.name, t));
  auto stats = run_calls(mix.name, ctx.f.threads, ctx.f.ycsb_ops, ctx.f.histogram,
                         [&](std::size_t t, std::uint64_t) { return clients[t].operation(); });
  auto r = make_result(ctx, stats, ctx.f.ycsb_ops);
  ycsb_counts sum;
  for (auto& c : clients) {
    auto& n = c.counts();
    sum.read += n.read, sum.update += n.update, sum.insert += n.insert, sum.scan += n.scan;
    sum.read_modify_write += n.read_modify_write, sum.found += n.found, sum.scanned += n.scanned;
  }
  auto add = [&](const char* name, std::uint64_t n) {
    if (n != 0) r.counts[name] = n;
  };
  add("read", sum.read), add("update", sum.update), add("insert", sum.insert);
  add("scan", sum.scan), add("read_modify_write", sum.read_modify_write);
  add("found", sum.found), add("scanned", sum.scanned);
  std::uint64_t written = sum.update + sum.insert + sum.read_modify_write;
  r.user_bytes_written = written * (ctx.f.key_size + ctx.f.value_size);
  return r;
}

}  // namespace

result ycsb_load(context& ctx) {
  std::vector<std::uint64_t> order(ctx.f.ycsb_records);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(thread_seed(ctx, "ycsb-load", 0)));
  auto stats = run_calls("ycsb-load", ctx.f.threads, order.size(), ctx.f.histogram,
                         [&](std::size_t, std::uint64_t i) {
                           return ctx.db.put(make_key(key_space::ycsb, order[i], ctx.f.key_size),
                                             ctx.values.value(order[i]), ctx.f.sync);
                         });
  ctx.ycsb_records = order.size();
  auto r = make_result(ctx, stats, order.size());
  r.user_bytes_written = order.size() * (ctx.f.key_size + ctx.f.value_size);
  return r;
}

result ycsb_a(context& ctx) {
  return run_ycsb(ctx, {"ycsb-a", 0.5, 0.5});
}
result ycsb_b(context& ctx) {
  return run_ycsb(ctx, {"ycsb-b", 0.95, 0.05});
}
result ycsb_c(context& ctx) {
  return run_ycsb(ctx, {"ycsb-c", 1.0});
}
result ycsb_d(context& ctx) {
  return run_ycsb(ctx, {"ycsb-d", 0.95, 0, 0.05, 0, 0, true});
}
result ycsb_e(context& ctx) {
  return run_ycsb(ctx, {"ycsb-e", 0, 0, 0.05, 0.95});
}
result ycsb_f(context& ctx) {
  return run_ycsb(ctx, {"ycsb-f", 0.5, 0, 0, 0, 0.5});
}

}  // namespace kepler::bench
