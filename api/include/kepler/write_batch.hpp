#pragma once
// A group of inserts and removes that db::write applies atomically: after a crash either all of
// them are there or none; readers never see part of a batch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kepler {

class write_batch {
 public:
  write_batch();

  /// Adds "set `key` to `value`". Limits (options.hpp) are checked by db::write.
  void insert(std::string_view key, std::string_view value);
  /// Adds "remove `key`" (removing a missing key is not an error).
  void remove(std::string_view key);
  /// Empties the batch.
  void clear();
  /// Number of inserts and removes in the batch.
  std::uint32_t count() const;
  /// Bytes of the batch's encoding; db::write refuses batches over max_batch_bytes.
  std::size_t encoded_bytes() const { return rep_.size(); }

  /// The encoding (storage_format/batch_format.hpp); for the engine.
  const std::string& encoding() const { return rep_; }

 private:
  std::string rep_;
  // Set when a key or value broke a limit, so db::write can refuse the whole batch.
  std::string first_violation_;
  friend class db;
};

}  // namespace kepler
