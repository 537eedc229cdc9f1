#include "inspect/inspect_text.hpp"

#include <cstdio>

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::cli {

std::string format_internal_key(std::string_view internal_key, byte_format f) {
  storage::parsed_internal_key k;
  if (!storage::parse_internal_key(internal_key, &k))
    return format_bytes(internal_key, f) + " (not an internal key)";
  // An index separator's sequence: sorts before every real version of its user key.
  const std::string seq =
      k.sequence == storage::max_sequence_number ? std::string("max") : std::to_string(k.sequence);
  return format_bytes(k.user_key, f) + " @" + seq +
         (k.type == storage::value_type::value ? " value" : " deletion");
}

std::int64_t offset_in_message(const std::string& message) {
  constexpr std::string_view word = "offset ";
  for (std::size_t at = message.find(word); at != std::string::npos;
       at = message.find(word, at + 1)) {
    std::size_t i = at + word.size();
    if (i >= message.size() || message[i] < '0' || message[i] > '9') continue;
    std::int64_t n = 0;
    for (; i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i)
      n = n * 10 + (message[i] - '0');
    return n;
  }
  return -1;
}

std::string describe_problem(const std::string& path, const storage::status& s) {
  const std::string full = s.to_string();
  const std::string code = full.substr(0, full.find(": "));
  std::string what = s.message();
  const std::string own = path + ": ";
  if (what.compare(0, own.size(), own) == 0) what.erase(0, own.size());
  const std::int64_t offset = offset_in_message(s.message());
  std::string line = path + ": " + code;
  if (offset >= 0) line += " at offset " + std::to_string(offset);
  return line + ": " + what;
}

void print(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace kepler::cli
