#include "storage_format/version/table_file_writer.hpp"

#include <algorithm>
#include <utility>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/kill_point.hpp"
#include "storage_format/version/file_names.hpp"

namespace kepler::storage {

namespace {

// The error of a failed table write, naming `path` when the file system's message does not
// already.
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

}  // namespace

table_file_writer::table_file_writer(file_system& fs, std::string dir, std::string path,
                                     std::uint64_t number)
    : fs_(fs), dir_(std::move(dir)), path_(std::move(path)) {
  meta_.number = number;
}

status table_file_writer::create(file_system& fs, const std::string& dir,
                                 const table_options& options, std::uint64_t number,
                                 std::unique_ptr<table_file_writer>* out) {
  std::unique_ptr<table_file_writer> w(
      new table_file_writer(fs, dir, join_path(dir, table_file_name(number)), number));
  if (status s = fs.new_writable_file(w->path_, &w->file_); !s.is_ok()) return naming(s, w->path_);
  w->builder_ = std::make_unique<table_builder>(options, w->file_.get());
  *out = std::move(w);
  return status::ok();
}

status table_file_writer::add(std::string_view internal_key, std::string_view value) {
  // The builder checks that the key parses and sorts after the last one.
  if (status s = builder_->add(internal_key, value); !s.is_ok()) return naming(s, path_);
  parsed_internal_key parsed;
  parse_internal_key(internal_key, &parsed);
  if (builder_->entries() == 1) {
    meta_.smallest.assign(internal_key.data(), internal_key.size());
    meta_.smallest_sequence = meta_.largest_sequence = parsed.sequence;
  }
  meta_.smallest_sequence = std::min(meta_.smallest_sequence, parsed.sequence);
  meta_.largest_sequence = std::max(meta_.largest_sequence, parsed.sequence);
  meta_.largest.assign(internal_key.data(), internal_key.size());
  return status::ok();
}

status table_file_writer::finish(kill_points_at kill) {
  kill_points::reach(kill.after_write);
  // The rest of the table, then the file's sync.
  if (status s = builder_->finish(); !s.is_ok()) return naming(s, path_);
  closed_ = true;  // a failed close is not retried: the file is to be abandoned
  if (status s = file_->close(); !s.is_ok()) return naming(s, path_);
  kill_points::reach(kill.after_sync);
  // The file's directory entry: a MANIFEST edit may name the file only once it is durable.
  if (status s = fs_.sync_dir(dir_); !s.is_ok())
    return status::io_error(path_ + ": syncing its directory: " + s.message());
  meta_.size = builder_->file_size();
  return status::ok();
}

void table_file_writer::abandon() {
  // Closing first: some file systems keep an open file's blocks until the last handle goes.
  if (!closed_) (void)file_->close();
  closed_ = true;
  if (fs_.exists(path_)) (void)fs_.remove_file(path_);
  meta_.size = 0;
}

}  // namespace kepler::storage
