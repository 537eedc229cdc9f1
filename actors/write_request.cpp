#include "actors/write_request.hpp"

#include "kepler/errors.hpp"

namespace kepler::actors {

write_request::~write_request() {
  // A no-op when the request was answered; otherwise an actor dropped it while stopping.
  if (done) done->signal(make_error(ec::closed, "the store stopped before this write was applied"));
}

void write_group::stage_done(const caf::error& err) {
  // The first failing stage records its error; the release on stages_left_ publishes it to
  // the stage that finishes last.
  if (err && !failed_.exchange(true, std::memory_order_relaxed)) failure_ = err;
  if (stages_left_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  for (auto& req : requests) req->done->signal(failure_);
}

void write_group::fail(const caf::error& err) {
  for (auto& req : requests) req->done->signal(err);
}

}  // namespace kepler::actors
