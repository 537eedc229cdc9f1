#include "storage_format/util/kill_point.hpp"

#ifdef KEPLER_KILL_POINTS
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#endif

namespace kepler::storage::kill_points {

#ifdef KEPLER_KILL_POINTS
namespace {

// Read once: the environment does not change under a running store.
const char* armed_point() {
  static const char* point = std::getenv("KEPLER_KILL_POINT");
  return point;
}

long skip_count() {
  static const long skip = [] {
    const char* s = std::getenv("KEPLER_KILL_POINT_SKIP");
    return s != nullptr ? std::strtol(s, nullptr, 10) : 0L;
  }();
  return skip;
}

std::atomic<long> hits{0};

}  // namespace

void reach(const char* name) {
  const char* armed = armed_point();
  if (armed == nullptr || std::strcmp(armed, name) != 0) return;
  if (hits.fetch_add(1) < skip_count()) return;
  ::kill(::getpid(), SIGKILL);
}
#else
void reach(const char*) {}
#endif

}  // namespace kepler::storage::kill_points
