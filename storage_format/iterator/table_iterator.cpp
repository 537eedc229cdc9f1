#include "storage_format/iterator/table_iterator.hpp"

#include <cassert>
#include <utility>

namespace kepler::storage {

namespace {

class table_iterator final : public internal_iterator {
 public:
  table_iterator(std::shared_ptr<const table_reader> reader, const read_options& options)
      : reader_(std::move(reader)), it_(reader_.get(), options) {}

  bool valid() const override { return it_.valid(); }
  void seek_to_first() override { it_.seek_to_first(); }
  void seek_to_last() override { it_.seek_to_last(); }
  void seek(std::string_view target) override { it_.seek(target); }
  void next() override { it_.next(); }
  void prev() override { it_.prev(); }
  std::string_view key() const override { return it_.key(); }
  std::string_view value() const override { return it_.value(); }
  status state() const override { return it_.state(); }

 private:
  // Declared before it_, so the reader outlives the iterator that reads it.
  std::shared_ptr<const table_reader> reader_;
  table_reader::iterator it_;
};

}  // namespace

std::unique_ptr<internal_iterator> new_table_iterator(std::shared_ptr<const table_reader> reader,
                                                      const read_options& options) {
  assert(reader != nullptr);
  return std::make_unique<table_iterator>(std::move(reader), options);
}

}  // namespace kepler::storage
