#include "storage_format/version/read_view.hpp"

namespace kepler::storage {

std::optional<std::string> read_view::get(std::string_view key, sequence_number snapshot) const {
  std::string value;
  if (mem->get(key, snapshot, &value) == memtable::lookup::found) return value;
  return std::nullopt;
}

}  // namespace kepler::storage
