#pragma once
// No exception escapes an actor's handler or crosses the API (doc/design.md, "Errors"): the
// code that catches one turns it into the error a caller can act on.

#include <caf/error.hpp>

namespace kepler::actors {

/// The error for the exception being handled: ec::out_of_memory for std::bad_alloc, ec::io_error
/// ("unexpected failure: ...") for anything else. REQUIRES: called inside a catch block.
caf::error current_exception_error();

/// Runs `step`; returns the error for an exception it threw, or no error.
template <class Step>
caf::error run_catching(Step&& step) {
  try {
    step();
    return {};
  } catch (...) {
    return current_exception_error();
  }
}

}  // namespace kepler::actors
