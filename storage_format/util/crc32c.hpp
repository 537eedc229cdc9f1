#pragma once
// CRC32C (Castagnoli), computed by ISA-L's hardware-accelerated crc32_iscsi.

#include <cstddef>
#include <cstdint>

namespace kepler::storage::crc32c {

/// The CRC32C of `data` continued from `init_crc` (the crc of the bytes before it; 0 to start).
std::uint32_t extend(std::uint32_t init_crc, const char* data, std::size_t n);
inline std::uint32_t value(const char* data, std::size_t n) {
  return extend(0, data, n);
}

/// Stored checksums are masked, so a CRC over data that itself holds CRCs stays meaningful.
constexpr std::uint32_t mask_delta = 0xa282ead8u;
inline std::uint32_t mask(std::uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + mask_delta;
}
inline std::uint32_t unmask(std::uint32_t masked) {
  std::uint32_t rot = masked - mask_delta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace kepler::storage::crc32c
