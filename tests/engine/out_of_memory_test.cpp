// Out of memory inside the write path's actors: the handler catches it, the write fails with
// out_of_memory, writes are refused from then on (sticky), reads keep working and nothing
// acknowledged is lost. Before, bad_alloc escaped the handler and killed the actor.
//
// This file replaces the global operator new of the engine test program: while `big_limit` is
// set, an allocation of at least that many bytes on any thread but the test's own fails. The
// test's thread encodes the batch; the actors' threads copy it into the log buffer and the
// memtable's arena, which is where the failure lands.

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "kepler/db.hpp"
#include "test_dir.hpp"

using kepler::ec;
using kepler::test::temp_dir;

namespace {

std::atomic<std::size_t> big_limit{0};  // 0: no injected failures
std::atomic<std::thread::id> spared_thread{};
std::atomic<int> injected{0};

bool has_code(const caf::error& err, ec code) {
  return err.category() == caf::atom("kepler") && err.code() == static_cast<uint8_t>(code);
}

// Fails big allocations off the calling thread while alive.
struct big_allocations_fail {
  explicit big_allocations_fail(std::size_t limit) {
    spared_thread = std::this_thread::get_id();
    injected = 0;
    big_limit = limit;
  }
  ~big_allocations_fail() { big_limit = 0; }
};

constexpr std::size_t big = 4 << 20;
const std::string big_value(6 << 20, 'v');

}  // namespace

void* operator new(std::size_t size) {
  auto limit = big_limit.load(std::memory_order_relaxed);
  if (limit != 0 && size >= limit && std::this_thread::get_id() != spared_thread.load()) {
    ++injected;
    throw std::bad_alloc();
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept {
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

void check_out_of_memory_is_sticky_and_loses_nothing(bool warm_log_buffer) {
  temp_dir dir;
  {
    auto store = kepler::db::open(dir.path());
    REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
    REQUIRE((*store)->insert("before", "1"));
    // A big write first leaves the log's buffer big enough for the next one: the copy into it
    // then allocates nothing and the failure comes from the memtable's arena instead.
    if (warm_log_buffer) REQUIRE((*store)->insert("warm", big_value));
    caf::error failure;
    {
      big_allocations_fail guard(big);
      auto r = (*store)->insert("big", big_value);
      REQUIRE_FALSE(r);
      failure = r.error();
      MESSAGE("injected allocation failures: " << injected.load()
                                               << ", error: " << kepler::to_string(failure));
      CHECK(injected.load() > 0);
    }
    CHECK(has_code(failure, ec::out_of_memory));
    // Sticky, with the same error, and reads keep working.
    auto later = (*store)->insert("later", "2");
    REQUIRE_FALSE(later);
    CHECK(has_code(later.error(), ec::out_of_memory));
    CHECK((*store)->get("before")->value_or("") == "1");
    CHECK_FALSE((*store)->get("big")->has_value());
    CHECK_FALSE((*store)->get("later")->has_value());
  }
  auto store = kepler::db::open(dir.path());
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  CHECK((*store)->get("before")->value_or("") == "1");
  CHECK_FALSE((*store)->get("later")->has_value());
  REQUIRE((*store)->insert("after reopen", "3"));
}

}  // namespace

TEST_CASE("out of memory in the log writer fails the write with out_of_memory, sticky") {
  check_out_of_memory_is_sticky_and_loses_nothing(false);
}

TEST_CASE("out of memory in the memtable fails the write with out_of_memory, sticky") {
  check_out_of_memory_is_sticky_and_loses_nothing(true);
}
