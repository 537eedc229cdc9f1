#include "actors/write_request.hpp"

#include "kepler/errors.hpp"

namespace kepler::actors {

write_request::~write_request() {
  // A no-op when the request was answered; otherwise an actor dropped it while stopping.
  if (done) done->signal(make_error(ec::closed, "the store stopped before this write was applied"));
}

void write_group::fail(const caf::error& err) {
  for (auto& req : requests) req->done->signal(err);
}

}  // namespace kepler::actors
