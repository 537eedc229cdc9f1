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

constexpr std::uint64_t first_manifest_number = 1;

// Exactly what an interrupted create_store can leave (LOCK, its MANIFEST-000001, and
// CURRENT.tmp before the rename): such a directory still counts as empty. Anything else,
// another program's *.tmp or MANIFEST-* included, is not ours to create a store over.
bool is_creation_leftover(const std::string& name) {
  return name == lock_file_name || name == manifest_file_name(first_manifest_number) ||
         name == current_temp_file_name;
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
    return status::not_a_store(dir + ": not a KeplerDB store (no CURRENT file) and " +
                               "create_if_missing is false");
  for (const auto& name : *names)
    if (!is_creation_leftover(name))
      return status::not_a_store(dir + ": not a KeplerDB store (no CURRENT file) and not empty ('" +
                                 name + "'): refusing to create a store over existing files");
  return status::ok();
}

// Writes a MANIFEST holding the one edit `edit`, durably (its directory entry becomes durable
// with the directory sync that switching CURRENT does).
status write_manifest(file_system& fs, const std::string& path, const version_edit& edit) {
  std::string record;
  edit.encode(&record);
  std::unique_ptr<writable_file> file;
  KEPLER_RETURN_IF_ERROR(fs.new_writable_file(path, &file));
  log::writer writer(file.get());
  KEPLER_RETURN_IF_ERROR(writer.append_record(record));
  KEPLER_RETURN_IF_ERROR(file->sync());
  return file->close();
}

// Points CURRENT at MANIFEST-`number`: CURRENT.tmp, sync, rename, directory sync.
status switch_current(file_system& fs, const std::string& dir, std::uint64_t number) {
  return write_file_atomically(fs, dir, current_file_name, manifest_file_name(number) + "\n");
}

// Writes the first MANIFEST and CURRENT; only then is the directory a store.
status create_store(file_system& fs, const std::string& dir) {
  version_edit edit;
  edit.format_version = current_format_version;
  edit.log_number = first_manifest_number + 1;
  edit.next_file_number = first_manifest_number + 2;
  edit.last_sequence = 0;
  KEPLER_RETURN_IF_ERROR(
      write_manifest(fs, join_path(dir, manifest_file_name(first_manifest_number)), edit));
  return switch_current(fs, dir, first_manifest_number);
}

// A file that the store's own records say exists (CURRENT once listed, the MANIFEST CURRENT
// names, a log listed a moment ago) is damage when it is missing: corruption naming it. The
// file system's bare not_found would read as "no such store", which it is not.
status missing_is_corruption(status s, const std::string& why) {
  if (s.code() != status_code::not_found) return s;
  return status::corruption(s.message() + ": " + why);
}

