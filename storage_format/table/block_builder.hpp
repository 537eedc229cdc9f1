#pragma once
// Builds the contents of a data or index block (sst_format.md): entries with prefix-compressed
// keys, a restart point every `restart_interval` entries where the key is stored whole, and the
// restart array at the end. The trailer (kind, CRC) is added by whoever writes the block.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kepler::storage {

class block_builder {
 public:
  /// REQUIRES: restart_interval >= 1.
  explicit block_builder(int restart_interval);

  /// REQUIRES: finish() not called since the last reset(); `key` sorts after every key added
  /// before (the table builder checks the order).
  void add(std::string_view key, std::string_view value);

  /// Appends the restart array; the view stays valid until reset() or destruction.
  std::string_view finish();

  /// Forgets everything, ready for a new block.
  void reset();

  /// Bytes the block would have if finished now.
  std::size_t size_estimate() const;
  bool empty() const { return entries_ == 0; }
  std::string_view last_key() const { return last_key_; }

 private:
  int restart_interval_;
  std::string buffer_;
  std::vector<std::uint32_t> restarts_;
  int since_restart_ = 0;
  std::size_t entries_ = 0;
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace kepler::storage
