#include "storage_format/iterator/memtable_iterator.hpp"

#include <cassert>
#include <utility>

namespace kepler::storage {

namespace {

class memtable_iterator final : public internal_iterator {
 public:
  explicit memtable_iterator(std::shared_ptr<const memtable> mem)
      : mem_(std::move(mem)), it_(mem_.get()) {}

  bool valid() const override { return it_.valid(); }
  void seek_to_first() override { it_.seek_to_first(); }
  void seek_to_last() override { it_.seek_to_last(); }
  void seek(std::string_view target) override { it_.seek(target); }
  void next() override { it_.next(); }
  void prev() override { it_.prev(); }
  std::string_view key() const override { return it_.internal_key(); }
  std::string_view value() const override { return it_.value(); }
  status state() const override { return status::ok(); }

 private:
  // Declared before it_, so the memtable outlives the iterator that points into it.
  std::shared_ptr<const memtable> mem_;
  memtable::iterator it_;
};

}  // namespace

std::unique_ptr<internal_iterator> new_memtable_iterator(std::shared_ptr<const memtable> mem) {
  assert(mem != nullptr);
  return std::make_unique<memtable_iterator>(std::move(mem));
}

}  // namespace kepler::storage