status read_current(file_system& fs, const std::string& dir, std::uint64_t* manifest_number) {
  std::string contents;
  auto path = join_path(dir, current_file_name);
  KEPLER_RETURN_IF_ERROR(missing_is_corruption(read_file_to_string(fs, path, &contents),
                                               "CURRENT was listed, but it is missing"));
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

// A newer format may change anything after its version, so the version is judged before the
// rest of an edit is trusted: from the edits before and the fields of this one that decoded
// (decode keeps those when it meets a field it cannot read, such as an unknown tag).
status check_format_version(const version_edit& state, const version_edit& edit,
                            const std::string& path) {
  auto version = edit.format_version ? edit.format_version : state.format_version;
  if (!version || *version <= current_format_version) return status::ok();
  return status::not_supported(path + ": store format version " + std::to_string(*version) +
                               " was written by a newer KeplerDB (this one reads up to " +
                               std::to_string(current_format_version) + ")");
}

// The writer assigns sequences from last_sequence on; one past the 56 bits of an internal key
// would wrap, so a MANIFEST holding one is damage.
status check_last_sequence(const version_edit& edit, const std::string& where) {
  if (!edit.last_sequence || *edit.last_sequence <= max_sequence_number) return status::ok();
  return status::corruption(where + ": last sequence " + std::to_string(*edit.last_sequence) +
                            " passes the largest sequence number " +
                            std::to_string(max_sequence_number));
}

// Applies every record of the MANIFEST. A torn tail is the end of a crash; damage before it is
// corruption. The first edit carries the format version (manifest_format.md), so a store of a
// newer format is refused as such before any field it may have redefined is read.
status replay_manifest(file_system& fs, const std::string& path, version_edit* state) {
  std::unique_ptr<readable_file> file;
  KEPLER_RETURN_IF_ERROR(missing_is_corruption(fs.new_readable_file(path, &file),
                                               "CURRENT names this MANIFEST, but it is missing"));
  log::reader reader(file.get());
  std::string record;
  std::uint64_t offset = 0;
  for (bool first = true; reader.read_record(&record, &offset); first = false) {
    auto where = path + ": offset " + std::to_string(offset);
    version_edit edit;
    auto decoded = edit.decode(record, where);
    KEPLER_RETURN_IF_ERROR(check_format_version(*state, edit, path));
    KEPLER_RETURN_IF_ERROR(decoded);
    if (first && !edit.format_version)
      return status::corruption(where + ": the first edit lacks the format version");
    KEPLER_RETURN_IF_ERROR(check_last_sequence(edit, where));
    state->merge(edit);
  }
  KEPLER_RETURN_IF_ERROR(check_drops(reader, path));
  if (!state->format_version || !state->log_number || !state->next_file_number)
    return status::corruption(path + ": MANIFEST lacks the format version or file numbers");
  return status::ok();
}

// Replays one log into `out->mem`. Each log was the newest one at some crash, so a torn tail
// is expected in any of them; damage with a valid record after it is corruption.
status replay_log(file_system& fs, const std::string& path, sequence_number* replayed_last,
                  recovered_store* out) {
  std::unique_ptr<readable_file> file;
  KEPLER_RETURN_IF_ERROR(missing_is_corruption(
      fs.new_readable_file(path, &file),
      "this log was listed a moment ago and the MANIFEST's log number says it must be replayed"));
  log::reader reader(file.get());
  std::string record;
  std::uint64_t offset = 0;
  while (reader.read_record(&record, &offset)) {
    auto where = path + ": record at offset " + std::to_string(offset);
    if (record.size() < batch::header_size)
      return status::corruption(where + ": too short for a write batch");
    // validate also refuses a record whose last sequence (first + count - 1) passes
    // max_sequence_number, so the arithmetic below cannot wrap.
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

// Creates the new, empty log and switches CURRENT to a fresh MANIFEST describing `snapshot`.
status start_new_log(file_system& fs, const std::string& dir, const version_edit& snapshot,
                     recovered_store* out) {
  KEPLER_RETURN_IF_ERROR(
      fs.new_writable_file(join_path(dir, log_file_name(out->log_number)), &out->log));
  KEPLER_RETURN_IF_ERROR(
      write_manifest(fs, join_path(dir, manifest_file_name(out->manifest_number)), snapshot));
  return switch_current(fs, dir, out->manifest_number);
}

// After start_new_log failed: removes the new log and MANIFEST (and CURRENT.tmp) so failed
// opens do not pile up orphans, but only when CURRENT still names another MANIFEST. CURRENT is
// asked rather than the failing step guessed: once its rename went through (only the directory
// sync failed), the new MANIFEST is live and the old one may be what a power loss brings
// back, so both stay and the next open removes the dead one. When CURRENT cannot be read
// either, nothing is removed.
void undo_failed_start(file_system& fs, const std::string& dir, recovered_store* out) {
  std::uint64_t live = 0;
  if (!read_current(fs, dir, &live).is_ok() || live == out->manifest_number) return;
  if (out->log) out->log->close();
  out->log.reset();
  // Failing to remove leaves only what the next open removes or ignores.
  fs.remove_file(join_path(dir, manifest_file_name(out->manifest_number)));
  fs.remove_file(join_path(dir, log_file_name(out->log_number)));
  fs.remove_file(join_path(dir, current_temp_file_name));
}

// Once CURRENT durably names `live`, every other MANIFEST in `names` (the listing taken under
// the LOCK) is dead: the one this open replaced, and any an earlier open left when it failed
// or crashed after writing its own.
void remove_dead_manifests(file_system& fs, const std::string& dir,
                           const std::vector<std::string>& names, std::uint64_t live) {
  for (const auto& name : names) {
    std::uint64_t number = 0;
    if (parse_file_name(name, &number) == file_kind::manifest && number != live)
      fs.remove_file(join_path(dir, name));  // failing to remove only leaves a stray file
  }
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
      return status::not_a_store(dir + ": not a KeplerDB store (the directory does not exist) " +
                                 "and create_if_missing is false");
    KEPLER_RETURN_IF_ERROR(create_dir_durably(fs, dir));
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
  version_edit snapshot;
  snapshot.format_version = current_format_version;
  snapshot.log_number = *state.log_number;
  snapshot.next_file_number = out->next_file_number;
  snapshot.last_sequence = out->last_sequence;
  auto switched = start_new_log(fs, dir, snapshot, out);
  if (!switched.is_ok()) {
    undo_failed_start(fs, dir, out);
    return switched;
  }
  remove_dead_manifests(fs, dir, names, out->manifest_number);
  return status::ok();
}

}  // namespace kepler::storage
