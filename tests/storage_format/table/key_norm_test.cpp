#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace std::string_literals;

#include "storage_format/table/key_norm.hpp"
#include "table_test_util.hpp"

using namespace kepler::storage;
using kepler::test::ikey;

TEST_CASE("norms never descend along sorted keys, inside and outside the prefix") {
  const std::string prefix = "pre";
  const std::vector<std::string> users = {"",       "a",       "pr",          "pre",
                                          "pre\0"s, "pre\x01", "preabcdefgh", "preabcdefghi",
                                          "prf",    "q",       "\xff\xff"};
  std::uint64_t previous = 0;
  for (const auto& u : users) {
    const std::uint64_t n = key_norm(u, prefix);
    CHECK(n >= previous);
    previous = n;
  }
  CHECK(key_norm("a", prefix) == 0);
  CHECK(key_norm("q", prefix) == UINT64_MAX);
  CHECK(key_norm("pre\x01", prefix) == 0x0100000000000000ull);
  CHECK(key_norm("preabcdefghXYZ", prefix) == key_norm("preabcdefgh", prefix));
}

TEST_CASE("a search by norms finds what std::lower_bound finds, whatever prefix the run uses") {
  // Keys of few distinct bytes and many versions, so norms tie often; prefixes shared by all,
  // some or none of the keys (the table index uses one its first and last keys may lack).
  std::mt19937 rng(5);
  std::size_t searches = 0;
  const auto less = [](const std::string& a, const std::string& b) {
    return compare_internal_keys(a, b) < 0;
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> keys;
    const std::size_t n = rng() % 100;
    auto random_user = [&] {
      std::string u;
      const std::size_t len = rng() % 14;
      for (std::size_t i = 0; i < len; ++i) u.push_back("\0ab\xff"[rng() % 4]);
      return u;
    };
    for (std::size_t i = 0; i < n; ++i) keys.push_back(ikey(random_user(), rng() % 4));
    std::sort(keys.begin(), keys.end(), less);
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    const std::string prefix = random_user().substr(0, rng() % 4);
    std::vector<std::uint64_t> norms;
    for (const auto& k : keys) norms.push_back(key_norm(k.substr(0, k.size() - 8), prefix));
    REQUIRE(std::is_sorted(norms.begin(), norms.end()));
    for (int t = 0; t < 100; ++t) {
      const std::string target = ikey(random_user(), rng() % 5);
      const std::size_t want = static_cast<std::size_t>(
          std::lower_bound(keys.begin(), keys.end(), target, less) - keys.begin());
      const std::size_t got = lower_bound_by_norm(
          keys.size(), [&](std::size_t i) { return norms[i]; }, prefix, target,
          [&](std::size_t i) { return std::string_view(keys[i]); });
      CHECK(got == want);
      ++searches;
    }
  }
  MESSAGE("norm search vs std::lower_bound: " << searches << " searches, 0 differences");
}
