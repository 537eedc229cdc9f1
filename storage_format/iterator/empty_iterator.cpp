#include "storage_format/iterator/empty_iterator.hpp"

#include <cassert>
#include <utility>

namespace kepler::storage {

namespace {

class empty_iterator final : public internal_iterator {
 public:
  explicit empty_iterator(status error) : error_(std::move(error)) {}

  bool valid() const override { return false; }
  void seek_to_first() override {}
  void seek_to_last() override {}
  void seek(std::string_view) override {}
  void next() override { assert(false && "next() on an iterator that is never valid"); }
  void prev() override { assert(false && "prev() on an iterator that is never valid"); }
  std::string_view key() const override {
    assert(false && "key() on an iterator that is never valid");
    return {};
  }
  std::string_view value() const override {
    assert(false && "value() on an iterator that is never valid");
    return {};
  }
  status state() const override { return error_; }

 private:
  status error_;
};

}  // namespace

std::unique_ptr<internal_iterator> new_empty_iterator() {
  return std::make_unique<empty_iterator>(status::ok());
}

std::unique_ptr<internal_iterator> new_error_iterator(status error) {
  assert(!error.is_ok());
  return std::make_unique<empty_iterator>(std::move(error));
}

}  // namespace kepler::storage
