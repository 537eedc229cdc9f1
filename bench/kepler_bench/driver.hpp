#pragma once
// kepler-bench as a function, so the driver's tests run it in their own process.

#include <cstdio>
#include <string>
#include <vector>

namespace kepler::bench {

/// Runs kepler-bench with `args` (the flags, without the program name), printing results to
/// `out` and errors to stderr. Returns the exit status: 0 done, 1 an engine failed, 2 a bad
/// flag.
int run_bench(const std::vector<std::string>& args, std::FILE* out);

}  // namespace kepler::bench
