#pragma once
// A writable file kept in a string, for format tests: damage is one assignment away, and the
// counters show how many appends and syncs the code under test made.

#include <cstdint>
#include <string>
#include <string_view>

#include "storage_format/file_system.hpp"

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

}  // namespace kepler::test
