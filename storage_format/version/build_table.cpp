#include "storage_format/version/build_table.hpp"

#include <algorithm>
#include <memory>
#include <string_view>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/table_builder.hpp"
#include "storage_format/util/kill_point.hpp"
#include "storage_format/version/file_names.hpp"

namespace kepler::storage {

namespace {

// The error of a failed flush, naming `path` when the file system's message does not already.
status naming(const status& s, const std::string& path) {
  if (s.message().find(path) != std::string::npos) return s;
  const std::string msg = path + ": " + s.message();
  switch (s.code()) {
    case status_code::invalid_argument:
      return status::invalid_argument(msg);
    case status_code::corruption:
      return status::corruption(msg);
    default:
      return status::io_error(msg);
  }
}

// Writes every entry and fills *out; the caller removes the file when this fails.
status write_table(file_system& fs, const std::string& dir, const std::string& path,
                   const table_options& options, memtable::iterator& it, file_meta* out) {
  std::unique_ptr<writable_file> file;
  KEPLER_RETURN_IF_ERROR(fs.new_writable_file(path, &file));
  table_builder builder(options, file.get());
  std::string_view last;
  for (; it.valid(); it.next()) {
    const std::string_view key = it.internal_key();
    parsed_internal_key parsed;
    if (!parse_internal_key(key, &parsed)) {
      return status::invalid_argument(path + ": memtable entry " +
                                      std::to_string(builder.entries()) +
                                      " is not an internal key");
    }
    if (builder.entries() == 0) {
      out->smallest.assign(key.data(), key.size());
      out->smallest_sequence = out->largest_sequence = parsed.sequence;
    }
    out->smallest_sequence = std::min(out->smallest_sequence, parsed.sequence);
    out->largest_sequence = std::max(out->largest_sequence, parsed.sequence);
    KEPLER_RETURN_IF_ERROR(builder.add(key, it.value()));
    last = key;  // the memtable's arena keeps it in place
  }
  out->largest.assign(last.data(), last.size());
  kill_points::reach(kill_points::after_table_write);
  KEPLER_RETURN_IF_ERROR(builder.finish());  // the rest of the table, then the file's sync
  KEPLER_RETURN_IF_ERROR(file->close());
  kill_points::reach(kill_points::after_table_sync);
  // The file's directory entry: a MANIFEST edit may name the file only once it is durable.
  if (status s = fs.sync_dir(dir); !s.is_ok())
    return status::io_error(path + ": syncing its directory: " + s.message());
  out->size = builder.file_size();
  return status::ok();
}

}  // namespace

status build_table(file_system& fs, const std::string& dir, const table_options& options,
                   const memtable& mem, std::uint64_t number, file_meta* out) {
  *out = file_meta{};
  out->number = number;
  memtable::iterator it(&mem);
  it.seek_to_first();
  if (!it.valid()) return status::ok();  // nothing to write: no file
  const std::string path = join_path(dir, table_file_name(number));
  status s = write_table(fs, dir, path, options, it, out);
  if (s.is_ok()) return s;
  // Best effort: a file left behind is named by no version, and recovery removes it.
  if (fs.exists(path)) (void)fs.remove_file(path);
  out->size = 0;
  return naming(s, path);
}

}  // namespace kepler::storage
