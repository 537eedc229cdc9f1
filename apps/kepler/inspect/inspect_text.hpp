#pragma once
// What the inspection commands (sst, manifest, log, check) print alike: internal keys as
// "KEY @SEQUENCE TYPE", and damage as "<file>: <code> at offset N: <what>", built from the
// storage_format status that found it. Plain code: no CAF, no store.
#include <cstdint>
#include <string>
#include <string_view>

#include "storage_format/util/status.hpp"
#include "text/escape.hpp"

namespace kepler::cli {

/// "KEY @SEQUENCE value" (or "deletion"), the user key in form `f`, the sequence 2^56 - 1 of a
/// shortened index separator as "max"; a key too short for a tag or with an unknown type is
/// printed whole, as "KEY (not an internal key)".
std::string format_internal_key(std::string_view internal_key, byte_format f);

/// The file offset a storage_format message names ("offset N"), or -1 when it names none.
std::int64_t offset_in_message(const std::string& message);

/// "<path>: corruption at offset N: <message>" for a status `s` met reading `path` (the code
/// word from status::to_string; without "at offset N" when the message names none). The
/// message's own leading "<path>: " is dropped, so the file is named once.
std::string describe_problem(const std::string& path, const storage::status& s);

/// Writes `text` to stdout as it is (it may hold any bytes with --raw).
void print(std::string_view text);

}  // namespace kepler::cli
