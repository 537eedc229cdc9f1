#pragma once
// The encoding of a write batch, which is also the payload of one WAL record (wal_format.md):
//   fixed64 first sequence | fixed32 count | count x entry
//   entry := type byte (1 = put, 0 = delete) | varint32 key length | key
//            [| varint32 value length | value]      (puts only)
// Entry i gets sequence first + i.

#include <cstdint>
#include <string>
#include <string_view>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage::batch {

constexpr std::size_t header_size = 8 + 4;

/// An empty batch (header only).
std::string make_empty();
void clear(std::string* rep);
void add_put(std::string* rep, std::string_view key, std::string_view value);
void add_delete(std::string* rep, std::string_view key);

/// Appends the entries of `other` (a well-formed batch) after those of `rep`, in order: one
/// batch that applies both at once. Its sequence stays `rep`'s.
/// REQUIRES: count(*rep) + count(other) fits in 32 bits.
void append(std::string* rep, std::string_view other);

std::uint32_t count(std::string_view rep);
sequence_number sequence(std::string_view rep);
/// REQUIRES: rep->size() >= header_size.
void set_sequence(std::string* rep, sequence_number seq);

/// Receives a batch's entries in order.
class handler {
 public:
  virtual ~handler() = default;
  virtual void put(sequence_number seq, std::string_view key, std::string_view value) = 0;
  virtual void remove(sequence_number seq, std::string_view key) = 0;
};

/// Calls `h` for each entry; corruption (naming the entry) when the encoding is damaged or the
/// count does not match. `h` may have seen some entries when it fails: check with `validate`
/// first when that matters.
status for_each(std::string_view rep, handler& h);

/// Checks the whole encoding without side effects.
status validate(std::string_view rep);

}  // namespace kepler::storage::batch
