#pragma once
// Constants of the log format shared by the WAL and the MANIFEST; see wal_format.md.

#include <cstddef>
#include <cstdint>

namespace kepler::storage::log {

enum class record_type : std::uint8_t {
  zero = 0,  // reserved: never written
  full = 1,
  first = 2,
  middle = 3,
  last = 4,
};
constexpr std::uint8_t max_record_type = 4;

constexpr std::size_t block_size = 32 * 1024;
/// crc32c masked (4 bytes) | payload length (2 bytes) | type (1 byte), little-endian.
constexpr std::size_t header_size = 4 + 2 + 1;

}  // namespace kepler::storage::log
