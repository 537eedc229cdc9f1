#include "kepler/remote.hpp"
#include "shell/shell_store.hpp"
#include "text/dump_format.hpp"

namespace kepler::cli {
namespace {

constexpr write_options synced{true};

caf::error not_remote(const char* what) {
  return make_error(ec::invalid_argument,
                    std::string(what) +
                        " is not available over --connect (kepler-server serves "
                        "get, put, del, batches and scans)");
}

class remote_store final : public shell_store {
 public:
  explicit remote_store(remote_db& store) : store_(store) {}

  caf::expected<std::optional<std::string>> get(std::string_view key) override {
    return store_.get(key);
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
    auto pairs = store_.scan(range.from, range.to, limit);
    if (!pairs) return pairs.error();
    for (const auto& [key, value] : *pairs) {
      std::string line = format_entry(key, value, f) + "\n";
      if (std::fwrite(line.data(), 1, line.size(), out) != line.size())
        return make_error(ec::io_error, "writing the output failed");
    }
    return static_cast<std::uint64_t>(pairs->size());
  }
  caf::expected<std::uint64_t> count(const key_range& range) override {
    // The server has no count: the pairs come over and are counted here.
    auto pairs = store_.scan(range.from, range.to, 0);
    if (!pairs) return pairs.error();
    return static_cast<std::uint64_t>(pairs->size());
  }
  caf::expected<std::uint64_t> hold_snapshot() override { return not_remote("snapshot"); }
  void release_snapshot() override {}
  caf::expected<std::string> stats() override { return not_remote("stats"); }
  caf::expected<void> compact(std::optional<std::string_view>,
                              std::optional<std::string_view>) override {
    return not_remote("compact");
  }

 private:
  remote_db& store_;
};

}  // namespace

std::unique_ptr<shell_store> remote_shell_store(remote_db& store) {
  return std::make_unique<remote_store>(store);
}

}  // namespace kepler::cli
