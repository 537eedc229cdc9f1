#include "actors/boundary/request_checks.hpp"

#include <string>

#include "kepler/errors.hpp"
#include "kepler/options.hpp"
#include "storage_format/memtable/batch_format.hpp"

namespace kepler::actors {

namespace {

caf::error too_long(const char* what, std::size_t size, std::size_t limit) {
  return make_error(ec::invalid_argument, std::string(what) + " of " + std::to_string(size) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(limit) + " bytes");
}

// Finds the first entry of a batch that breaks a limit.
class limit_checker : public storage::batch::handler {
 public:
  void put(storage::sequence_number, std::string_view key, std::string_view value) override {
    if (!first) first = check_key_value(key, value);
  }
  void remove(storage::sequence_number, std::string_view key) override {
    if (!first) first = check_key_value(key);
  }
  caf::error first;
};

}  // namespace

caf::error check_key_value(std::string_view key, std::string_view value) {
  if (key.size() > max_key_bytes) return too_long("key", key.size(), max_key_bytes);
  if (value.size() > max_value_bytes) return too_long("value", value.size(), max_value_bytes);
  return {};
}

caf::error check_encoded_batch(std::string_view encoded) {
  if (encoded.size() > max_batch_bytes) return too_long("batch", encoded.size(), max_batch_bytes);
  if (auto s = storage::batch::validate(encoded); !s.is_ok())
    return make_error(ec::invalid_argument, "malformed write batch: " + s.message());
  limit_checker checker;
  storage::batch::for_each(encoded, checker);
  return checker.first;
}

}  // namespace kepler::actors
