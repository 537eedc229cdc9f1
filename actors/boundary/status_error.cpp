#include "actors/boundary/status_error.hpp"

#include "kepler/errors.hpp"

namespace kepler::actors {

caf::error to_error(const storage::status& s) {
  using storage::status_code;
  switch (s.code()) {
    case status_code::ok:
      return {};
    case status_code::not_a_store:
      return make_error(ec::not_a_store, s.message());
    // A file the operation needed is missing, named in the message. Where a missing file means
    // damage (a log or MANIFEST the store must have), recovery reports corruption itself; what
    // reaches here is the operating system's failure, never "not a store".
    case status_code::not_found:
      return make_error(ec::io_error, s.message());
    case status_code::corruption:
      return make_error(ec::corruption, s.message());
    case status_code::io_error:
      return make_error(ec::io_error, s.message());
    case status_code::invalid_argument:
      return make_error(ec::invalid_argument, s.message());
    case status_code::locked:
      return make_error(ec::locked, s.message());
    case status_code::already_exists:
      return make_error(ec::already_exists, s.message());
    case status_code::not_supported:
      return make_error(ec::unsupported_format, s.message());
    // An operation stopped because the store closes (a cancelled compaction): it did nothing.
    case status_code::aborted:
      return make_error(ec::closed, s.message());
  }
  return make_error(ec::io_error, s.message());
}

}  // namespace kepler::actors
