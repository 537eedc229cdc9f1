#include "storage_format/iterator/db_iterator.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "storage_format/util/coding.hpp"

namespace kepler::storage {

namespace {

constexpr std::size_t tag_bytes = 8;

// A value saved while going backward keeps its buffer for the next one, unless the buffer has
// grown this much beyond what is needed: one huge value must not pin its memory for the scan.
constexpr std::size_t max_spare_value_bytes = std::size_t{1} << 20;

std::string_view user_key_of(std::string_view internal_key) {
  return internal_key.substr(0, internal_key.size() - tag_bytes);
}

std::string printable(std::string_view bytes) {
  constexpr std::size_t max_shown = 64;
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  if (bytes.size() > max_shown) out += "...";
  return out;
}

}  // namespace

db_iterator::db_iterator(std::unique_ptr<internal_iterator> input, sequence_number sequence,
                         std::optional<std::string> lower_bound,
                         std::optional<std::string> upper_bound)
    : input_(std::move(input)),
      sequence_(sequence),
      lower_(std::move(lower_bound)),
      upper_(std::move(upper_bound)) {
  assert(input_ != nullptr);
}

std::string_view db_iterator::key() const {
  assert(valid_);
  return direction_ == direction::forward ? user_key_of(input_->key())
                                          : std::string_view(saved_key_);
}

std::string_view db_iterator::value() const {
  assert(valid_);
  return direction_ == direction::forward ? input_->value() : std::string_view(saved_value_);
}

status db_iterator::state() const {
  if (!status_.is_ok()) return status_;
  return input_->state();
}

void db_iterator::stop() {
  valid_ = false;
  saved_key_.clear();
  saved_value_.clear();
}

void db_iterator::save_value(std::string_view value) {
  if (saved_value_.capacity() > value.size() + max_spare_value_bytes) {
    std::string().swap(saved_value_);
  }
  saved_value_.assign(value.data(), value.size());
}

bool db_iterator::parse_input(parsed_internal_key* out) {
  if (parse_internal_key(input_->key(), out)) return true;
  status_ = status::corruption(
      "malformed internal key in the store's sorted data: \"" + printable(input_->key()) + "\" (" +
      std::to_string(input_->key().size()) + " bytes) has no valid sequence and type tag");
  stop();
  return false;
}

void db_iterator::seek_input(std::string_view user_key, sequence_number sequence, bool past) {
  seek_target_.assign(user_key.data(), user_key.size());
  // The least user key after `user_key` is `user_key` followed by a zero byte.
  if (past) seek_target_.push_back('\0');
  put_fixed64(&seek_target_,
              pack_tag(std::min(sequence, max_sequence_number), value_type_for_seek));
  input_->seek(seek_target_);
  note_step();
}

void db_iterator::seek_to_first() {
  if (lower_.has_value()) {
    seek(*lower_);
    return;
  }
  status_ = status::ok();
  direction_ = direction::forward;
  input_->seek_to_first();
  note_step();
  find_next_user_entry(false);
}

void db_iterator::seek(std::string_view user_key) {
  status_ = status::ok();
  direction_ = direction::forward;
  if (before_lower(user_key)) user_key = *lower_;
  // As of sequence_: the seek lands past every newer version of the key.
  seek_input(user_key, sequence_, false);
  find_next_user_entry(false);
}

void db_iterator::seek_input_before(std::string_view user_key, bool past) {
  seek_input(user_key, max_sequence_number, past);
  if (input_->valid()) {
    input_->prev();
    note_step();
  } else if (input_->state().is_ok()) {
    // Every entry is before the target.
    input_->seek_to_last();
    note_step();
  }
}

void db_iterator::seek_to_last() {
  status_ = status::ok();
  direction_ = direction::reverse;
  if (upper_.has_value()) {
    seek_input_before(*upper_, false);
  } else {
    input_->seek_to_last();
    note_step();
  }
  find_prev_user_entry();
}

void db_iterator::seek_for_prev(std::string_view user_key) {
  if (after_upper(user_key)) {
    seek_to_last();
    return;
  }
  status_ = status::ok();
  direction_ = direction::reverse;
  seek_input_before(user_key, true);
  find_prev_user_entry();
}

void db_iterator::next() {
  assert(valid_);
  if (direction_ == direction::reverse) {
    direction_ = direction::forward;
    // The input sits before the current key's entries (or before the first entry): step into
    // them; saved_key_ already holds the key to skip.
    if (input_->valid()) {
      input_->next();
    } else {
      input_->seek_to_first();
    }
    note_step();
  } else {
    // Moving the input invalidates the current key's view, and its older versions must be
    // skipped: this is the copy that cannot be avoided.
    const std::string_view current = user_key_of(input_->key());
    saved_key_.assign(current.data(), current.size());
    input_->next();
    note_step();
  }
  find_next_user_entry(true);
}

void db_iterator::prev() {
  assert(valid_);
  if (direction_ == direction::forward) {
    // Back up over every version of the current key (the newer, invisible ones too), to sit
    // before them as the backward direction expects.
    const std::string_view current = user_key_of(input_->key());
    saved_key_.assign(current.data(), current.size());
    for (;;) {
      input_->prev();
      note_step();
      if (!input_->valid()) {
        stop();
        return;
      }
      parsed_internal_key ikey;
      if (!parse_input(&ikey)) return;
      if (ikey.user_key < std::string_view(saved_key_)) break;
    }
    direction_ = direction::reverse;
  }
  find_prev_user_entry();
}

void db_iterator::find_next_user_entry(bool skipping) {
  assert(direction_ == direction::forward);
  for (; input_->valid(); input_->next(), note_step()) {
    parsed_internal_key ikey;
    if (!parse_input(&ikey)) return;
    // The bound ends the scan here, whatever follows it.
    if (after_upper(ikey.user_key)) break;
    if (ikey.sequence > sequence_) continue;
    // Versions of a key are newest first: the first visible one decides it, and the key's older
    // versions after it are skipped.
    if (skipping && ikey.user_key <= std::string_view(saved_key_)) continue;
    if (ikey.type == value_type::value) {
      valid_ = true;
      return;
    }
    saved_key_.assign(ikey.user_key.data(), ikey.user_key.size());
    skipping = true;
  }
  stop();
}

void db_iterator::find_prev_user_entry() {
  assert(direction_ == direction::reverse);
  // Backward, a key's versions come oldest first: the last visible one seen before the key
  // changes is its newest. `pending` says whether that is a value (saved) or a deletion.
  bool pending = false;
  for (; input_->valid(); input_->prev(), note_step()) {
    parsed_internal_key ikey;
    if (!parse_input(&ikey)) return;
    if (before_lower(ikey.user_key)) break;
    if (ikey.sequence > sequence_) continue;
    if (pending && ikey.user_key < std::string_view(saved_key_)) break;
    if (ikey.type == value_type::deletion) {
      pending = false;
      saved_key_.clear();
      saved_value_.clear();
      continue;
    }
    pending = true;
    if (ikey.user_key != std::string_view(saved_key_)) {
      saved_key_.assign(ikey.user_key.data(), ikey.user_key.size());
    }
    save_value(input_->value());
  }
  // An input that stopped on an error may not have shown the newest version yet.
  if (!pending || (!input_->valid() && !input_->state().is_ok())) {
    stop();
    return;
  }
  valid_ = true;
}

}  // namespace kepler::storage
