// LMDB (Debian's liblmdb-dev), a copy-on-write B+tree: the ceiling for reads. One write
// transaction per put on an MDB_NOSYNC environment, plus mdb_env_sync for sync writes; each
// client thread keeps one read transaction that it resets after a get and renews before the
// next.

#ifdef KEPLER_BENCH_HAVE_LMDB

#include <lmdb.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "engine.hpp"

namespace kepler::bench {

namespace {

/// Readers beyond LMDB's default of 126: client threads plus open iterators.
constexpr unsigned max_readers = 1024;

std::string error_text(int rc) {
  return rc == 0 ? std::string{} : mdb_strerror(rc);
}
MDB_val val(std::string_view s) {
  return {s.size(), const_cast<char*>(s.data())};
}
std::string_view view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

class lmdb_iterator : public iterator {
 public:
  lmdb_iterator(MDB_txn* txn, MDB_cursor* cursor) : txn_(txn), cursor_(cursor) {}
  ~lmdb_iterator() override {
    mdb_cursor_close(cursor_);
    mdb_txn_abort(txn_);
  }
  void seek_to_first() override { move(MDB_FIRST); }
  void seek_to_last() override { move(MDB_LAST); }
  void seek(std::string_view target) override {
    key_ = val(target);
    move(MDB_SET_RANGE);
  }
  bool valid() const override { return valid_; }
  void next() override { move(MDB_NEXT); }
  void prev() override { move(MDB_PREV); }
  std::string_view key() const override { return view(key_); }
  std::string_view value() const override { return view(value_); }
  std::string status() const override { return status_; }

 private:
  void move(MDB_cursor_op op) {
    int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
    valid_ = rc == 0;
    if (rc != 0 && rc != MDB_NOTFOUND) status_ = error_text(rc);
  }
  MDB_txn* txn_;
  MDB_cursor* cursor_;
  MDB_val key_{}, value_{};
  bool valid_ = false;
  std::string status_;
};

class lmdb_engine : public engine {
 public:
  lmdb_engine(MDB_env* env, MDB_dbi dbi) : env_(env), dbi_(dbi) {}
  ~lmdb_engine() override {
    for (auto* txn : readers_) mdb_txn_abort(txn);
    mdb_dbi_close(env_, dbi_);
    mdb_env_close(env_);
  }
  std::string name() const override { return "lmdb"; }
  std::string put(std::string_view key, std::string_view value, bool sync) override {
    return write(sync, [&](MDB_txn* txn) {
      auto k = val(key), v = val(value);
      return mdb_put(txn, dbi_, &k, &v, 0);
    });
  }
  std::string remove(std::string_view key, bool sync) override {
    return write(sync, [&](MDB_txn* txn) {
      auto k = val(key);
      int rc = mdb_del(txn, dbi_, &k, nullptr);
      return rc == MDB_NOTFOUND ? 0 : rc;
    });
  }
  std::string write_batch(const key_values& kvs, bool sync) override {
    return write(sync, [&](MDB_txn* txn) {
      for (auto& [key, value] : kvs) {
        auto k = val(key), v = val(value);
        if (int rc = mdb_put(txn, dbi_, &k, &v, 0); rc != 0) return rc;
      }
      return 0;
    });
  }
  std::string get(std::string_view key, std::string* value, bool* found) override {
    MDB_txn* txn = nullptr;
    if (int rc = reader(&txn); rc != 0) return error_text(rc);
    auto k = val(key);
    MDB_val v{};
    int rc = mdb_get(txn, dbi_, &k, &v);
    *found = rc == 0;
    if (rc == 0) value->assign(static_cast<const char*>(v.mv_data), v.mv_size);
    mdb_txn_reset(txn);
    return rc == 0 || rc == MDB_NOTFOUND ? std::string{} : error_text(rc);
  }
  std::unique_ptr<iterator> new_iterator() override {
    MDB_txn* txn = nullptr;
    MDB_cursor* cursor = nullptr;
    if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn); rc != 0)
      return std::make_unique<failed_iterator>(error_text(rc));
    if (int rc = mdb_cursor_open(txn, dbi_, &cursor); rc != 0) {
      mdb_txn_abort(txn);
      return std::make_unique<failed_iterator>(error_text(rc));
    }
    return std::make_unique<lmdb_iterator>(txn, cursor);
  }
  // A B+tree has no compaction: freed pages are reused by later writes.
  std::string compact_all() override { return {}; }
  bool has_compaction() const override { return false; }
  // The tree (mdb_env_stat) and the pages its file uses (mdb_env_info, freed pages included):
  // "entries=1000000 depth=4 page_bytes=4096 branch_pages=120 leaf_pages=30000
  // overflow_pages=0 used_pages=30200"
  std::string stats() override {
    MDB_stat st{};
    MDB_envinfo info{};
    if (int rc = mdb_env_stat(env_, &st); rc != 0) return "mdb_env_stat: " + error_text(rc);
    if (int rc = mdb_env_info(env_, &info); rc != 0) return "mdb_env_info: " + error_text(rc);
    std::ostringstream out;
    out << "entries=" << st.ms_entries << " depth=" << st.ms_depth << " page_bytes=" << st.ms_psize
        << " branch_pages=" << st.ms_branch_pages << " leaf_pages=" << st.ms_leaf_pages
        << " overflow_pages=" << st.ms_overflow_pages << " used_pages=" << info.me_last_pgno + 1;
    return out.str();
  }

