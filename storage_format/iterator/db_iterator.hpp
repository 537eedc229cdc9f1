#pragma once
// The user's view of an internal iterator: each user key once, as of a sequence number, with
// deleted keys hidden and optional bounds. Range scans of the store read through it. LevelDB's
// DBIter plays this role.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage_format/iterator/internal_iterator.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/status.hpp"

namespace kepler::storage {

/// Shows every user key of the input whose newest version at or below `sequence` is a value,
/// with that value, in ascending user-key order, both ways. Keys outside [lower_bound,
/// upper_bound) are never shown, and a scan never reads past a bound: going forward it stops at
/// the first entry whose user key is at or after upper_bound, backward at the first entry before
/// lower_bound, even when what lies beyond is only deletions. Not thread-safe.
///
/// Errors (state(), the iterator then invalid): corruption when an input key does not parse as
/// an internal key, and whatever error stops the input (corruption naming the file and offset,
/// io_error). A positioning call clears its own error and tries again.
class db_iterator {
 public:
  /// Reads `input` (taken; repositioned by every positioning call) as of `sequence`. Not valid
  /// until positioned.
  db_iterator(std::unique_ptr<internal_iterator> input, sequence_number sequence,
              std::optional<std::string> lower_bound, std::optional<std::string> upper_bound);
  db_iterator(const db_iterator&) = delete;
  db_iterator& operator=(const db_iterator&) = delete;

  /// False at either end, before the first positioning call, and after an error.
  bool valid() const { return valid_; }
  /// The first key (at or after lower_bound when there is one).
  void seek_to_first();
  /// The last key (before upper_bound when there is one).
  void seek_to_last();
  /// The first key at or after `user_key` (at or after lower_bound).
  void seek(std::string_view user_key);
  /// The last key at or before `user_key` (before upper_bound).
  void seek_for_prev(std::string_view user_key);
  /// REQUIRES: valid().
  void next();
  /// REQUIRES: valid().
  void prev();

  /// REQUIRES: valid(). The views stay valid until the iterator moves or is destroyed.
  std::string_view key() const;
  std::string_view value() const;

  /// The error that stopped the iteration; ok while there is none.
  status state() const;

  /// Input entries the iterator has stepped onto since it was made (every version, deletion and
  /// entry beyond a bound it looked at): what a scan cost.
  std::uint64_t entries_stepped() const { return entries_stepped_; }

 private:
  enum class direction { forward, reverse };

  /// Forward from the input's entry to the first visible value (with `skipping`, of a user key
  /// after saved_key_), stopping at the upper bound; the iterator's position.
  void find_next_user_entry(bool skipping);
  /// Backward from the input's entry through the versions of the key before it, to the last
  /// key whose newest visible version is a value, saved; stops at the lower bound.
  void find_prev_user_entry();
  /// The input's current entry, parsed; false (and the iterator stopped with corruption) when
  /// its key is malformed.
  bool parse_input(parsed_internal_key* out);
  /// Seeks the input to the first entry at or after `user_key` as of `sequence`; with `past`
  /// set, to the first entry of a user key after `user_key`.
  void seek_input(std::string_view user_key, sequence_number sequence, bool past);
  /// Positions the input at the last entry whose user key is before `user_key` (with `past`
  /// set: at or before it), where a backward scan starts.
  void seek_input_before(std::string_view user_key, bool past);
  void note_step() {
    if (input_->valid()) ++entries_stepped_;
  }
  void stop();
  void save_value(std::string_view value);
  bool after_upper(std::string_view user_key) const {
    return upper_.has_value() && user_key >= std::string_view(*upper_);
  }
  bool before_lower(std::string_view user_key) const {
    return lower_.has_value() && user_key < std::string_view(*lower_);
  }

  std::unique_ptr<internal_iterator> input_;
  const sequence_number sequence_;
  const std::optional<std::string> lower_;
  const std::optional<std::string> upper_;
  // Forward, the input sits at the current entry, which key() and value() read. Backward, it
  // sits before every entry of the current key, which is copied into saved_key_ and
  // saved_value_.
  direction direction_ = direction::forward;
  bool valid_ = false;
  // Backward: the current key. Forward: the key whose older versions are being skipped.
  std::string saved_key_;
  std::string saved_value_;
  std::string seek_target_;
  status status_;
  std::uint64_t entries_stepped_ = 0;
};

}  // namespace kepler::storage
