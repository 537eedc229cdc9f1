#include "storage_format/util/crc32c.hpp"

#include <isa-l/crc.h>

#include <climits>

namespace kepler::storage::crc32c {

// crc32_iscsi neither pre- nor post-inverts: it runs the raw CRC register from `init_crc`. The
// standard CRC32C starts the register at ~0 and inverts the result, so a finished CRC is turned
// back into a register state by inverting it; that is what makes extend(value(a), b) ==
// value(a + b) and value("123456789") == 0xE3069283.
std::uint32_t extend(std::uint32_t init_crc, const char* data, std::size_t n) {
  // ISA-L takes an int length and a non-const pointer (it only reads through it).
  auto* p = reinterpret_cast<unsigned char*>(const_cast<char*>(data));
  std::uint32_t reg = ~init_crc;
  while (n > 0) {
    const std::size_t chunk = n < static_cast<std::size_t>(INT_MAX) ? n : INT_MAX;
    reg = crc32_iscsi(p, static_cast<int>(chunk), reg);
    p += chunk;
    n -= chunk;
  }
  return ~reg;
}

}  // namespace kepler::storage::crc32c
