#include "storage_format/version/recovery.hpp"

#include <algorithm>
#include <vector>

#include "storage_format/log/log_reader.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/apply_batch.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/version_edit.hpp"

namespace kepler::storage {

namespace {

// Entries an interrupted creation can leave behind: such a directory still counts as empty.
bool is_creation_leftover(const std::string& name) {
  std::uint64_t number = 0;
  auto kind = parse_file_name(name, &number);
  return kind == file_kind::lock || kind == file_kind::manifest || kind == file_kind::temp;
}

// Lists `dir` into `*names` and refuses it unless it holds a store (and error_if_exists is
// off) or may become one (empty but for a creation's leftovers, and create_if_missing on).
status check_is_store_or_empty(file_system& fs, const std::string& dir,
                               const recovery_options& opts, std::vector<std::string>* names) {
  KEPLER_RETURN_IF_ERROR(fs.list_dir(dir, names));
  bool has_current = std::find(names->begin(), names->end(), current_file_name) != names->end();
  if (has_current) {
    if (opts.error_if_exists)
      return status::already_exists(dir + ": a KeplerDB store exists here (error_if_exists)");
    return status::ok();
  }
  if (!opts.create_if_missing)
    return status::not_found(dir + ": not a KeplerDB store (no CURRENT file) and " +
                             "create_if_missing is false");
  for (const auto& name : *names)
    if (!is_creation_leftover(name))
      return status::not_found(dir + ": not a KeplerDB store (no CURRENT file) and not empty ('" +
                               name + "'): refusing to create a store over existing files");
  return status::ok();
}

// Writes the first MANIFEST and CURRENT; only then is the directory a store.
status create_store(file_system& fs, const std::string& dir) {
  constexpr std::uint64_t first_manifest = 1;
  version_edit edit;
  edit.format_version = current_format_version;
  edit.log_number = first_manifest + 1;
  edit.next_file_number = first_manifest + 2;
  edit.last_sequence = 0;
  std::string record;
  edit.encode(&record);
  auto manifest_path = join_path(dir, manifest_file_name(first_manifest));
  std::unique_ptr<writable_file> file;
  KEPLER_RETURN_IF_ERROR(fs.new_writable_file(manifest_path, &file));
  log::writer writer(file.get());
  KEPLER_RETURN_IF_ERROR(writer.append_record(record));
  KEPLER_RETURN_IF_ERROR(file->sync());
  KEPLER_RETURN_IF_ERROR(file->close());
  return write_file_atomically(fs, dir, current_file_name,
                               manifest_file_name(first_manifest) + "\n");
}

status read_current(file_system& fs, const std::string& dir, std::uint64_t* manifest_number) {
  std::string contents;
  auto path = join_path(dir, current_file_name);
  KEPLER_RETURN_IF_ERROR(read_file_to_string(fs, path, &contents));
  if (contents.empty() || contents.back() != '\n')
    return status::corruption(path + ": CURRENT does not end with a newline");
  contents.pop_back();
  if (parse_file_name(contents, manifest_number) != file_kind::manifest)
    return status::corruption(path + ": CURRENT names '" + contents + "', not a MANIFEST");
  return status::ok();
}

// A log's drops are fine only as a torn tail: damage with a valid record after it is
// corruption, and a failed read is an I/O error wherever it is (the bytes may be intact, and
// treating them as a tail would lose acknowledged writes).
status check_drops(const log::reader& reader, const std::string& path) {
  for (const auto& d : reader.drops())
    if (d.reason == log::drop_reason::read_error)
      return status::io_error(path + ": offset " + std::to_string(d.offset) +
                              ": the log could not be read");
  if (!reader.damage_only_at_tail()) return status::corruption(reader.describe_first_drop());
  return status::ok();
}

// Applies every record of the MANIFEST. A torn tail is the end of a crash; damage before it is
// corruption.
status replay_manifest(file_system& fs, const std::string& path, version_edit* state) {
  std::unique_ptr<readable_file> file;
  auto opened = fs.new_readable_file(path, &file);
  if (opened.code() == status_code::not_found)
    return status::corruption(path + ": CURRENT names this MANIFEST, but it is missing");
  KEPLER_RETURN_IF_ERROR(opened);
  log::reader reader(file.get());
  std::string record;
  std::uint64_t offset = 0;
  while (reader.read_record(&record, &offset)) {
    version_edit edit;
    KEPLER_RETURN_IF_ERROR(edit.decode(record, path + ": offset " + std::to_string(offset)));
    state->merge(edit);
  }
  KEPLER_RETURN_IF_ERROR(check_drops(reader, path));
  if (!state->format_version || !state->log_number || !state->next_file_number)
    return status::corruption(path + ": MANIFEST lacks the format version or file numbers");
  if (*state->format_version > current_format_version)
    return status::not_supported(path + ": store format version " +
                                 std::to_string(*state->format_version) +
                                 " was written by a newer KeplerDB (this one reads up to " +
                                 std::to_string(current_format_version) + ")");
  return status::ok();
}

// Replays one log into `out->mem`. Each log was the newest one at some crash, so a torn tail
// is expected in any of them; damage with a valid record after it is corruption.
status replay_log(file_system& fs, const std::string& path, sequence_number* replayed_last,
                  recovered_store* out) {
  std::unique_ptr<readable_file> file;
  KEPLER_RETURN_IF_ERROR(fs.new_readable_file(path, &file));
  log::reader reader(file.get());
  std::string record;
  std::uint64_t offset = 0;
  while (reader.read_record(&record, &offset)) {
    auto where = path + ": record at offset " + std::to_string(offset);
    if (record.size() < batch::header_size)
      return status::corruption(where + ": too short for a write batch");
    auto s = batch::validate(record);
    if (!s.is_ok()) return status::corruption(where + ": " + s.message());
    auto first = batch::sequence(record);
    auto n = batch::count(record);
    if (n == 0) continue;
    // Sequences only grow along the logs; a record at or below what was replayed would let an
    // older value win, so it is damage, not data.
    if (first <= *replayed_last)
      return status::corruption(where + ": sequence " + std::to_string(first) +
                                " does not follow " + std::to_string(*replayed_last));
    KEPLER_RETURN_IF_ERROR(apply_batch(record, out->mem.get()));
    *replayed_last = first + n - 1;
    ++out->stats.records_replayed;
    out->stats.entries_replayed += n;
  }
  KEPLER_RETURN_IF_ERROR(check_drops(reader, path));
  for (const auto& d : reader.drops()) out->stats.torn_tail_bytes += d.bytes;
  ++out->stats.logs_replayed;
  return status::ok();
}

}  // namespace

status recover_store(file_system& fs, const std::string& dir, const recovery_options& opts,
                     recovered_store* out) {
  if (dir.empty()) return status::invalid_argument("the store's directory path is empty");
  // Refuse what is not (and may not become) a store before touching anything: no directory is
  // created and no LOCK file written in a place that is not ours.
  std::vector<std::string> names;
  if (!fs.exists(dir)) {
    if (!opts.create_if_missing)
      return status::not_found(dir + ": not a KeplerDB store (the directory does not exist) " +
                               "and create_if_missing is false");
    KEPLER_RETURN_IF_ERROR(fs.create_dir(dir));
  }
  KEPLER_RETURN_IF_ERROR(check_is_store_or_empty(fs, dir, opts, &names));
  KEPLER_RETURN_IF_ERROR(fs.lock_file(join_path(dir, lock_file_name), &out->lock));
  // Another opener may have created the store between the first look and the lock: look again
  // now that we hold it.
  KEPLER_RETURN_IF_ERROR(check_is_store_or_empty(fs, dir, opts, &names));
  bool has_current = std::find(names.begin(), names.end(), current_file_name) != names.end();
  if (!has_current) {
    KEPLER_RETURN_IF_ERROR(create_store(fs, dir));
    out->stats.created = true;
  }

  std::uint64_t old_manifest = 0;
  KEPLER_RETURN_IF_ERROR(read_current(fs, dir, &old_manifest));
  version_edit state;
  KEPLER_RETURN_IF_ERROR(
      replay_manifest(fs, join_path(dir, manifest_file_name(old_manifest)), &state));
  out->last_sequence = state.last_sequence.value_or(0);

  // Replay every log the MANIFEST still needs, oldest first; later numbers never reuse earlier
  // ones, so file numbers seen on disk also bound the next number.
  KEPLER_RETURN_IF_ERROR(fs.list_dir(dir, &names));
  std::vector<std::uint64_t> logs;
  std::uint64_t next_file = *state.next_file_number;
  for (const auto& name : names) {
    std::uint64_t number = 0;
    auto kind = parse_file_name(name, &number);
    if (kind == file_kind::log || kind == file_kind::manifest || kind == file_kind::table)
      next_file = std::max(next_file, number + 1);
    if (kind == file_kind::log && number >= *state.log_number) logs.push_back(number);
  }
  std::sort(logs.begin(), logs.end());
  out->mem = std::make_shared<memtable>();
  sequence_number replayed_last = 0;
  for (auto number : logs)
    KEPLER_RETURN_IF_ERROR(
        replay_log(fs, join_path(dir, log_file_name(number)), &replayed_last, out));
  out->last_sequence = std::max(out->last_sequence, replayed_last);

  // Never append after damage: writes go to a new log, recorded in a fresh MANIFEST that
  // CURRENT then names (so a torn MANIFEST tail is never appended to either).
  out->log_number = next_file++;
  out->manifest_number = next_file++;
  out->next_file_number = next_file;
  KEPLER_RETURN_IF_ERROR(
      fs.new_writable_file(join_path(dir, log_file_name(out->log_number)), &out->log));
  version_edit snapshot;
  snapshot.format_version = current_format_version;
  snapshot.log_number = *state.log_number;
  snapshot.next_file_number = out->next_file_number;
  snapshot.last_sequence = out->last_sequence;
  std::string record;
  snapshot.encode(&record);
  std::unique_ptr<writable_file> manifest;
  KEPLER_RETURN_IF_ERROR(
      fs.new_writable_file(join_path(dir, manifest_file_name(out->manifest_number)), &manifest));
  log::writer manifest_writer(manifest.get());
  KEPLER_RETURN_IF_ERROR(manifest_writer.append_record(record));
  KEPLER_RETURN_IF_ERROR(manifest->sync());
  KEPLER_RETURN_IF_ERROR(manifest->close());
  KEPLER_RETURN_IF_ERROR(write_file_atomically(fs, dir, current_file_name,
                                               manifest_file_name(out->manifest_number) + "\n"));
  // The old MANIFEST is obsolete once CURRENT names the new one; failing to remove it only
  // leaves a stray file.
  fs.remove_file(join_path(dir, manifest_file_name(old_manifest)));
  return status::ok();
}

}  // namespace kepler::storage
