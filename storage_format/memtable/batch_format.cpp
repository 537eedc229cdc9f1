#include "storage_format/memtable/batch_format.hpp"

#include <cassert>
#include <limits>

#include "storage_format/util/coding.hpp"

namespace kepler::storage::batch {

namespace {

constexpr std::size_t sequence_offset = 0;
constexpr std::size_t count_offset = 8;

enum class entry_tag : std::uint8_t {
  remove = 0,
  put = 1,
};

void set_count(std::string* rep, std::uint32_t n) {
  encode_fixed32(&(*rep)[count_offset], n);
}

std::string at(std::uint32_t index, std::size_t offset) {
  return "batch entry " + std::to_string(index) + " at offset " + std::to_string(offset);
}

// Accepts a handler it may leave untouched, so validate and for_each share the one parser and
// cannot disagree on what a well-formed batch is.
status parse(std::string_view rep, handler* h) {
  if (rep.size() < header_size) {
    return status::corruption("batch header truncated: " + std::to_string(rep.size()) +
                              " bytes, need " + std::to_string(header_size));
  }
  const sequence_number first = decode_fixed64(rep.data() + sequence_offset);
  const std::uint32_t expected = decode_fixed32(rep.data() + count_offset);
  // Each entry takes its own sequence number; a count that would run past the largest one
  // cannot come from a writer that assigned them.
  if (expected > 0 && (first > max_sequence_number || expected - 1 > max_sequence_number - first)) {
    return status::corruption("batch sequence " + std::to_string(first) + " with " +
                              std::to_string(expected) + " entries exceeds the largest sequence");
  }

  std::string_view input = rep.substr(header_size);
  std::uint32_t found = 0;
  while (!input.empty()) {
    const std::size_t offset = rep.size() - input.size();
    if (found == expected) {
      return status::corruption(at(found, offset) + ": bytes after the " +
                                std::to_string(expected) + " entries the count announces");
    }
    const auto tag = static_cast<std::uint8_t>(input.front());
    input.remove_prefix(1);
    std::string_view key;
    if (!get_length_prefixed(&input, &key)) {
      return status::corruption(at(found, offset) + ": truncated or malformed key");
    }
    const sequence_number seq = first + found;
    if (tag == static_cast<std::uint8_t>(entry_tag::put)) {
      std::string_view value;
      if (!get_length_prefixed(&input, &value)) {
        return status::corruption(at(found, offset) + ": truncated or malformed value");
      }
      if (h != nullptr) h->put(seq, key, value);
    } else if (tag == static_cast<std::uint8_t>(entry_tag::remove)) {
      if (h != nullptr) h->remove(seq, key);
    } else {
      return status::corruption(at(found, offset) + ": unknown entry type " + std::to_string(tag));
    }
    ++found;
  }
  if (found != expected) {
    return status::corruption(at(found, rep.size()) + ": missing; the count announces " +
                              std::to_string(expected) + " entries, the batch ends after " +
                              std::to_string(found));
  }
  return status::ok();
}

void add_entry(std::string* rep, entry_tag tag) {
  const std::uint32_t n = count(*rep);
  assert(n < std::numeric_limits<std::uint32_t>::max());
  set_count(rep, n + 1);
  rep->push_back(static_cast<char>(tag));
}

}  // namespace

std::string make_empty() {
  return std::string(header_size, '\0');
}

void clear(std::string* rep) {
  rep->assign(header_size, '\0');
}

void add_put(std::string* rep, std::string_view key, std::string_view value) {
  add_entry(rep, entry_tag::put);
  put_length_prefixed(rep, key);
  put_length_prefixed(rep, value);
}

void append(std::string* rep, std::string_view other) {
  const std::uint64_t n = std::uint64_t{count(*rep)} + count(other);
  assert(n <= std::numeric_limits<std::uint32_t>::max());
  set_count(rep, static_cast<std::uint32_t>(n));
  rep->append(other.substr(header_size));
}

void add_delete(std::string* rep, std::string_view key) {
  add_entry(rep, entry_tag::remove);
  put_length_prefixed(rep, key);
}

std::uint32_t count(std::string_view rep) {
  if (rep.size() < header_size) return 0;
  return decode_fixed32(rep.data() + count_offset);
}

sequence_number sequence(std::string_view rep) {
  if (rep.size() < header_size) return 0;
  return decode_fixed64(rep.data() + sequence_offset);
}

void set_sequence(std::string* rep, sequence_number seq) {
  assert(rep->size() >= header_size);
  encode_fixed64(&(*rep)[sequence_offset], seq);
}

status for_each(std::string_view rep, handler& h) {
  return parse(rep, &h);
}

status validate(std::string_view rep) {
  return parse(rep, nullptr);
}

}  // namespace kepler::storage::batch
