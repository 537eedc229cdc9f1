#include "storage_format/memtable/apply_batch.hpp"

#include "storage_format/memtable/batch_format.hpp"

namespace kepler::storage {

namespace {

class memtable_inserter : public batch::handler {
 public:
  explicit memtable_inserter(memtable* mem) : mem_(mem) {}
  void put(sequence_number seq, std::string_view key, std::string_view value) override {
    mem_->add(seq, value_type::value, key, value);
  }
  void remove(sequence_number seq, std::string_view key) override {
    mem_->add(seq, value_type::deletion, key, {});
  }

 private:
  memtable* mem_;
};

}  // namespace

status apply_batch(std::string_view rep, memtable* mem) {
  memtable_inserter inserter(mem);
  return batch::for_each(rep, inserter);
}

}  // namespace kepler::storage