 private:
  // One write transaction around `body`; LMDB serialises writers itself.
  template <class Body>
  std::string write(bool sync, Body body) {
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env_, nullptr, 0, &txn); rc != 0) return error_text(rc);
    if (int rc = body(txn); rc != 0) {
      mdb_txn_abort(txn);
      return error_text(rc);
    }
    if (int rc = mdb_txn_commit(txn); rc != 0) return error_text(rc);
    return sync ? error_text(mdb_env_sync(env_, 1)) : std::string{};
  }

  // The calling thread's read transaction, renewed: made on the thread's first get against
  // this engine, reset after each get, aborted when the engine closes.
  int reader(MDB_txn** txn) {
    struct cached {
      std::uint64_t engine_id = 0;
      MDB_txn* txn = nullptr;
    };
    thread_local cached mine;
    if (mine.engine_id == id_) {
      *txn = mine.txn;
      return mdb_txn_renew(mine.txn);
    }
    if (int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, txn); rc != 0) return rc;
    std::lock_guard<std::mutex> guard(readers_mutex_);
    readers_.push_back(*txn);
    mine = {id_, *txn};
    return 0;
  }

  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
  }

  MDB_env* env_;
  MDB_dbi dbi_;
  const std::uint64_t id_ = next_id();
  std::mutex readers_mutex_;
  std::vector<MDB_txn*> readers_;
};

}  // namespace

std::unique_ptr<engine> open_lmdb(const engine_settings& settings, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(settings.dir, ec);
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == 0) rc = mdb_env_set_mapsize(env, settings.lmdb_map_bytes);
  if (rc == 0) rc = mdb_env_set_maxreaders(env, max_readers);
  // NOSYNC: commits reach the OS, not the disk (as the LSMs' non-sync writes); sync writes call
  // mdb_env_sync. NOTLS: read transactions belong to the engine's threads, not to LMDB's TLS.
  if (rc == 0) rc = mdb_env_open(env, settings.dir.c_str(), MDB_NOSYNC | MDB_NOTLS, 0644);
  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0;
  if (rc == 0) rc = mdb_txn_begin(env, nullptr, 0, &txn);
  if (rc == 0) {
    rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
    rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
  }
  if (rc != 0) {
    *error = error_text(rc);
    if (env) mdb_env_close(env);
    return nullptr;
  }
  return std::make_unique<lmdb_engine>(env, dbi);
}

}  // namespace kepler::bench

#endif  // KEPLER_BENCH_HAVE_LMDB
