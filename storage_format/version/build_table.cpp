#include "storage_format/version/build_table.hpp"

#include <memory>

#include "storage_format/util/kill_point.hpp"
#include "storage_format/version/table_file_writer.hpp"

namespace kepler::storage {

namespace {

constexpr table_file_writer::kill_points_at flush_kill_points{kill_points::after_table_write,
                                                              kill_points::after_table_sync};

// Adds every entry and finishes the table; the caller abandons the writer when this fails.
status write_entries(table_file_writer& writer, memtable::iterator& it) {
  // A key that does not parse or is out of order is a bug in the memtable: the writer's
  // invalid_argument says so, naming the file.
  for (; it.valid(); it.next()) KEPLER_RETURN_IF_ERROR(writer.add(it.internal_key(), it.value()));
  return writer.finish(flush_kill_points);
}

}  // namespace

status build_table(file_system& fs, const std::string& dir, const table_options& options,
                   const memtable& mem, std::uint64_t number, file_meta* out) {
  *out = file_meta{};
  out->number = number;
  memtable::iterator it(&mem);
  it.seek_to_first();
  if (!it.valid()) return status::ok();  // nothing to write: no file
  std::unique_ptr<table_file_writer> writer;
  KEPLER_RETURN_IF_ERROR(table_file_writer::create(fs, dir, options, number, &writer));
  if (status s = write_entries(*writer, it); !s.is_ok()) {
    writer->abandon();
    return s;
  }
  *out = writer->meta();
  return status::ok();
}

}  // namespace kepler::storage
