#pragma once
#include <string>

namespace kepler::cli {

/// Walks a newcomer through the store in `dir`: writes, reads, removes, a batch, then closes,
/// reopens and shows that recovery brought everything back. Returns the process exit code.
int run_demo(const std::string& dir);

}  // namespace kepler::cli
