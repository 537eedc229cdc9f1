#include "storage_format/memtable/memtable.hpp"

#include <cassert>
#include <cstring>
#include <limits>

#include "storage_format/memtable/skiplist.hpp"
#include "storage_format/util/arena.hpp"
#include "storage_format/util/coding.hpp"

// Each entry is one arena allocation, pointed to by its skiplist node:
//   varint32 internal key length | user key | fixed64 tag | varint32 value length | value

namespace kepler::storage {

namespace {

constexpr std::size_t tag_size = 8;

// An entry starts with its length-prefixed internal key. Entries are our own well-formed
// allocations, so the varint is never longer than its maximum width.
std::string_view entry_internal_key(const char* entry) {
  std::uint32_t length = 0;
  const char* p = decode_varint32(entry, entry + max_varint32_bytes, &length);
  assert(p != nullptr);
  return {p, length};
}

std::string_view entry_value(const char* entry) {
  const std::string_view key = entry_internal_key(entry);
  const char* p = key.data() + key.size();
  std::uint32_t length = 0;
  p = decode_varint32(p, p + max_varint32_bytes, &length);
  assert(p != nullptr);
  return {p, length};
}

// Lookup keys use the same length-prefixed form as entries, so one comparator serves both.
void encode_lookup_key(std::string* dst, std::string_view internal_key) {
  dst->clear();
  put_length_prefixed(dst, internal_key);
}

struct entry_comparator {
  int operator()(const char* a, const char* b) const {
    return compare_internal_keys(entry_internal_key(a), entry_internal_key(b));
  }
};

using entry_list = skiplist<const char*, entry_comparator>;

}  // namespace

struct memtable::impl {
  arena memory;
  entry_list list{entry_comparator{}, &memory};
  // Only the writer changes it; readers may ask from other threads.
  std::atomic<std::size_t> entries{0};
};

memtable::memtable() : impl_(std::make_unique<impl>()) {}
memtable::~memtable() = default;

void memtable::add(sequence_number seq, value_type type, std::string_view key,
                   std::string_view value) {
  assert(seq <= max_sequence_number);
  // The length prefixes are varint32; the documented key and value limits are far below this.
  assert(key.size() <= std::numeric_limits<std::uint32_t>::max() - tag_size);
  assert(value.size() <= std::numeric_limits<std::uint32_t>::max());
  const auto internal_size = static_cast<std::uint32_t>(key.size() + tag_size);
  const auto value_size = static_cast<std::uint32_t>(value.size());
  const std::size_t total = static_cast<std::size_t>(varint_length(internal_size)) + internal_size +
                            static_cast<std::size_t>(varint_length(value_size)) + value_size;

  char* entry = impl_->memory.allocate(total);
  char* p = encode_varint32(entry, internal_size);
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  p += key.size();
  encode_fixed64(p, pack_tag(seq, type));
  p += tag_size;
  p = encode_varint32(p, value_size);
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  assert(p + value.size() == entry + total);

  impl_->list.insert(entry);
  impl_->entries.fetch_add(1, std::memory_order_relaxed);
}

memtable::lookup memtable::get(std::string_view key, sequence_number snapshot,
                               std::string* value) const {
  // A caller asking for "everything" may pass any larger number; the tag holds only 56 bits.
  if (snapshot > max_sequence_number) snapshot = max_sequence_number;
  std::string lookup_key;
  put_varint32(&lookup_key, static_cast<std::uint32_t>(key.size() + tag_size));
  append_internal_key(&lookup_key, key, snapshot, value_type_for_seek);

  entry_list::iterator it(&impl_->list);
  it.seek(lookup_key.data());
  if (!it.valid()) return lookup::absent;
  parsed_internal_key found;
  const bool parsed = parse_internal_key(entry_internal_key(it.key()), &found);
  assert(parsed);
  (void)parsed;
  if (found.user_key != key) return lookup::absent;
  if (found.type == value_type::deletion) return lookup::deleted;
  const std::string_view v = entry_value(it.key());
  value->assign(v.data(), v.size());
  return lookup::found;
}

std::size_t memtable::approximate_bytes() const {
  return impl_->memory.memory_usage();
}

std::size_t memtable::entry_count() const {
  return impl_->entries.load(std::memory_order_relaxed);
}

struct memtable::iterator::impl {
  explicit impl(const entry_list* list) : it(list) {}
  entry_list::iterator it;
  // Holds the encoded seek target only for the duration of a seek.
  std::string scratch;
};

memtable::iterator::iterator(const memtable* table)
    : impl_(std::make_unique<impl>(&table->impl_->list)) {}
memtable::iterator::~iterator() = default;

bool memtable::iterator::valid() const {
  return impl_->it.valid();
}
void memtable::iterator::seek_to_first() {
  impl_->it.seek_to_first();
}

void memtable::iterator::seek_to_last() {
  impl_->it.seek_to_last();
}

void memtable::iterator::seek(std::string_view internal_key_target) {
  encode_lookup_key(&impl_->scratch, internal_key_target);
  impl_->it.seek(impl_->scratch.data());
}

void memtable::iterator::next() {
  impl_->it.next();
}

void memtable::iterator::prev() {
  impl_->it.prev();
}

std::string_view memtable::iterator::internal_key() const {
  return entry_internal_key(impl_->it.key());
}

std::string_view memtable::iterator::value() const {
  return entry_value(impl_->it.key());
}

}  // namespace kepler::storage
