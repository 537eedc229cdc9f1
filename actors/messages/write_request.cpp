#include "actors/messages/write_request.hpp"

#include "kepler/errors.hpp"

namespace kepler::actors {

namespace {

// Free requests a pool keeps; more are deleted. Enough for every caller of a busy store.
constexpr std::size_t max_pooled_requests = 256;
// A pooled request keeps its batch buffer up to this size (ordinary writes reuse it).
constexpr std::size_t max_pooled_buffer_bytes = 64 * 1024;

caf::error dropped_error() {
  return make_error(ec::outcome_unknown,
                    "the store stopped before this write was acknowledged: it may or may not "
                    "have been applied");
}

}  // namespace

void intrusive_ptr_add_ref(write_request* req) {
  req->refs_.fetch_add(1, std::memory_order_relaxed);
}

void write_request::answer(const caf::error& err) {
  // Copied before the request counts as answered: if the copy runs out of memory, the request
  // stays unanswered and its last release still answers it.
  caf::error outcome = err;
  if (answered_.exchange(true, std::memory_order_acq_rel)) return;
  // No completion: the request never left its creator (dropped before it was sent).
  if (done != nullptr) done->signal(std::move(outcome));
}

void intrusive_ptr_release(write_request* req) {
  if (req->refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // The last reference: every actor has let go. Unanswered, it was dropped by a stopping actor.
  req->answer(dropped_error());
  req->pool_->give_back(req);
}

request_pool* request_pool::make() {
  return new request_pool();
}

write_request_ptr request_pool::acquire() {
  write_request* req = nullptr;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!free_.empty()) {
      req = free_.back();
      free_.pop_back();
      ++out_;
    }
  }
  if (req == nullptr) {
    req = new write_request(this);
    // Counted once the request exists, so a failed allocation cannot keep the pool alive.
    std::lock_guard<std::mutex> guard(mutex_);
    ++out_;
  }
  req->batch.clear();
  req->sync = false;
  req->seal_memtable = false;
  req->done = nullptr;
  req->answered_.store(false, std::memory_order_relaxed);
  return write_request_ptr{req};  // adds the reference the message will hold
}

void request_pool::give_back(write_request* req) {
  // A huge batch's buffer is not worth keeping; nor is a finished actor's callback.
  if (req->batch.capacity() > max_pooled_buffer_bytes) std::string().swap(req->batch);
  req->own_done.reset();
  bool last = false;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    --out_;
    if (!retired_ && free_.size() < max_pooled_requests) {
      free_.push_back(req);
      req = nullptr;
    }
    last = retired_ && out_ == 0;
  }
  delete req;
  if (last) delete this;
}

void request_pool::add_owner() {
  std::lock_guard<std::mutex> guard(mutex_);
  ++owners_;
}

void request_pool::retire() {
  bool last = false;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    retired_ = --owners_ == 0;
    last = retired_ && out_ == 0;
  }
  if (last) delete this;
}

request_pool::~request_pool() {
  for (auto* req : free_) delete req;
}

void write_group::fail(const caf::error& err) {
  for (auto& req : requests) req->answer(err);
}

void write_group::stamp(write_trace::point p) {
  if (!tracing_writes.load(std::memory_order_relaxed)) return;
  auto now = trace_clock_ns();
  for (auto& req : requests)
    if (req->done != nullptr) req->done->trace().ns[p] = now;
}

}  // namespace kepler::actors
