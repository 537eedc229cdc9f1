#pragma once
// kepler::iterator — an ordered walk over a store's keys, both ways (db::new_iterator).
//
//   auto it = store->new_iterator();
//   for (it->seek("user:"); it->valid() && it->key().substr(0, 5) == "user:"; it->next())
//     use(it->key(), it->value());
//   if (auto ok = it->status(); !ok) report(ok.error());
//
// An iterator sees the store as of one moment (the sequence of its read_options::snapshot, or
// the last acknowledged write when it was made): later writes never show. It keeps alive the
// memtables and table files it reads, so hold it no longer than needed (compaction cannot
// reclaim the files meanwhile). Not thread-safe: one thread at a time per iterator. Destroy
// every iterator before closing its store; one used after close() reads what it had pinned.

#include <string_view>

#include <caf/expected.hpp>

namespace kepler {

class iterator {
 public:
  virtual ~iterator() = default;

  /// True while positioned on a key; false past either end, outside the bounds, before the
  /// first positioning call, and after an error (then status() says which).
  virtual bool valid() const = 0;
  /// The first key (at or after read_options::lower_bound).
  virtual void seek_to_first() = 0;
  /// The last key (below read_options::upper_bound).
  virtual void seek_to_last() = 0;
  /// The first key at or after `target`.
  virtual void seek(std::string_view target) = 0;
  /// The last key at or before `target`.
  virtual void seek_for_prev(std::string_view target) = 0;
  /// REQUIRES: valid().
  virtual void next() = 0;
  /// REQUIRES: valid().
  virtual void prev() = 0;
  /// REQUIRES: valid(). The views stay valid until the iterator moves or is destroyed.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  /// Success while no error was met. Errors: ec::corruption naming the table file and offset
  /// of damaged data, ec::io_error when a read failed, ec::out_of_memory.
  virtual caf::expected<void> status() const = 0;
};

}  // namespace kepler
