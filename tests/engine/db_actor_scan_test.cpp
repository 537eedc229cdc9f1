// The db actor's scan (scan_atom): bounds, limits, deletions, the reply byte bound, paging.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "kepler/db_actor.hpp"
#include "test_dir.hpp"

using kepler::test::temp_dir;

namespace {

caf::expected<kepler::scan_page> scan(caf::scoped_actor& self, const kepler::db_actor& store,
                                      caf::optional<std::string> begin,
                                      caf::optional<std::string> end, std::uint64_t limit) {
  caf::expected<kepler::scan_page> result{caf::error{}};
  self->request(store, caf::infinite, kepler::scan_atom::value, std::move(begin), std::move(end),
                limit)
      .receive([&](kepler::scan_page& page) { result = std::move(page); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

std::vector<std::string> keys_of(const kepler::scan_page& page) {
  std::vector<std::string> keys;
  for (const auto& p : page.pairs) keys.push_back(p.first);
  return keys;
}

}  // namespace

TEST_CASE("the db actor scans a range with bounds, a limit and deletions hidden") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
  auto& store = **opened;
  for (const char* k : {"a", "b", "c", "d", "e"}) REQUIRE(store.insert(k, std::string(k) + "v"));
  REQUIRE(store.remove("c"));
  auto handle = kepler::actor_of(store);
  {
    caf::scoped_actor self{system};
    auto all = scan(self, handle, caf::none, caf::none, 0);
    REQUIRE(all);
    CHECK(keys_of(*all) == std::vector<std::string>{"a", "b", "d", "e"});
    CHECK(all->pairs[0].second == "av");
    CHECK_FALSE(all->more);
    auto mid = scan(self, handle, std::string("b"), std::string("e"), 0);
    REQUIRE(mid);
    CHECK(keys_of(*mid) == std::vector<std::string>{"b", "d"});
    CHECK_FALSE(mid->more);
    auto two = scan(self, handle, caf::none, caf::none, 2);
    REQUIRE(two);
    CHECK(keys_of(*two) == std::vector<std::string>{"a", "b"});
    CHECK(two->more);
    // Exactly the rest: no more after it.
    auto rest = scan(self, handle, std::string("b") + '\0', caf::none, 2);
    REQUIRE(rest);
    CHECK(keys_of(*rest) == std::vector<std::string>{"d", "e"});
    CHECK_FALSE(rest->more);
    auto none = scan(self, handle, std::string("x"), caf::none, 0);
    REQUIRE(none);
    CHECK(none->pairs.empty());
    CHECK_FALSE(none->more);
    // The same as db::scan.
    auto local = store.scan(std::string_view("b"), std::nullopt, 0);
    REQUIRE(local);
    auto remote_like = scan(self, handle, std::string("b"), caf::none, 0);
    REQUIRE(remote_like);
    CHECK(*local == remote_like->pairs);
  }
  REQUIRE(store.close());
}

TEST_CASE("a db actor scan reply stays under max_scan_reply_bytes and pages on") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  kepler::options opts;
  opts.memtable_bytes = 1 << 20;
  auto opened = kepler::db::open(system, dir.path(), opts);
  REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
  auto& store = **opened;
  // Three values of 24 MiB: two fit in one 64 MiB reply, the third does not.
  const std::size_t value_bytes = 24u << 20;
  for (char k : {'a', 'b', 'c'})
    REQUIRE(store.insert(std::string(1, k), std::string(value_bytes, k)));
  auto handle = kepler::actor_of(store);
  {
    caf::scoped_actor self{system};
    auto first = scan(self, handle, caf::none, caf::none, 0);
    REQUIRE(first);
    std::size_t bytes = 0;
    for (const auto& p : first->pairs) bytes += p.first.size() + p.second.size();
    MESSAGE("first page: " << first->pairs.size() << " pairs, " << bytes << " bytes, more "
                           << first->more);
    CHECK(first->pairs.size() == 2);
    CHECK(bytes <= kepler::max_scan_reply_bytes);
    CHECK(first->more);
    auto second = scan(self, handle, first->pairs.back().first + '\0', caf::none, 0);
    REQUIRE(second);
    CHECK(keys_of(*second) == std::vector<std::string>{"c"});
    CHECK_FALSE(second->more);
    // One pair larger than the bound still comes back, alone.
    REQUIRE(store.insert("big", std::string(kepler::max_value_bytes, 'x')));
    auto big = scan(self, handle, std::string("big"), std::string("d"), 0);
    REQUIRE(big);
    CHECK(keys_of(*big) == std::vector<std::string>{"big"});
    CHECK(big->more);
  }
  REQUIRE(store.close());
}
