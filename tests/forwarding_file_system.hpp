#pragma once
// A file_system that hands every call to another one unchanged: the base of the test file
// systems behind the seam (faults, recording), each of which overrides only what it changes.
// Files opened for writing come back wrapped in a forwarding_writable_file made by wrap().

#include <memory>
#include <string>
#include <vector>

#include "storage_format/util/file_system.hpp"

namespace kepler::test {

/// Whether `path` ends with `suffix` (how the test file systems pick the files they act on).
inline bool ends_with(const std::string& path, const std::string& suffix) {
  return path.size() >= suffix.size() &&
         path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// A writable file that forwards to another; subclasses override the calls they watch.
class forwarding_writable_file : public storage::writable_file {
 public:
  explicit forwarding_writable_file(std::unique_ptr<storage::writable_file> inner)
      : inner_(std::move(inner)) {}
  storage::status append(std::string_view data) override { return inner_->append(data); }
  storage::status sync() override { return inner_->sync(); }
  storage::status truncate(std::uint64_t size) override { return inner_->truncate(size); }
  storage::status close() override { return inner_->close(); }
  std::uint64_t size() const override { return inner_->size(); }
  const std::string& path() const override { return inner_->path(); }

 protected:
  storage::writable_file& inner() { return *inner_; }

 private:
  std::unique_ptr<storage::writable_file> inner_;
};

class forwarding_file_system : public storage::file_system {
 public:
  explicit forwarding_file_system(storage::file_system* base) : base_(base) {}

  storage::status new_writable_file(const std::string& path,
                                    std::unique_ptr<storage::writable_file>* out) override {
    std::unique_ptr<storage::writable_file> inner;
    auto s = base_->new_writable_file(path, &inner);
    if (s.is_ok()) *out = wrap(std::move(inner), false);
    return s;
  }
  storage::status new_appendable_file(const std::string& path,
                                      std::unique_ptr<storage::writable_file>* out) override {
    std::unique_ptr<storage::writable_file> inner;
    auto s = base_->new_appendable_file(path, &inner);
    if (s.is_ok()) *out = wrap(std::move(inner), true);
    return s;
  }
  storage::status new_readable_file(const std::string& path,
                                    std::unique_ptr<storage::readable_file>* out) override {
    return base_->new_readable_file(path, out);
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
  storage::status lock_file_read_only(const std::string& path,
                                      std::unique_ptr<storage::file_lock>* out) override {
    return base_->lock_file_read_only(path, out);
  }

 protected:
  /// The file handed to the engine for a file the base opened for writing (`appendable`: kept
  /// its contents); the default hands the base's file on unwrapped.
  virtual std::unique_ptr<storage::writable_file> wrap(
      std::unique_ptr<storage::writable_file> inner, bool appendable) {
    (void)appendable;
    return inner;
  }
  storage::file_system& base() { return *base_; }

 private:
  storage::file_system* base_;
};

}  // namespace kepler::test
