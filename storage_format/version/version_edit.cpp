#include "storage_format/version/version_edit.hpp"

#include "storage_format/util/coding.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::storage {

namespace {

// Field tags; never reuse or renumber one (stores written by older versions must open).
enum tag : std::uint32_t {
  tag_format_version = 1,
  tag_log_number = 2,
  tag_next_file_number = 3,
  tag_last_sequence = 4,
  // Format version 2: the files of the levels and the closed logs. May repeat in one edit.
  tag_new_file = 5,
  tag_deleted_file = 6,
  tag_closed_log = 7,
};

}  // namespace

void version_edit::encode(std::string* dst) const {
  if (format_version) {
    put_varint32(dst, tag_format_version);
    put_varint32(dst, *format_version);
  }
  if (log_number) {
    put_varint32(dst, tag_log_number);
    put_varint64(dst, *log_number);
  }
  if (next_file_number) {
    put_varint32(dst, tag_next_file_number);
    put_varint64(dst, *next_file_number);
  }
  if (last_sequence) {
    put_varint32(dst, tag_last_sequence);
    put_varint64(dst, *last_sequence);
  }
  for (const auto& d : deleted_files) {
    put_varint32(dst, tag_deleted_file);
    put_varint32(dst, static_cast<std::uint32_t>(d.level));
    put_varint64(dst, d.number);
  }
  for (const auto& n : new_files) {
    put_varint32(dst, tag_new_file);
    put_varint32(dst, static_cast<std::uint32_t>(n.level));
    put_varint64(dst, n.meta.number);
    put_varint64(dst, n.meta.size);
    put_length_prefixed(dst, n.meta.smallest);
    put_length_prefixed(dst, n.meta.largest);
    put_varint64(dst, n.meta.smallest_sequence);
    put_varint64(dst, n.meta.largest_sequence);
  }
  for (const auto& c : closed_logs) {
    put_varint32(dst, tag_closed_log);
    put_varint64(dst, c.number);
    put_varint64(dst, c.length);
  }
}

status version_edit::decode(std::string_view src, const std::string& where) {
  *this = version_edit{};
  auto bad = [&](const char* what) {
    return status::corruption(where + ": version edit: " + what);
  };
  while (!src.empty()) {
    std::uint32_t t = 0;
    if (!get_varint32(&src, &t)) return bad("truncated field tag");
    std::uint32_t v32 = 0;
    std::uint64_t v64 = 0;
    switch (t) {
      case tag_format_version:
        if (!get_varint32(&src, &v32)) return bad("truncated format version");
        format_version = v32;
        break;
      case tag_log_number:
        if (!get_varint64(&src, &v64)) return bad("truncated log number");
        log_number = v64;
        break;
      case tag_next_file_number:
        if (!get_varint64(&src, &v64)) return bad("truncated next file number");
        next_file_number = v64;
        break;
      case tag_last_sequence:
        if (!get_varint64(&src, &v64)) return bad("truncated last sequence");
        last_sequence = v64;
        break;
      case tag_new_file: {
        new_file n;
        std::uint32_t level = 0;
        std::string_view smallest, largest;
        if (!get_varint32(&src, &level) || !get_varint64(&src, &n.meta.number) ||
            !get_varint64(&src, &n.meta.size) || !get_length_prefixed(&src, &smallest) ||
            !get_length_prefixed(&src, &largest) ||
            !get_varint64(&src, &n.meta.smallest_sequence) ||
            !get_varint64(&src, &n.meta.largest_sequence))
          return bad("truncated new file");
        if (level >= static_cast<std::uint32_t>(num_levels))
          return bad("new file level out of range");
        // An internal key holds at least its 8-byte tag.
        if (smallest.size() < 8 || largest.size() < 8) return bad("new file key too short");
        n.level = static_cast<int>(level);
        n.meta.smallest = std::string(smallest);
        n.meta.largest = std::string(largest);
        new_files.push_back(std::move(n));
        break;
      }
      case tag_deleted_file: {
        deleted_file d;
        std::uint32_t level = 0;
        if (!get_varint32(&src, &level) || !get_varint64(&src, &d.number))
          return bad("truncated deleted file");
        if (level >= static_cast<std::uint32_t>(num_levels))
          return bad("deleted file level out of range");
        d.level = static_cast<int>(level);
        deleted_files.push_back(d);
        break;
      }
      case tag_closed_log: {
        closed_log c;
        if (!get_varint64(&src, &c.number) || !get_varint64(&src, &c.length))
          return bad("truncated closed log");
        closed_logs.push_back(c);
        break;
      }
      default:
        return bad(("unknown field tag " + std::to_string(t)).c_str());
    }
  }
  return status::ok();
}

void version_edit::merge(const version_edit& later) {
  if (later.format_version) format_version = later.format_version;
  if (later.log_number) log_number = later.log_number;
  if (later.next_file_number) next_file_number = later.next_file_number;
  if (later.last_sequence) last_sequence = later.last_sequence;
}

}  // namespace kepler::storage
