// Pooled write requests: every request is answered exactly once, also when the actors drop it,
// and comes back to the pool clean.

#include <doctest/doctest.h>

#include "actors/write_request.hpp"
#include "kepler/errors.hpp"

using kepler::actors::request_pool;
using kepler::actors::write_request_ptr;

TEST_CASE("a request every actor dropped unanswered fails its waiting caller with closed") {
  auto* pool = request_pool::make();
  {
    auto caller = pool->acquire();
    write_request_ptr message = caller;  // what the actors hold
    message.reset();                     // dropped by a stopping actor, never answered
    REQUIRE(caller->done.done());
    auto err = caller->done.wait();
    CHECK(err.code() == static_cast<uint8_t>(kepler::ec::closed));
  }
  pool->retire();
}

TEST_CASE("an answered request keeps its answer when the actors let go") {
  auto* pool = request_pool::make();
  {
    auto caller = pool->acquire();
    write_request_ptr message = caller;
    message->done.signal();
    message.reset();
    CHECK_FALSE(caller->done.wait());
  }
  pool->retire();
}

TEST_CASE("a request nobody waits on reports a drop through its callback") {
  auto* pool = request_pool::make();
  int reports = 0;
  caf::error reported;
  {
    auto req = pool->acquire();
    req->done.reset([&](const caf::error& err) {
      ++reports;
      reported = err;
    });
    write_request_ptr message = std::move(req);  // the message holds the only reference
    message.reset();
  }
  CHECK(reports == 1);
  CHECK(reported.code() == static_cast<uint8_t>(kepler::ec::closed));
  pool->retire();
}

TEST_CASE("a recycled request comes back empty and unsignalled") {
  auto* pool = request_pool::make();
  {
    auto req = pool->acquire();
    req->batch = "some bytes";
    req->sync = true;
    req->done.signal();
  }
  auto again = pool->acquire();
  CHECK(again->batch.empty());
  CHECK_FALSE(again->sync);
  CHECK_FALSE(again->done.done());
  again->done.signal();
  again.reset();
  pool->retire();
}
