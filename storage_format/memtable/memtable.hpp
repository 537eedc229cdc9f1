#pragma once
// The in-memory write buffer: a skiplist of internal keys with their values, in an arena. One
// writer adds entries while any number of readers look up and iterate without locks; readers
// only see entries whose sequence is at or below the sequence they read at.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

class memtable {
 public:
  memtable();
  ~memtable();
  memtable(const memtable&) = delete;
  memtable& operator=(const memtable&) = delete;

  /// REQUIRES: a single writer at a time; (key, seq) not added before.
  void add(sequence_number seq, value_type type, std::string_view key, std::string_view value);

  enum class lookup { absent, found, deleted };
  /// The newest version of `key` with sequence <= `snapshot`. On `found`, `*value` holds it.
  lookup get(std::string_view key, sequence_number snapshot, std::string* value) const;

  /// Bytes of memory the entries occupy (arena blocks), a measure for sealing.
  std::size_t approximate_bytes() const;
  std::size_t entry_count() const;

  /// Iterates all entries (every version) in internal-key order, both ways; safe while the
  /// writer adds: an entry added meanwhile may or may not be seen, and the order stays right.
  /// The memtable must outlive the iterator. It never fails.
  class iterator {
   public:
    explicit iterator(const memtable* table);
    ~iterator();
    /// False at either end and before the first positioning call.
    bool valid() const;
    void seek_to_first();
    void seek_to_last();
    /// First entry at or after the internal key `target`.
    void seek(std::string_view internal_key_target);
    /// REQUIRES: valid().
    void next();
    /// REQUIRES: valid(). A search from the top for the last smaller entry (the skiplist has no
    /// back links), so a backward step costs O(log n) where a forward one is O(1).
    void prev();
    /// REQUIRES: valid(). Views into the memtable's arena: valid while the memtable lives.
    std::string_view internal_key() const;
    std::string_view value() const;

   private:
    struct impl;
    std::unique_ptr<impl> impl_;
  };

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace kepler::storage
