#include "actors/boundary/exception_error.hpp"

#include <exception>
#include <new>
#include <string>

#include "kepler/errors.hpp"

namespace kepler::actors {

caf::error current_exception_error() {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return make_error(ec::out_of_memory, "out of memory while applying a write");
  } catch (const std::exception& e) {
    return make_error(ec::io_error, std::string("unexpected failure: ") + e.what());
  } catch (...) {
    return make_error(ec::io_error, "unexpected failure");
  }
}

}  // namespace kepler::actors
