#include "storage_format/version/recovery.hpp"

#include <algorithm>
#include <vector>

#include "storage_format/log/log_reader.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/apply_batch.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/version/build_table.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/obsolete_files.hpp"
#include "storage_format/version/salvage_tables.hpp"
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
  // Without CURRENT, files the store itself writes mean a store that lost its CURRENT: damage,
  // never a reason to create a fresh, empty store beside the data.
  for (const auto& name : *names) {
    std::uint64_t number = 0;
    auto kind = parse_file_name(name, &number);
    if (!is_creation_leftover(name) &&
        (kind == file_kind::log || kind == file_kind::table || kind == file_kind::manifest))
      return status::corruption(join_path(dir, current_file_name) +
                                ": CURRENT is missing, but the directory holds store files ('" +
                                name + "'): refusing to open or recreate it");
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

}  // namespace

status read_current(file_system& fs, const std::string& dir, std::uint64_t* manifest_number) {
  std::string contents;
  auto path = join_path(dir, current_file_name);
  KEPLER_RETURN_IF_ERROR(missing_is_corruption(read_file_to_string(fs, path, &contents),
                                               "CURRENT was listed, but it is missing"));
  return parse_current(contents, path, manifest_number);
}

namespace {

// How much of a file in the log format (a write-ahead log, the MANIFEST) recovery may drop.
enum class tolerance {
  nothing,         // any damage is corruption
  truncated_tail,  // only one incomplete record at the very end (a torn append)
  tail,            // damage after the last valid record: a crash's torn tail, however it looks
  from_first,      // everything from the first damage on: valid records after it are dropped
  skip,            // every damaged range; the valid records around them are kept
};

tolerance manifest_tolerance(recovery_mode mode) {
  switch (mode) {
    case recovery_mode::absolute:
      return tolerance::nothing;
    case recovery_mode::tolerate_tail:
      return tolerance::truncated_tail;
    case recovery_mode::point_in_time:
      return tolerance::tail;
    case recovery_mode::salvage:
      return tolerance::skip;
  }
  return tolerance::nothing;
}

// Drops as the mode allows them, after the last record of `reader` was read. A failed read is an
// I/O error wherever it is (the bytes may be intact, and treating them as damage would drop
// acknowledged writes). Each drop is noted in `stats`, and their bytes counted (from_first: all
// from the first drop to the end of the file).
status judge_drops(const log::reader& reader, const std::string& path, tolerance t,
                   std::uint64_t file_size, const char* why_not, recovery_stats* stats) {
  const auto& drops = reader.drops();
  for (const auto& d : drops)
    if (d.reason == log::drop_reason::read_error)
      return status::io_error(path + ": offset " + std::to_string(d.offset) +
                              ": the file could not be read");
  if (drops.empty()) return status::ok();
  bool allowed = false;
  switch (t) {
    case tolerance::nothing:
      break;
    case tolerance::truncated_tail:
      allowed = drops.size() == 1 && drops[0].reason == log::drop_reason::truncated &&
                reader.damage_only_at_tail();
      break;
    case tolerance::tail:
      allowed = reader.damage_only_at_tail();
      break;
    case tolerance::from_first:
    case tolerance::skip:
      allowed = true;
      break;
  }
  if (!allowed) return status::corruption(reader.describe_first_drop() + " (" + why_not + ")");
  if (t == tolerance::from_first) {
    stats->torn_tail_bytes += file_size - drops.front().offset;
    stats->damage.push_back(reader.describe_first_drop() + "; dropped from there to the end (" +
                            std::to_string(file_size - drops.front().offset) + " bytes)");
    return status::ok();
  }
  for (const auto& d : drops) {
    stats->torn_tail_bytes += d.bytes;
    stats->damage.push_back(path + ": offset " + std::to_string(d.offset) + ": " +
                            log::to_string(d.reason) + " (" + std::to_string(d.bytes) +
                            " bytes dropped)");
  }
  return status::ok();
}

const char* why_not(recovery_mode mode) {
  switch (mode) {
    case recovery_mode::absolute:
      return "recovery_mode absolute drops nothing";
    case recovery_mode::tolerate_tail:
      return "recovery_mode tolerate_tail drops only an incomplete last record";
    default:
      return "damage before the last valid record is not a crash's torn tail";
  }
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
}  // namespace

status replay_manifest(file_system& fs, const std::string& path, recovery_mode mode,
                       version_edit* state, version_set* versions, recovery_stats* stats,
                       const manifest_observer& observe) {
  std::unique_ptr<readable_file> file;
  KEPLER_RETURN_IF_ERROR(missing_is_corruption(fs.new_readable_file(path, &file),
                                               "CURRENT names this MANIFEST, but it is missing"));
  const bool salvage = mode == recovery_mode::salvage;
  log::reader reader(file.get(), salvage ? log::reader::after_damage::resync
                                         : log::reader::after_damage::skip_block);
  std::string record;
  std::uint64_t offset = 0;
  for (bool first = true; reader.read_record(&record, &offset); first = false) {
    auto where = path + ": offset " + std::to_string(offset);
    version_edit edit;
    auto decoded = edit.decode(record, where);
    KEPLER_RETURN_IF_ERROR(check_format_version(*state, edit, path));
    auto applied = decoded;
    if (applied.is_ok() && first && !edit.format_version)
      applied = status::corruption(where + ": the first edit lacks the format version");
    if (applied.is_ok()) applied = check_last_sequence(edit, where);
    if (applied.is_ok()) {
      // apply changes nothing when it fails, so salvage can go on without the edit.
      applied = versions->apply(edit, where);
      if (applied.is_ok()) state->merge(edit);
      if (applied.is_ok() && observe.on_record) observe.on_record(offset, edit);
    }
    if (!applied.is_ok()) {
      if (!salvage) return applied;
      stats->damage.push_back(applied.message() + " (edit skipped)");
    }
  }
  if (observe.drops) *observe.drops = reader.drops();
  KEPLER_RETURN_IF_ERROR(
      judge_drops(reader, path, manifest_tolerance(mode), file->size(), why_not(mode), stats));
  if (!state->format_version || !state->log_number || !state->next_file_number)
    return status::corruption(path + ": MANIFEST lacks the format version or file numbers");
  return status::ok();
}

namespace {

// Every table file the version names must be there, whole: a missing or cut file is damage to
// synced data (its MANIFEST edit came after its fsync), never a reason to start afresh. The
// messages name the MANIFEST too: a table is also missing when the MANIFEST lost the records
// after the compaction that deleted it.
status check_tables(file_system& fs, const std::string& dir, const std::string& manifest,
                    const version& v) {
  for (int level = 0; level < num_levels; ++level)
    for (const auto& f : v.files(level)) {
      auto path = join_path(dir, table_file_name(f->number));
      std::uint64_t size = 0;
      auto s = fs.file_size(path, &size);
      if (s.code() == status_code::not_found)
        return status::corruption(path + ": " + manifest + " names this table file (level " +
                                  std::to_string(level) +
                                  "), but it is missing (removed, or the MANIFEST lost later "
                                  "records)");
      KEPLER_RETURN_IF_ERROR(s);
      if (size != f->size)
        return status::corruption(path + ": the table file holds " + std::to_string(size) +
                                  " bytes, " + manifest + " recorded " + std::to_string(f->size));
    }
  return status::ok();
}

// How much of a log recovery may drop as a crash's torn tail.
enum class log_end {
  closed,  // the MANIFEST recorded its final length: it must be exactly that, undamaged
  newest,  // the log writes went to last: it may end in a torn tail
  // Not recorded as closed, yet followed by a newer log: the crash came between the switch and
  // the MANIFEST edit that records the close. Its tail can be torn only by a power loss before
  // the syncer synced it, and then nothing after it was acknowledged as synced (the syncer
  // syncs it before any group of the next log passes): replay stops at the tear, which keeps
  // what survives a prefix of the writes.
  unrecorded,
};

tolerance log_tolerance(recovery_mode mode, log_end end) {
  if (mode == recovery_mode::salvage) return tolerance::skip;
  if (end == log_end::closed) return tolerance::nothing;
  switch (mode) {
    case recovery_mode::absolute:
      return tolerance::nothing;
    case recovery_mode::tolerate_tail:
      return tolerance::truncated_tail;
    default:
      return tolerance::from_first;
  }
}

// Replays one log into `out->mem`. Returns in `*torn` whether its replay stopped at damage.
status replay_log(file_system& fs, const std::string& path, log_end end,
                  std::uint64_t recorded_length, recovery_mode mode, sequence_number* replayed_last,
                  recovered_store* out, bool* torn) {
  *torn = false;
  std::unique_ptr<readable_file> file;
  KEPLER_RETURN_IF_ERROR(missing_is_corruption(
      fs.new_readable_file(path, &file),
      "this log was listed a moment ago and the MANIFEST's log number says it must be replayed"));
  const bool salvage = mode == recovery_mode::salvage;
  if (end == log_end::closed && file->size() != recorded_length) {
    auto wrong = path + ": the log holds " + std::to_string(file->size()) +
                 " bytes, but it was closed at " + std::to_string(recorded_length) +
                 " (the MANIFEST recorded its final length)";
    if (!salvage) return status::corruption(wrong);
    out->stats.damage.push_back(wrong + " (read as it is)");
  }
  const tolerance t = log_tolerance(mode, end);
  log::reader reader(file.get(), salvage ? log::reader::after_damage::resync
                                         : log::reader::after_damage::skip_block);
  std::string record;
  std::uint64_t offset = 0;
  while (reader.read_record(&record, &offset)) {
    // Past the first damage, point_in_time keeps nothing: what survives stays a prefix.
    if (t == tolerance::from_first && !reader.drops().empty()) {
      ++out->stats.dropped_records;
      continue;
    }
    auto where = path + ": record at offset " + std::to_string(offset);
    // A record whose checksum holds but whose contents do not is not a torn write: corruption
    // in every mode but salvage, which skips it.
    auto bad = [&](const std::string& why) {
      if (!salvage) return status::corruption(where + ": " + why);
      out->stats.damage.push_back(where + ": " + why + " (record skipped)");
      ++out->stats.dropped_records;
      return status::ok();
    };
    if (record.size() < batch::header_size) {
      KEPLER_RETURN_IF_ERROR(bad("too short for a write batch"));
      continue;
    }
    // validate also refuses a record whose last sequence (first + count - 1) passes
    // max_sequence_number, so the arithmetic below cannot wrap.
    auto s = batch::validate(record);
    if (!s.is_ok()) {
      KEPLER_RETURN_IF_ERROR(bad(s.message()));
      continue;
    }
    auto first = batch::sequence(record);
    auto n = batch::count(record);
    if (n == 0) continue;
    // Sequences only grow along the logs; a record at or below what was replayed would let an
    // older value win, so it is damage, not data.
    if (first <= *replayed_last) {
      KEPLER_RETURN_IF_ERROR(bad("sequence " + std::to_string(first) + " does not follow " +
                                 std::to_string(*replayed_last)));
      continue;
    }
    KEPLER_RETURN_IF_ERROR(apply_batch(record, out->mem.get()));
    *replayed_last = first + n - 1;
    ++out->stats.records_replayed;
    out->stats.entries_replayed += n;
  }
  const char* why =
      end == log_end::closed ? "in a closed log, whose whole length was synced" : why_not(mode);
  KEPLER_RETURN_IF_ERROR(judge_drops(reader, path, t, file->size(), why, &out->stats));
  *torn = !reader.drops().empty() && t != tolerance::skip;
  ++out->stats.logs_replayed;
  return status::ok();
}

// Replays the logs at or above the log number, oldest first.
status replay_logs(file_system& fs, const std::string& dir, const std::vector<std::uint64_t>& logs,
                   const version_set& versions, recovery_mode mode, recovered_store* out) {
  // Every log at or above the log number holds only sequences after what the table files hold
  // (the MANIFEST's last sequence): an older record there is damage, not data.
  sequence_number replayed_last = versions.last_sequence();
  // The newest log is the last one holding anything: an open killed after creating its new,
  // empty log (before the MANIFEST naming it) leaves one behind, which does not make the log
  // before it any less the newest.
  std::size_t newest = logs.size();
  for (std::size_t i = logs.size(); i-- > 0;) {
    std::uint64_t size = 0;
    if (!fs.file_size(join_path(dir, log_file_name(logs[i])), &size).is_ok() || size > 0) {
      newest = i;
      break;
    }
  }
  for (std::size_t i = 0; i < logs.size(); ++i) {
    auto path = join_path(dir, log_file_name(logs[i]));
    auto recorded = versions.closed_logs().find(logs[i]);
    auto end = recorded != versions.closed_logs().end() ? log_end::closed
               : i >= newest                            ? log_end::newest
                                                        : log_end::unrecorded;
    bool torn = false;
    KEPLER_RETURN_IF_ERROR(replay_log(fs, path, end, end == log_end::closed ? recorded->second : 0,
                                      mode, &replayed_last, out, &torn));
    if (torn && end == log_end::unrecorded) {
      if (mode == recovery_mode::tolerate_tail)
        return status::corruption(path + ": damaged, and followed by a newer log (" +
                                  why_not(mode) + " of the newest log)");
      // What the later logs hold was never acknowledged as synced (see log_end): dropped, and
      // reported as a torn tail.
      for (std::size_t j = i + 1; j < logs.size(); ++j) {
        auto later = join_path(dir, log_file_name(logs[j]));
        std::uint64_t size = 0;
        if (fs.file_size(later, &size).is_ok()) {
          out->stats.torn_tail_bytes += size;
          out->stats.damage.push_back(later + ": dropped whole (" + std::to_string(size) +
                                      " bytes): it follows a torn log");
        }
      }
      break;
    }
  }
  out->last_sequence = std::max(out->last_sequence, replayed_last);
  return status::ok();
}

// After a failure past the point where this open began writing files: removes what it made (the
// table of the replayed logs, the new log and MANIFEST, CURRENT.tmp) so failed opens do not
// pile up orphans, but only when CURRENT still names another MANIFEST. CURRENT is asked rather
// than the failing step guessed: once its rename went through (only the directory sync failed),
// the new MANIFEST is live and may be what a power loss brings back, so everything stays and
// the next open removes what is dead. When CURRENT cannot be read either, nothing is removed.
void undo_failed_start(file_system& fs, const std::string& dir, std::uint64_t manifest_number,
                       std::uint64_t table_number, recovered_store* out) {
  std::uint64_t live = 0;
  if (!read_current(fs, dir, &live).is_ok() || live == manifest_number) return;
  if (out->log) out->log->close();
  out->log.reset();
  out->manifest.reset();
  // Failing to remove leaves only what the next open removes or ignores.
  fs.remove_file(join_path(dir, manifest_file_name(manifest_number)));
  fs.remove_file(join_path(dir, log_file_name(out->log_number)));
  if (table_number != 0) fs.remove_file(join_path(dir, table_file_name(table_number)));
  fs.remove_file(join_path(dir, current_temp_file_name));
}

// Writes what the replayed logs held as a level-0 table, starts a new log, and records the whole
// state in a fresh MANIFEST that CURRENT then names. From then on the old logs and MANIFEST are
// obsolete: nothing is replayed twice, and nothing is ever appended after a torn tail.
status start_fresh(file_system& fs, const std::string& dir, const recovery_options& opts,
                   std::uint64_t* next_file, std::uint64_t* table_number,
                   std::uint64_t* manifest_number, recovered_store* out) {
  version_edit edit;
  edit.format_version = current_format_version;
  if (out->mem->entry_count() > 0) {
    *table_number = (*next_file)++;
    file_meta meta;
    KEPLER_RETURN_IF_ERROR(build_table(fs, dir, opts.table, *out->mem, *table_number, &meta));
    edit.new_files.push_back({0, meta});
    ++out->stats.tables_written;
    out->mem = std::make_shared<memtable>();
  }
  out->log_number = (*next_file)++;
  *manifest_number = (*next_file)++;
  out->next_file_number = *next_file;
  edit.log_number = out->log_number;
  edit.next_file_number = out->next_file_number;
  edit.last_sequence = out->last_sequence;
  KEPLER_RETURN_IF_ERROR(out->versions.apply(edit, dir + ": this open's flush of the logs"));
  KEPLER_RETURN_IF_ERROR(
      fs.new_writable_file(join_path(dir, log_file_name(out->log_number)), &out->log));
  return manifest::create(fs, dir, *manifest_number, out->versions.snapshot(), &out->manifest);
}

}  // namespace

status recover_store(file_system& fs, const std::string& dir, const recovery_options& opts,
                     recovered_store* out) {
  if (dir.empty()) return status::invalid_argument("the store's directory path is empty");
  // Refuse what is not (and may not become) a store before touching anything: no directory is
  // created and no LOCK file written in a place that is not ours. A read-only open creates
  // nothing at all.
  auto check_opts = opts;
  if (opts.read_only) check_opts.create_if_missing = false;
  std::vector<std::string> names;
  if (!fs.exists(dir)) {
    if (!check_opts.create_if_missing)
      return status::not_a_store(
          dir + ": not a KeplerDB store (the directory does not exist)" +
          (opts.read_only ? " and the open is read-only" : " and create_if_missing is false"));
    KEPLER_RETURN_IF_ERROR(create_dir_durably(fs, dir));
  }
  KEPLER_RETURN_IF_ERROR(check_is_store_or_empty(fs, dir, check_opts, &names));
  if (opts.read_only) {
    // Nothing written, not even the LOCK: a store on a full disk or a read-only mount opens. A
    // store without a LOCK file (a copy) is read without one.
    auto locked = fs.lock_file_read_only(join_path(dir, lock_file_name), &out->lock);
    if (!locked.is_ok() && locked.code() != status_code::not_found) return locked;
  } else {
    KEPLER_RETURN_IF_ERROR(fs.lock_file(join_path(dir, lock_file_name), &out->lock));
  }
  // Another opener may have created the store between the first look and the lock: look again
  // now that we hold it.
  KEPLER_RETURN_IF_ERROR(check_is_store_or_empty(fs, dir, check_opts, &names));
  bool has_current = std::find(names.begin(), names.end(), current_file_name) != names.end();
  if (!has_current) {
    KEPLER_RETURN_IF_ERROR(create_store(fs, dir));
    out->stats.created = true;
  }

  std::uint64_t old_manifest = 0;
  KEPLER_RETURN_IF_ERROR(read_current(fs, dir, &old_manifest));
  version_edit state;
  KEPLER_RETURN_IF_ERROR(replay_manifest(fs, join_path(dir, manifest_file_name(old_manifest)),
                                         opts.mode, &state, &out->versions, &out->stats));
  const bool salvage = opts.mode == recovery_mode::salvage;
  if (!salvage)
    KEPLER_RETURN_IF_ERROR(
        check_tables(fs, dir, manifest_file_name(old_manifest), *out->versions.current()));
  out->last_sequence = out->versions.last_sequence();

  // Later numbers never reuse earlier ones, so file numbers seen on disk also bound the next.
  KEPLER_RETURN_IF_ERROR(fs.list_dir(dir, &names));
  std::vector<std::uint64_t> logs;
  std::uint64_t next_file = out->versions.next_file_number();
  for (const auto& name : names) {
    std::uint64_t number = 0;
    auto kind = parse_file_name(name, &number);
    if (kind == file_kind::log || kind == file_kind::manifest || kind == file_kind::table)
      next_file = std::max(next_file, number + 1);
    if (kind == file_kind::log && number >= out->versions.log_number()) logs.push_back(number);
  }
  std::sort(logs.begin(), logs.end());
  // A closed log the MANIFEST recorded must still be there.
  for (const auto& [number, length] : out->versions.closed_logs())
    if (!std::binary_search(logs.begin(), logs.end(), number)) {
      // Either the log was removed, or the MANIFEST lost the records after its close (the
      // flush that made it obsolete): both are damage to synced data.
      auto missing = join_path(dir, log_file_name(number)) + ": " +
                     manifest_file_name(old_manifest) + " recorded this log as closed at " +
                     std::to_string(length) +
                     " bytes, but it is missing (removed, or the MANIFEST lost later records)";
      if (!salvage) return status::corruption(missing);
      out->stats.damage.push_back(missing);
    }
  // The log at the log number must be there too once a later log holds writes: writes went to
  // it before any later log, and only an edit moving the log number past it makes it obsolete.
  // Missing, the MANIFEST lost the records after such an edit (a cut at a record boundary
  // looks whole), and replaying the later logs over the older state would leave a hole.
  // Version 1 stores never moved their log number (2, a log never created) and kept every
  // log, so the rule holds from version 2 on only (manifest_format.md, "Version 1").
  if (out->versions.format_version() >= 2 &&
      !std::binary_search(logs.begin(), logs.end(), out->versions.log_number())) {
    for (auto later : logs) {
      std::uint64_t size = 0;
      if (!fs.file_size(join_path(dir, log_file_name(later)), &size).is_ok() || size == 0) continue;
      auto missing = join_path(dir, manifest_file_name(old_manifest)) + ": its log number is " +
                     std::to_string(out->versions.log_number()) + ", but " +
                     log_file_name(out->versions.log_number()) + " is missing while the later " +
                     log_file_name(later) +
                     " holds writes (the MANIFEST lost later records, or the log was removed)";
      if (!salvage) return status::corruption(missing);
      out->stats.damage.push_back(missing);
      break;
    }
  }
  if (salvage) {
    if (opts.read_only) return status::invalid_argument("salvage rewrites files: not read-only");
    version_edit edit;
    KEPLER_RETURN_IF_ERROR(salvage_tables(fs, dir, opts.table, *out->versions.current(), &next_file,
                                          &edit, &out->stats.damage));
    edit.next_file_number = next_file;
    KEPLER_RETURN_IF_ERROR(out->versions.apply(edit, dir + ": salvage's table edit"));
  }
  out->mem = std::make_shared<memtable>();
  KEPLER_RETURN_IF_ERROR(replay_logs(fs, dir, logs, out->versions, opts.mode, out));
  out->next_file_number = next_file;
  if (opts.read_only) return status::ok();

  std::uint64_t table_number = 0, manifest_number = 0;
  auto started = start_fresh(fs, dir, opts, &next_file, &table_number, &manifest_number, out);
  if (!started.is_ok()) {
    undo_failed_start(fs, dir, manifest_number, table_number, out);
    return started;
  }
  // CURRENT names the fresh MANIFEST: the old one, the replayed logs, tables no version names
  // (a flush a crash interrupted) and temporary files are obsolete.
  if (opts.mode == recovery_mode::salvage && !out->stats.damage.empty()) {
    // Salvage that skipped something deletes nothing: what it could not use may still be worth
    // a better repair.
    auto moved = move_obsolete_files(fs, dir, out->versions, manifest_number);
    if (moved > 0)
      out->stats.damage.push_back(join_path(dir, lost_dir_name) + ": " + std::to_string(moved) +
                                  " file(s) the salvaged store no longer uses were moved here");
  } else {
    out->stats.files_removed = remove_obsolete_files(fs, dir, out->versions, manifest_number);
  }
  return status::ok();
}

}  // namespace kepler::storage
