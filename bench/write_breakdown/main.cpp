// kepler-write-breakdown: where the time of one blocking insert goes. Times each piece of the
// write path alone — the proxy's encoding, the log append (write(2)), the memtable insert, one
// and two actor hops answered through a completion — then the whole db::insert, in one run.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <unistd.h>

#include <caf/all.hpp>

#include "actors/messages/completion.hpp"
#include "actors/messages/write_request.hpp"
#include "kepler/db.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/util/file_system.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using completion_ptr = std::shared_ptr<kepler::actors::completion>;
constexpr int ops = 100000;
constexpr std::size_t value_bytes = 100;

std::string key_of(int i) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016d", i);
  return buf;
}

template <class F>
double micros_per_op(F&& f) {
  auto start = clock_type::now();
  for (int i = 0; i < ops; ++i) f(i);
  return std::chrono::duration<double, std::micro>(clock_type::now() - start).count() / ops;
}

using hop_actor = caf::typed_actor<caf::reacts_to<completion_ptr>>;

// Answers at once: one hop.
hop_actor::behavior_type answer_at_once() {
  return {[](const completion_ptr& done) { done->signal(); }};
}

// Passes the completion on to `next`: two hops.
hop_actor::behavior_type pass_on(hop_actor::pointer self, hop_actor next) {
  return {[self, next](const completion_ptr& done) { self->send(next, done); }};
}

}  // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(completion_ptr)

int main() {
  namespace fs = std::filesystem;
  auto dir = (fs::temp_directory_path() / ("kepler-breakdown-" + std::to_string(::getpid())));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string value(value_bytes, 'v');

  auto* requests = kepler::actors::request_pool::make();
  kepler::actors::completion done;
  auto encode = micros_per_op([&](int i) {
    auto req = requests->acquire();
    kepler::storage::batch::clear(&req->batch);
    kepler::storage::batch::add_put(&req->batch, key_of(i), value);
    done.reset();
    req->done = &done;
    req->answer();
  });

  std::unique_ptr<kepler::storage::writable_file> file;
  kepler::storage::file_system::posix()->new_writable_file((dir / "log").string(), &file);
  kepler::storage::log::writer log(file.get());
  auto rep = kepler::storage::batch::make_empty();
  kepler::storage::batch::add_put(&rep, key_of(0), value);
  auto append = micros_per_op([&](int) { log.append_record(rep); });

  kepler::storage::memtable mem;
  auto insert = micros_per_op(
      [&](int i) { mem.add(i + 1, kepler::storage::value_type::value, key_of(i), value); });
  kepler::storage::memtable shuffled;
  auto insert_random = micros_per_op([&](int i) {
    // A multiplicative permutation of 0..ops-1: every key once, in scattered order.
    int k = static_cast<int>((static_cast<long long>(i) * 7919) % ops);
    shuffled.add(i + 1, kepler::storage::value_type::value, key_of(k), value);
  });

  double one_hop = 0, two_hops = 0;
  {
    caf::actor_system_config cfg;
    cfg.set("scheduler.max-threads", std::max(1u, std::thread::hardware_concurrency() / 2));
    cfg.set("work-stealing.aggressive-poll-attempts", kepler::options{}.worker_poll_attempts);
    cfg.set("work-stealing.moderate-poll-attempts", 0);
    caf::actor_system system{cfg};
    auto last = system.spawn(answer_at_once);
    auto first = system.spawn(pass_on, last);
    one_hop = micros_per_op([&](int) {
      auto done = std::make_shared<kepler::actors::completion>();
      caf::anon_send(last, done);
      done->wait();
    });
    two_hops = micros_per_op([&](int) {
      auto done = std::make_shared<kepler::actors::completion>();
      caf::anon_send(first, done);
      done->wait();
    });
    caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(last, caf::exit_reason::user_shutdown);
  }

  double whole = 0;
  {
    auto store = kepler::db::open((dir / "store").string());
    if (!store) {
      std::fprintf(stderr, "open: %s\n", kepler::to_string(store.error()).c_str());
      return 1;
    }
    whole = micros_per_op([&](int i) { (*store)->insert(key_of(i), value); });
  }
  fs::remove_all(dir);

  std::printf("one blocking insert (16 B key, %zu B value, %d ops each), us/op:\n", value_bytes,
              ops);
  requests->retire();
  std::printf("  proxy: encode batch into a pooled request    %6.3f\n", encode);
  std::printf("  log: add_record + write(2)                   %6.3f\n", append);
  std::printf("  memtable insert (sequential keys)            %6.3f\n", insert);
  std::printf("  memtable insert (random keys)                %6.3f\n", insert_random);
  std::printf("  one actor hop, answered by completion        %6.3f\n", one_hop);
  std::printf("  two actor hops, answered by completion       %6.3f\n", two_hops);
  std::printf("  sum of the pieces (encode+log+insert+2 hops) %6.3f\n",
              encode + append + insert + two_hops);
  std::printf("  db::insert, the whole                        %6.3f\n", whole);
  return 0;
}
