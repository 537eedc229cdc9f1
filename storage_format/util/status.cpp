#include "storage_format/util/status.hpp"

namespace kepler::storage {

std::string status::to_string() const {
  const char* name = "ok";
  switch (code_) {
    case status_code::ok:
      return "ok";
    case status_code::not_found:
      name = "not found";
      break;
    case status_code::corruption:
      name = "corruption";
      break;
    case status_code::io_error:
      name = "I/O error";
      break;
    case status_code::invalid_argument:
      name = "invalid argument";
      break;
    case status_code::locked:
      name = "locked";
      break;
    case status_code::already_exists:
      name = "already exists";
      break;
    case status_code::not_supported:
      name = "not supported";
      break;
    case status_code::not_a_store:
      name = "not a store";
      break;
    case status_code::aborted:
      name = "aborted";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace kepler::storage
