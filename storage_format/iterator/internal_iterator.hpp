#pragma once
// The one iterator interface every sorted source of internal keys implements (memtables, table
// blocks, tables, levels of tables, and the merge of them all), so that reads, range scans and
// compaction compose them freely. LevelDB's iterator.h plays this role. Keys are internal keys
// (internal_key.hpp): user key ascending, then sequence descending.
//
// An iterator is not thread-safe; any number may read the same source at once.

#include <string_view>

#include "storage_format/util/status.hpp"

namespace kepler::storage {

class internal_iterator {
 public:
  virtual ~internal_iterator() = default;

  /// False at either end, before the first positioning call, and after an error.
  virtual bool valid() const = 0;
  virtual void seek_to_first() = 0;
  virtual void seek_to_last() = 0;
  /// The first entry at or after the internal key `target`. REQUIRES: target has a tag.
  virtual void seek(std::string_view target) = 0;
  /// REQUIRES: valid().
  virtual void next() = 0;
  /// REQUIRES: valid().
  virtual void prev() = 0;
  /// REQUIRES: valid(). The views stay valid until the iterator moves or is destroyed.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  /// The error that stopped the iterator (corruption naming the file and offset, or I/O); ok
  /// while it has met none. An iterator stays invalid after an error until it is positioned
  /// again.
  virtual status state() const = 0;
};

}  // namespace kepler::storage
