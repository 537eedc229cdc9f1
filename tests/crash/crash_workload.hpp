#pragma once
// The crash test's workload, shared by the writer child and the checking parent: operation i of
// a seed is always the same, so the parent knows what every acknowledged number wrote.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kepler::test::crash {

constexpr std::uint64_t key_space = 300;

enum class op_kind { put, sync_put, batch, sync_batch, remove };

/// One key's fate in an operation: the value written, or nullopt for a removal.
struct effect {
  std::string key;
  std::optional<std::string> value;
};

struct operation {
  op_kind kind;
  std::vector<effect> effects;  // in order; a later effect on the same key wins
};

inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// Keys include the empty key and one with NUL bytes.
inline std::string key_name(std::uint64_t k) {
  if (k == 0) return {};
  if (k == 1) return std::string("nul\0key\0", 8);
  return "key" + std::to_string(k);
}

/// "op=<i>;" then filler, 0 to ~3000 bytes, so records cross the log's 32 KiB blocks.
inline std::string value_for(std::uint64_t op, std::uint64_t k) {
  std::string v = "op=" + std::to_string(op) + ";";
  v.append(mix(op * 131 + k) % 3000, static_cast<char>('a' + k % 26));
  return v;
}

/// The op number a value was written by, or nullopt for a value this workload never writes.
inline std::optional<std::uint64_t> op_of(const std::string& value, std::uint64_t k) {
  if (value.compare(0, 3, "op=") != 0) return std::nullopt;
  auto semi = value.find(';');
  if (semi == std::string::npos || semi == 3) return std::nullopt;
  std::uint64_t op = 0;
  for (std::size_t i = 3; i < semi; ++i) {
    if (value[i] < '0' || value[i] > '9') return std::nullopt;
    op = op * 10 + static_cast<std::uint64_t>(value[i] - '0');
  }
  if (value != value_for(op, k)) return std::nullopt;
  return op;
}

inline operation make_operation(std::uint64_t seed, std::uint64_t i) {
  auto r = mix(seed * 1000003 + i);
  operation op;
  auto pick = r % 100;
  auto key = [&](std::uint64_t salt) { return mix(r + salt) % key_space; };
  if (pick < 45 || pick >= 85) {
    op.kind = pick < 30 ? op_kind::put : pick < 45 ? op_kind::sync_put : op_kind::remove;
    auto k = key(1);
    if (op.kind == op_kind::remove)
      op.effects.push_back({key_name(k), std::nullopt});
    else
      op.effects.push_back({key_name(k), value_for(i, k)});
  } else {
    op.kind = pick < 75 ? op_kind::batch : op_kind::sync_batch;
    auto n = 2 + mix(r + 7) % 5;
    for (std::uint64_t j = 0; j < n; ++j) {
      auto k = key(10 + j);
      if (mix(r + 100 + j) % 5 == 0)
        op.effects.push_back({key_name(k), std::nullopt});
      else
        op.effects.push_back({key_name(k), value_for(i, k)});
    }
  }
  return op;
}

}  // namespace kepler::test::crash
