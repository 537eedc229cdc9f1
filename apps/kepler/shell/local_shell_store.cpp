#include "kepler/db.hpp"
#include "shell/shell_store.hpp"

namespace kepler::cli {
namespace {

constexpr write_options synced{true};

class local_store final : public shell_store {
 public:
  explicit local_store(db& store) : store_(store) {}

  caf::expected<std::optional<std::string>> get(std::string_view key) override {
    return store_.get(key, reads());
  }
  caf::expected<void> insert(std::string_view key, std::string_view value) override {
    return store_.insert(key, value, synced);
  }
  caf::expected<void> remove(std::string_view key) override { return store_.remove(key, synced); }
  caf::expected<void> write(const write_batch& batch) override {
    return store_.write(batch, synced);
  }
  caf::expected<std::uint64_t> print(const key_range& range, std::uint64_t limit, byte_format f,
                                     std::FILE* out) override {
    return print_range(store_, range, limit, reads(), f, out);
  }
  caf::expected<std::uint64_t> count(const key_range& range) override {
    return count_range(store_, range, reads());
  }
  caf::expected<std::uint64_t> hold_snapshot() override {
    auto s = store_.snapshot();
    if (!s) return s.error();
    snapshot_ = std::move(*s);
    return snapshot_->sequence();
  }
  void release_snapshot() override { snapshot_.reset(); }
  caf::expected<std::string> stats() override { return describe_stats(store_); }
  caf::expected<void> compact(std::optional<std::string_view> from,
                              std::optional<std::string_view> to) override {
    return store_.compact_range(from, to);
  }

 private:
  read_options reads() const {
    read_options ro;
    ro.snapshot = snapshot_.get();
    return ro;
  }

  db& store_;
  std::unique_ptr<kepler::snapshot> snapshot_;
};

}  // namespace

std::unique_ptr<shell_store> local_shell_store(db& store) {
  return std::make_unique<local_store>(store);
}

}  // namespace kepler::cli
