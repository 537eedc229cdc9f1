#pragma once
// A file_system that forwards to another and fails appends or syncs on demand: the seam through
// which the fault tests break the engine's I/O without touching the engine.

#include <atomic>
#include <memory>
#include <string>

#include "storage_format/util/file_system.hpp"

namespace kepler::test {

class fault_file_system : public storage::file_system {
 public:
  explicit fault_file_system(storage::file_system* base) : base_(base) {}

  /// While set, every append (or sync) of a file opened for writing fails with an I/O error.
  std::atomic<bool> fail_appends{false};
  std::atomic<bool> fail_syncs{false};
  /// While set, reads of files whose name ends with `fail_reads_suffix` fail.
  std::atomic<bool> fail_reads{false};
  std::string fail_reads_suffix = ".log";
  std::atomic<int> failures{0};

  storage::status new_writable_file(const std::string& path,
                                    std::unique_ptr<storage::writable_file>* out) override {
    std::unique_ptr<storage::writable_file> inner;
    auto s = base_->new_writable_file(path, &inner);
    if (s.is_ok()) *out = std::make_unique<file>(this, std::move(inner));
    return s;
  }
  storage::status new_appendable_file(const std::string& path,
                                      std::unique_ptr<storage::writable_file>* out) override {
    std::unique_ptr<storage::writable_file> inner;
    auto s = base_->new_appendable_file(path, &inner);
    if (s.is_ok()) *out = std::make_unique<file>(this, std::move(inner));
    return s;
  }
  storage::status new_readable_file(const std::string& path,
                                    std::unique_ptr<storage::readable_file>* out) override {
    std::unique_ptr<storage::readable_file> inner;
    auto s = base_->new_readable_file(path, &inner);
    if (s.is_ok()) *out = std::make_unique<read_file>(this, std::move(inner));
    return s;
  }
  bool exists(const std::string& path) override { return base_->exists(path); }
  storage::status file_size(const std::string& path, std::uint64_t* size) override {
    return base_->file_size(path, size);
  }
  storage::status list_dir(const std::string& dir, std::vector<std::string>* names) override {
    return base_->list_dir(dir, names);
  }
  storage::status create_dir(const std::string& dir) override { return base_->create_dir(dir); }
  storage::status remove_file(const std::string& path) override { return base_->remove_file(path); }
  storage::status rename_file(const std::string& from, const std::string& to) override {
    return base_->rename_file(from, to);
  }
  storage::status truncate_file(const std::string& path, std::uint64_t size) override {
    return base_->truncate_file(path, size);
  }
  storage::status sync_dir(const std::string& dir) override { return base_->sync_dir(dir); }
  storage::status lock_file(const std::string& path,
                            std::unique_ptr<storage::file_lock>* out) override {
    return base_->lock_file(path, out);
  }

 private:
  class file : public storage::writable_file {
   public:
    file(fault_file_system* owner, std::unique_ptr<storage::writable_file> inner)
        : owner_(owner), inner_(std::move(inner)) {}
    storage::status append(std::string_view data) override {
      if (owner_->fail_appends) {
        ++owner_->failures;
        return storage::status::io_error(inner_->path() + ": injected write failure");
      }
      return inner_->append(data);
    }
    storage::status sync() override {
      if (owner_->fail_syncs) {
        ++owner_->failures;
        return storage::status::io_error(inner_->path() + ": injected sync failure");
      }
      return inner_->sync();
    }
    storage::status truncate(std::uint64_t size) override { return inner_->truncate(size); }
    storage::status close() override { return inner_->close(); }
    std::uint64_t size() const override { return inner_->size(); }
    const std::string& path() const override { return inner_->path(); }

   private:
    fault_file_system* owner_;
    std::unique_ptr<storage::writable_file> inner_;
  };

  class read_file : public storage::readable_file {
   public:
    read_file(fault_file_system* owner, std::unique_ptr<storage::readable_file> inner)
        : owner_(owner), inner_(std::move(inner)) {}
    storage::status read(std::uint64_t offset, std::size_t n, char* scratch,
                         std::string_view* out) const override {
      const auto& p = inner_->path();
      const auto& suffix = owner_->fail_reads_suffix;
      if (owner_->fail_reads && p.size() >= suffix.size() &&
          p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
        ++owner_->failures;
        return storage::status::io_error(p + ": injected read failure");
      }
      return inner_->read(offset, n, scratch, out);
    }
    std::uint64_t size() const override { return inner_->size(); }
    const std::string& path() const override { return inner_->path(); }

   private:
    fault_file_system* owner_;
    std::unique_ptr<storage::readable_file> inner_;
  };

  storage::file_system* base_;
};

}  // namespace kepler::test
