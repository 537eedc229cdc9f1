#include "kepler/write_batch.hpp"

#include "kepler/options.hpp"
#include "storage_format/memtable/batch_format.hpp"

namespace kepler {

namespace {

// Names the first limit `key`/`value` break, or returns empty.
std::string violation(std::string_view key, std::string_view value) {
  if (key.size() > max_key_bytes)
    return "key of " + std::to_string(key.size()) + " bytes exceeds the limit of " +
           std::to_string(max_key_bytes) + " bytes";
  if (value.size() > max_value_bytes)
    return "value of " + std::to_string(value.size()) + " bytes exceeds the limit of " +
           std::to_string(max_value_bytes) + " bytes";
  return {};
}

}  // namespace

write_batch::write_batch() : rep_(storage::batch::make_empty()) {}

void write_batch::insert(std::string_view key, std::string_view value) {
  if (first_violation_.empty()) first_violation_ = violation(key, value);
  // Encoded even when over a limit: the encoding alone must show the violation, since actor
  // users send it without the batch object (db_actor's write_atom).
  storage::batch::add_put(&rep_, key, value);
}

void write_batch::remove(std::string_view key) {
  if (first_violation_.empty()) first_violation_ = violation(key, {});
  storage::batch::add_delete(&rep_, key);
}

void write_batch::clear() {
  storage::batch::clear(&rep_);
  first_violation_.clear();
}

std::uint32_t write_batch::count() const {
  return storage::batch::count(rep_);
}

}  // namespace kepler
