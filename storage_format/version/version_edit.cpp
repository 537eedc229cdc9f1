#include "storage_format/version/version_edit.hpp"

#include "storage_format/util/coding.hpp"

namespace kepler::storage {

namespace {

// Field tags; never reuse or renumber one (stores written by older versions must open).
enum tag : std::uint32_t {
  tag_format_version = 1,
  tag_log_number = 2,
  tag_next_file_number = 3,
  tag_last_sequence = 4,
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
