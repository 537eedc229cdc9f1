// tsan_probe: proves the TSan build can tell a message handoff from a race (README.md,
// "Sanitizers"). Built only with KEPLER_SANITIZE=thread; tests/CMakeLists.txt runs both modes.
//   tsan_probe handoff   a vector filled by one thread, read by an actor on another after a
//                        send: synchronized by CAF's mailbox, so TSan must stay silent. Against
//                        an uninstrumented libcaf it reports this as a race.
//   tsan_probe race      an actor and the main thread bump one plain int at once: TSan must
//                        report it, so a clean run of the suites means something.

#include <cstdio>
#include <cstring>
#include <numeric>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

namespace {

constexpr int values = 1000;
constexpr int bumps = 100000;
int racy_counter = 0;  // deliberately unsynchronized: the race mode's shared word

caf::behavior summer() {
  return {[](const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0L); }};
}

caf::behavior bumper() {
  return {[](int n) {
    for (int i = 0; i < n; ++i) ++racy_counter;
  }};
}

int handoff(caf::actor_system& sys) {
  std::vector<int> v(values);
  std::iota(v.begin(), v.end(), 1);
  long sum = -1;
  caf::scoped_actor self{sys};
  self->request(sys.spawn(summer), caf::infinite, std::move(v))
      .receive([&](long s) { sum = s; }, [](caf::error&) {});
  const long want = static_cast<long>(values) * (values + 1) / 2;
  std::printf("handoff: %d values sent to an actor, summed to %ld (want %ld)\n", values, sum, want);
  return sum == want ? 0 : 1;
}

int race(caf::actor_system& sys) {
  auto a = sys.spawn(bumper);
  caf::anon_send(a, bumps);
  for (int i = 0; i < bumps; ++i) ++racy_counter;
  std::printf("race: an actor and the main thread each bumped a plain int %d times\n", bumps);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc == 2 ? argv[1] : "";
  if (std::strcmp(mode, "handoff") != 0 && std::strcmp(mode, "race") != 0) {
    std::fprintf(stderr, "usage: tsan_probe handoff|race\n");
    return 2;
  }
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  return std::strcmp(mode, "handoff") == 0 ? handoff(sys) : race(sys);
}
