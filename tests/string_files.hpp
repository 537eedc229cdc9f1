#pragma once
// Files kept in strings, for the format tests: damage is one assignment away, a writer's
// counters show how many appends and syncs the code under test made, and a reader can fail
// reads in a range as a disk would.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "storage_format/util/file_system.hpp"

namespace kepler::test {

class string_writable final : public storage::writable_file {
 public:
  explicit string_writable(std::string* data, std::string path = "mem")
      : data_(data), path_(std::move(path)) {}
  storage::status append(std::string_view d) override {
    ++appends;
    data_->append(d.data(), d.size());
    return storage::status::ok();
  }
  storage::status sync() override {
    ++syncs;
    return storage::status::ok();
  }
  storage::status truncate(std::uint64_t size) override {
    data_->resize(size);
    return storage::status::ok();
  }
  storage::status close() override { return storage::status::ok(); }
  std::uint64_t size() const override { return data_->size(); }
  const std::string& path() const override { return path_; }

  int appends = 0;
  int syncs = 0;

 private:
  std::string* data_;
  std::string path_;
};

/// Serves reads from a string; reads that touch [fail_begin, fail_end) fail as the disk would.
class string_readable final : public storage::readable_file {
 public:
  explicit string_readable(std::string data,
                           std::uint64_t fail_begin = std::numeric_limits<std::uint64_t>::max(),
                           std::uint64_t fail_end = std::numeric_limits<std::uint64_t>::max(),
                           std::string path = "mem.sst")
      : data_(std::move(data)),
        fail_begin_(fail_begin),
        fail_end_(fail_end),
        path_(std::move(path)) {}
  storage::status read(std::uint64_t offset, std::size_t n, char* scratch,
                       std::string_view* out) const override {
    if (offset < fail_end_ && offset + n > fail_begin_) {
      return storage::status::io_error(path_ + ": injected read failure");
    }
    const std::size_t begin =
        static_cast<std::size_t>(std::min<std::uint64_t>(offset, data_.size()));
    const std::size_t len = std::min(n, data_.size() - begin);
    data_.copy(scratch, len, begin);
    *out = std::string_view(scratch, len);
    return storage::status::ok();
  }
  std::uint64_t size() const override { return data_.size(); }
  const std::string& path() const override { return path_; }

 private:
  std::string data_;
  std::uint64_t fail_begin_;
  std::uint64_t fail_end_;
  std::string path_;
};

}  // namespace kepler::test
