// The store as a typed actor: request/response from an actor system that embeds the store.

#include <doctest/doctest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "kepler/db_actor.hpp"
#include "test_dir.hpp"

using kepler::test::temp_dir;

namespace {

// Runs one request and returns its reply or error.
template <class T, class... Ts>
caf::expected<T> ask(caf::scoped_actor& self, const kepler::db_actor& store, Ts&&... xs) {
  caf::expected<T> result{caf::error{}};
  self->request(store, caf::infinite, std::forward<Ts>(xs)...)
      .receive([&](T& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

}  // namespace

TEST_CASE("an actor writes, removes, batches and reads through the db actor") {
  temp_dir dir;
  caf::actor_system_config cfg;
  kepler::db::tune_scheduler(cfg);
  caf::actor_system system{cfg};
  auto opened = kepler::db::open(system, dir.path());
  REQUIRE_MESSAGE(opened, kepler::to_string(opened.error()));
  auto& store = **opened;
  auto handle = kepler::actor_of(store);
  {
    caf::scoped_actor self{system};
    using kepler::get_atom;
    using kepler::put_atom;
    using kepler::remove_atom;
    using kepler::write_atom;
    CHECK(ask<bool>(self, handle, put_atom::value, std::string("a"), std::string("1"), false));
    CHECK(ask<bool>(self, handle, put_atom::value, std::string("b"), std::string("2"), true));
    auto a = ask<caf::optional<std::string>>(self, handle, get_atom::value, std::string("a"));
    REQUIRE(a);
    REQUIRE(*a);
    CHECK(**a == "1");
    CHECK(ask<bool>(self, handle, remove_atom::value, std::string("a"), false));
    auto gone = ask<caf::optional<std::string>>(self, handle, get_atom::value, std::string("a"));
    REQUIRE(gone);
    CHECK_FALSE(*gone);

    kepler::write_batch batch;
    batch.insert("c", "3");
    batch.remove("b");
    CHECK(ask<bool>(self, handle, write_atom::value, batch.encoding(), false));
    // The blocking API sees what the actor wrote.
    CHECK(store.get("c")->value() == "3");
    CHECK_FALSE(store.get("b")->has_value());

    // Bad input gets invalid_argument and writes nothing.
    auto too_long = ask<bool>(self, handle, put_atom::value,
                              std::string(kepler::max_key_bytes + 1, 'k'), std::string("v"), false);
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().code() == static_cast<uint8_t>(kepler::ec::invalid_argument));
    auto garbage = ask<bool>(self, handle, write_atom::value, std::string("not a batch"), false);
    REQUIRE_FALSE(garbage);
    CHECK(garbage.error().code() == static_cast<uint8_t>(kepler::ec::invalid_argument));
    // A batch with one entry over a limit writes none of its entries.
    kepler::write_batch mixed;
    mixed.insert("fine", "1");
    mixed.insert(std::string(kepler::max_key_bytes + 1, 'k'), "v");
    auto refused = ask<bool>(self, handle, write_atom::value, mixed.encoding(), false);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == static_cast<uint8_t>(kepler::ec::invalid_argument));
    CHECK_FALSE(store.get("fine")->has_value());
  }
  REQUIRE(store.close());
  CHECK_FALSE(kepler::actor_of(store));  // closed: no handle
}
