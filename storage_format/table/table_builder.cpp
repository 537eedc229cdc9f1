#include "storage_format/table/table_builder.hpp"

#include <algorithm>
#include <cassert>

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

namespace {

// Index entries are few and looked up by binary search once decoded (table_reader), so every
// key is stored whole.
constexpr int index_restart_interval = 1;
constexpr std::size_t tag_bytes = 8;
constexpr std::uint8_t max_byte = 0xff;

std::string shortened_key(std::string_view user_key_prefix, std::uint8_t last_byte) {
  std::string out(user_key_prefix.data(), user_key_prefix.size());
  out.push_back(static_cast<char>(last_byte));
  // The smallest internal key of that user key: after every version of a smaller user key.
  std::string key;
  append_internal_key(&key, out, max_sequence_number, value_type_for_seek);
  return key;
}

}  // namespace

std::string index_separator(std::string_view last, std::string_view next) {
  const std::string_view a = last.substr(0, last.size() - tag_bytes);
  const std::string_view b = next.substr(0, next.size() - tag_bytes);
  std::size_t common = 0;
  const std::size_t limit = std::min(a.size(), b.size());
  while (common < limit && a[common] == b[common]) ++common;
  // Only worth it when it drops bytes of `a`; `a` must not be a prefix of `b` for a bump to exist.
  if (common + 1 < a.size() && common < limit) {
    const auto byte = static_cast<std::uint8_t>(a[common]);
    if (byte < max_byte && byte + 1 < static_cast<std::uint8_t>(b[common])) {
      return shortened_key(a.substr(0, common), static_cast<std::uint8_t>(byte + 1));
    }
  }
  return std::string(last);
}

std::string index_successor(std::string_view last) {
  const std::string_view a = last.substr(0, last.size() - tag_bytes);
  for (std::size_t i = 0; i + 1 < a.size(); ++i) {
    const auto byte = static_cast<std::uint8_t>(a[i]);
    if (byte != max_byte) return shortened_key(a.substr(0, i), static_cast<std::uint8_t>(byte + 1));
  }
  return std::string(last);
}

table_builder::table_builder(const table_options& options, writable_file* file)
    : options_(options),
      file_(file),
      data_block_(options.restart_interval),
      index_block_(index_restart_interval),
      compressor_(options.compression, options.zstd_level) {
  assert(options.block_bytes >= 1 && options.restart_interval >= 1 &&
         options.bloom_bits_per_key >= 0);
  if (options.bloom_bits_per_key > 0) {
    filter_ = std::make_unique<bloom_filter_builder>(options.bloom_bits_per_key);
  }
}

table_builder::~table_builder() = default;

status table_builder::add(std::string_view internal_key, std::string_view value) {
  if (!status_) return status_;
  if (finished_) return status::invalid_argument(file_->path() + ": add after finish");
  parsed_internal_key parsed;
  if (!parse_internal_key(internal_key, &parsed)) {
    status_ = status::invalid_argument(file_->path() + ": not an internal key (" +
                                       std::to_string(internal_key.size()) + " bytes)");
    return status_;
  }
  if (props_.entries > 0 && compare_internal_keys(last_key_, internal_key) >= 0) {
    status_ = status::invalid_argument(file_->path() + ": key added out of order (entry " +
                                       std::to_string(props_.entries) + ")");
    return status_;
  }
  if (pending_index_entry_) {
    std::string handle;
    pending_handle_.encode_to(&handle);
    index_block_.add(index_separator(last_key_, internal_key), handle);
    pending_index_entry_ = false;
  }
  if (filter_) filter_->add_key(parsed.user_key);

  if (props_.entries == 0) {
    props_.smallest_key.assign(internal_key.data(), internal_key.size());
    props_.min_sequence = props_.max_sequence = parsed.sequence;
  }
  props_.min_sequence = std::min(props_.min_sequence, parsed.sequence);
  props_.max_sequence = std::max(props_.max_sequence, parsed.sequence);
  ++props_.entries;
  if (parsed.type == value_type::deletion) ++props_.deletions;
  props_.raw_key_bytes += internal_key.size();
  props_.raw_value_bytes += value.size();
  last_key_.assign(internal_key.data(), internal_key.size());

  data_block_.add(internal_key, value);
  if (data_block_.size_estimate() >= options_.block_bytes) return flush_data_block();
  return status::ok();
}

status table_builder::write_block(std::string_view contents, block_kind kind, block_handle* handle,
                                  block_codec codec) {
  handle->offset = offset_;
  handle->size = contents.size();
  write_buffer_.clear();
  append_block(&write_buffer_, contents, kind, codec);
  status s = file_->append(write_buffer_);
  if (!s) {
    status_ = s;
    return s;
  }
  offset_ += write_buffer_.size();
  return status::ok();
}

status table_builder::flush_data_block() {
  if (data_block_.empty()) return status::ok();
  const std::string_view raw = data_block_.finish();
  props_.largest_data_block = std::max<std::uint64_t>(props_.largest_data_block, raw.size());
  const block_codec codec = compressor_.compress(raw, &compressed_);
  if (codec != block_codec::none) {
    KEPLER_RETURN_IF_ERROR(write_block(compressed_, block_kind::data, &pending_handle_, codec));
    ++props_.compressed_blocks;
  } else {
    KEPLER_RETURN_IF_ERROR(write_block(raw, block_kind::data, &pending_handle_));
    if (compressor_.codec() != block_codec::none) ++props_.raw_kept_blocks;
  }
  data_block_.reset();
  pending_index_entry_ = true;
  ++props_.data_blocks;
  return status::ok();
}

status table_builder::finish() {
  if (!status_) return status_;
  if (finished_) return status::invalid_argument(file_->path() + ": finish called twice");
  finished_ = true;
  KEPLER_RETURN_IF_ERROR(flush_data_block());
  if (pending_index_entry_) {
    std::string handle;
    pending_handle_.encode_to(&handle);
    index_block_.add(index_successor(last_key_), handle);
    pending_index_entry_ = false;
  }
  props_.largest_key = last_key_;

  footer f;
  if (filter_)
    KEPLER_RETURN_IF_ERROR(write_block(filter_->finish(), block_kind::filter, &f.filter));
  std::string props;
  props_.encode_to(&props);
  KEPLER_RETURN_IF_ERROR(write_block(props, block_kind::properties, &f.properties));
  KEPLER_RETURN_IF_ERROR(write_block(index_block_.finish(), block_kind::index, &f.index));

  std::string tail;
  f.encode_to(&tail);
  status s = file_->append(tail);
  if (s) s = file_->sync();
  if (!s) {
    status_ = s;
    return s;
  }
  offset_ += tail.size();
  return status::ok();
}

}  // namespace kepler::storage
