#include "kepler/errors.hpp"

#include <caf/message.hpp>

namespace kepler {

std::string to_string(ec code) {
  switch (code) {
    case ec::none:
      return "none";
    case ec::invalid_argument:
      return "invalid_argument";
    case ec::not_a_store:
      return "not_a_store";
    case ec::already_exists:
      return "already_exists";
    case ec::locked:
      return "locked";
    case ec::corruption:
      return "corruption";
    case ec::io_error:
      return "io_error";
    case ec::closed:
      return "closed";
    case ec::write_failed:
      return "write_failed";
    case ec::unsupported_format:
      return "unsupported_format";
    case ec::outcome_unknown:
      return "outcome_unknown";
    case ec::out_of_memory:
      return "out_of_memory";
    case ec::would_deadlock:
      return "would_deadlock";
    case ec::read_only:
      return "read_only";
    case ec::disconnected:
      return "disconnected";
  }
  return "unknown kepler error " + std::to_string(static_cast<int>(code));
}

caf::error make_error(ec code, std::string message) {
  return caf::error{static_cast<std::uint8_t>(code), caf::atom("kepler"),
                    caf::make_message(std::move(message))};
}

std::string to_string(const caf::error& err) {
  if (!err) return "ok";
  if (err.category() != caf::atom("kepler")) return caf::to_string(err);
  auto result = to_string(static_cast<ec>(err.code()));
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    result += ": " + ctx.get_as<std::string>(0);
  return result;
}

}  // namespace kepler
