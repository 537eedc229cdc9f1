// Pooled write requests: every request is answered exactly once, also when the actors drop it
// (only the last release counts, however many copies exist), and comes back to the pool clean.

#include <doctest/doctest.h>

#include "actors/messages/write_request.hpp"
#include "kepler/errors.hpp"

using kepler::actors::completion;
using kepler::actors::request_pool;
using kepler::actors::write_request_ptr;

namespace {

// Dropped in flight, a write may or may not have been applied: not "closed" (which promises
// the call did nothing, so a retry could apply it twice).
bool is_outcome_unknown(const caf::error& err) {
  return err.code() == static_cast<uint8_t>(kepler::ec::outcome_unknown);
}

}  // namespace

TEST_CASE(
    "a request every actor dropped unanswered fails its waiting caller with outcome_unknown") {
  auto* pool = request_pool::make();
  completion done;
  {
    auto message = pool->acquire();
    message->done = &done;
    write_request_ptr copy = message;  // CAF may copy a message on its way
    message.reset();
    CHECK_FALSE(done.done());  // a copy still holds it: not dropped yet
    copy.reset();              // the last holder lets go, unanswered
  }
  REQUIRE(done.done());
  CHECK(is_outcome_unknown(done.wait()));
  pool->retire();
}

TEST_CASE("an answered request keeps its answer when the actors let go") {
  auto* pool = request_pool::make();
  completion done;
  {
    auto message = pool->acquire();
    message->done = &done;
    message->answer();
    message->answer(kepler::make_error(kepler::ec::io_error, "too late"));  // ignored
  }
  CHECK_FALSE(done.wait());
  pool->retire();
}

TEST_CASE("a request from an actor reports a drop through its own completion's callback") {
  auto* pool = request_pool::make();
  int reports = 0;
  caf::error reported;
  {
    auto message = pool->acquire();
    message->done = &message->own_done;
    message->own_done.reset([&](const caf::error& err) {
      ++reports;
      reported = err;
    });
  }
  CHECK(reports == 1);
  CHECK(is_outcome_unknown(reported));
  pool->retire();
}

TEST_CASE("a recycled request comes back empty and unanswered") {
  auto* pool = request_pool::make();
  completion first;
  {
    auto req = pool->acquire();
    req->batch = "some bytes";
    req->sync = true;
    req->done = &first;
    req->answer();
  }
  completion second;
  {
    auto again = pool->acquire();
    CHECK(again->batch.empty());
    CHECK_FALSE(again->sync);
    CHECK(again->done == nullptr);
    again->done = &second;
  }
  // Dropped unanswered: the new use answers itself, the old completion is not touched again.
  CHECK(is_outcome_unknown(second.wait()));
  CHECK_FALSE(first.wait());
  pool->retire();
}

TEST_CASE("a request dropped before it was sent, without a completion, is recycled quietly") {
  auto* pool = request_pool::make();
  { auto unsent = pool->acquire(); }  // e.g. encoding threw before the send
  auto next = pool->acquire();
  CHECK(next->done == nullptr);
  completion done;
  next->done = &done;
  next->answer();
  CHECK_FALSE(done.wait());
  next.reset();
  pool->retire();
}
