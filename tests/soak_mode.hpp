#pragma once
// Soak mode, the project's convention for long runs: with KEPLER_SOAK=1 in the environment,
// tests that repeat a randomized scenario repeat it many more times. ctest runs the doctest
// suite "soak" that way under the label `soak` (`ctest --test-dir build -L soak`); the default
// run (scripts/test.sh) leaves that label out and runs the same tests at their short counts.

#include <cstdlib>
#include <cstring>

namespace kepler::test {

/// Whether KEPLER_SOAK=1 is set.
inline bool soak_mode() {
  const char* env = std::getenv("KEPLER_SOAK");
  return env != nullptr && std::strcmp(env, "1") == 0;
}

/// `normal` in the default run, `soak` in soak mode.
inline int soak_count(int normal, int soak) {
  return soak_mode() ? soak : normal;
}

}  // namespace kepler::test
