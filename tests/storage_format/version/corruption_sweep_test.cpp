// The damage promise, swept: a small store built file by file (two table files, a closed log,
// the newest log, a MANIFEST of three or four records, CURRENT), then every byte of every file
// flipped (xor 0x01 and xor 0xff) and every file cut at every length, each damaged image opened in
// each recovery mode and read back whole. Each outcome is correct data, a reported torn tail or
// skip, or a clear error (at open, or on the read that met the damage); never a wrong value,
// an invented key, a hole in the newest log's writes, or a silent loss of synced data. Plain
// recovery and reads (no actor system); the default run samples offsets, the soak tier
// (KEPLER_SOAK=1) takes every one.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "damage_sweep.hpp"
#include "soak_mode.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/memtable/memtable.hpp"
#include "storage_format/version/build_table.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/manifest.hpp"
#include "storage_format/version/recovery.hpp"
#include "test_dir.hpp"

namespace fs = std::filesystem;
using namespace kepler::storage;
using kepler::test::temp_dir;
using namespace kepler::test::sweep;

namespace {

std::string key(char prefix, int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%03d", prefix, i);
  return buf;
}
std::string value(const std::string& k, int version) {
  return "value of " + k + " v" + std::to_string(version) + std::string(20, 'a' + version);
}

// What the built store holds, and what each part of it promises.
struct model {
  std::map<std::string, std::string> synced;  // must read back exactly
  std::map<std::string, std::string> older;   // an overwritten key's older value
  std::vector<std::string> deleted;           // must stay absent
  // The newest log's writes, in order: with `tail_may_drop`, any prefix may survive.
  std::vector<std::pair<std::string, std::string>> tail;
  bool tail_may_drop = false;
};

void must(const status& s) {
  REQUIRE_MESSAGE(s.is_ok(), s.message());
}

void write_log(file_system& fsys, const std::string& path, const std::vector<std::string>& records,
               std::uint64_t* length, bool torn_end) {
  std::unique_ptr<writable_file> file;
  must(fsys.new_writable_file(path, &file));
  log::writer w(file.get());
  for (const auto& r : records) must(w.append_record(r));
  *length = file->size();
  if (torn_end) {
    // A record half written when the process died: its header and part of its payload.
    std::string rec = records.back();
    std::string framed;
    {
      std::string scratch_path = path + ".scratch";
      std::unique_ptr<writable_file> s;
      must(fsys.new_writable_file(scratch_path, &s));
      log::writer sw(s.get());
      must(sw.append_record(rec));
      must(s->close());
      std::ifstream in(scratch_path, std::ios::binary);
      framed.assign(std::istreambuf_iterator<char>(in), {});
      fs::remove(scratch_path);
    }
    must(file->append(framed.substr(0, framed.size() / 2)));
  }
  must(file->sync());
  must(file->close());
}

// One batch per key: put key -> value at `seq`.
std::string put_record(sequence_number seq, const std::string& k, const std::string& v) {
  auto rep = batch::make_empty();
  batch::add_put(&rep, k, v);
  batch::set_sequence(&rep, seq);
  return rep;
}

// Builds the store in `dir`. Clean: the newest log was closed (its length recorded, as close()
// does). Crashed: it was not, and ends in a half-written record.
model build_store(const std::string& dir, bool crashed) {
  auto& fsys = *file_system::posix();
  fs::create_directories(dir);
  model m;
  table_options topts;
  topts.compression = block_codec::none;
  sequence_number seq = 0;
  // Table 5 (level 1): a000..a149, version 1.
  memtable t5;
  for (int i = 0; i < 150; ++i) {
    t5.add(++seq, value_type::value, key('a', i), value(key('a', i), 1));
    m.synced[key('a', i)] = value(key('a', i), 1);
  }
  file_meta f5, f6;
  must(build_table(fsys, dir, topts, t5, 5, &f5));
  // Table 6 (level 0, newer): a000..a019 rewritten, a020..a029 deleted.
  memtable t6;
  for (int i = 0; i < 20; ++i) {
    t6.add(++seq, value_type::value, key('a', i), value(key('a', i), 2));
    m.older[key('a', i)] = value(key('a', i), 1);
    m.synced[key('a', i)] = value(key('a', i), 2);
  }
  for (int i = 20; i < 30; ++i) {
    t6.add(++seq, value_type::deletion, key('a', i), "");
    m.older[key('a', i)] = value(key('a', i), 1);
    m.synced.erase(key('a', i));
    m.deleted.push_back(key('a', i));
  }
  must(build_table(fsys, dir, topts, t6, 6, &f6));
  const sequence_number table_last = seq;
  // Log 7 (closed): b000..b049. Log 8 (newest): c000..c049.
  std::vector<std::string> l7, l8;
  for (int i = 0; i < 50; ++i) {
    l7.push_back(put_record(++seq, key('b', i), value(key('b', i), 1)));
    m.synced[key('b', i)] = value(key('b', i), 1);
  }
  for (int i = 0; i < 50; ++i) {
    l8.push_back(put_record(++seq, key('c', i), value(key('c', i), 1)));
    if (crashed) {
      m.tail.push_back({key('c', i), value(key('c', i), 1)});
    } else {
      m.synced[key('c', i)] = value(key('c', i), 1);
    }
  }
  m.tail_may_drop = crashed;
  std::uint64_t len7 = 0, len8 = 0;
  write_log(fsys, join_path(dir, log_file_name(7)), l7, &len7, false);
  write_log(fsys, join_path(dir, log_file_name(8)), l8, &len8, crashed);
  // MANIFEST-000009: the snapshot, a flush, then the closes the store recorded.
  version_edit snap;
  snap.format_version = current_format_version;
  // As the engine leaves it: table 6 was flushed from log 4, whose close the MANIFEST recorded
  // before the flush's edit moved the log number past it and the log was deleted.
  snap.log_number = 4;
  snap.closed_logs.push_back({4, 4096});
  snap.next_file_number = 10;
  snap.last_sequence = table_last - 30;
  snap.new_files.push_back({1, f5});
  std::unique_ptr<manifest> man;
  must(manifest::create(fsys, dir, 9, snap, &man));
  version_set versions;
  must(versions.apply(snap, "snapshot"));
  // A flush's edit: table 6 joins level 0 and logs before 7 are done. Losing it (taken for a
  // torn tail, or cut off at a record boundary) would lose table 6's synced data, so damage to
  // it must be refused: recovery then misses log 4, which the MANIFEST recorded as closed.
  version_edit flush6;
  flush6.new_files.push_back({0, f6});
  flush6.log_number = 7;
  flush6.last_sequence = table_last;
  must(man->log_and_apply(flush6, &versions));
  version_edit close7;
  close7.closed_logs.push_back({7, len7});
  must(man->log_and_apply(close7, &versions));
  if (!crashed) {
    version_edit close8;
    close8.closed_logs.push_back({8, len8});
    must(man->log_and_apply(close8, &versions));
  }
  return m;
}

// Opens the image in `dir` in `mode` and reads it whole against `m`.
void judge(const std::string& dir, recovery_mode mode, const model& m, const std::string& damaged,
           const std::string& what, tally* t) {
  ++t->images;
  // A clear error names the file that holds the damage (CURRENT's may name the MANIFEST it
  // points to instead: that is the name it holds), or the crashed store's torn newest log,
  // which the stricter modes refuse whatever else is damaged.
  auto named = [&](const std::string& message) {
    if (damaged.empty() || message.find(damaged) != std::string::npos) return;
    if (m.tail_may_drop && message.find(log_file_name(8)) != std::string::npos) return;
    if (damaged == current_file_name && message.find("MANIFEST") != std::string::npos) return;
    ++t->unnamed;
    if (t->unnamed_example.empty()) t->unnamed_example = what + ": " + message;
  };
  recovered_store out;
  auto s = open_image(dir, mode, &out);
  if (!s.is_ok()) {
    ++t->error_at_open;
    named(s.message());
    return;
  }
  const bool reported = reports_drop(out.stats);
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.synced) keys.push_back(k);
  keys.insert(keys.end(), m.deleted.begin(), m.deleted.end());
  for (const auto& [k, v] : m.tail) keys.push_back(k);
  const auto r = read_image(dir, out, keys);
  const bool read_error = r.error.has_value();
  if (read_error) named(*r.error);
  bool lost = false;
  auto violation = [&](std::uint64_t* counter, const std::string& why) {
    ++*counter;
    if (t->example.empty()) t->example = what + " in " + mode_name(mode) + ": " + why;
  };
  // The value a get gave, or false when that get failed.
  auto get = [&](const std::string& k, std::optional<std::string>* v) {
    auto found = r.got.find(k);
    if (found == r.got.end()) return false;
    *v = found->second;
    return true;
  };
  const bool salvage = mode == recovery_mode::salvage;
  for (const auto& [k, want] : m.synced) {
    std::optional<std::string> v;
    if (!get(k, &v)) continue;
    if (v == want) continue;
    auto older = m.older.find(k);
    bool is_older = !v || (older != m.older.end() && *v == older->second);
    if (!is_older) {
      violation(&t->wrong_value, k + " reads a value never written");
    } else if (salvage && reported) {
      lost = true;  // salvage skipped it, and said what it skipped
    } else {
      violation(&t->silent_loss, k + " lost or older" + (reported ? " (reported)" : ""));
    }
  }
  for (const auto& k : m.deleted) {
    std::optional<std::string> v;
    if (!get(k, &v) || !v) continue;
    if (salvage && reported && *v == m.older.at(k)) {
      lost = true;
    } else {
      violation(&t->wrong_value, k + " deleted, reads " + *v);
    }
  }
  bool gap = false;
  for (const auto& [k, want] : m.tail) {
    std::optional<std::string> v;
    if (!get(k, &v)) continue;
    if (v && *v != want) violation(&t->wrong_value, k + " reads a value never written");
    if (!v) {
      gap = true;
    } else if (gap && !salvage) {
      violation(&t->holes, k + " survives after a dropped earlier write");
    }
  }
  if (gap && !m.tail_may_drop) violation(&t->silent_loss, "the closed log lost writes");
  // The whole store, in order: no key that was never written.
  for (const auto& [k, v] : r.scanned) {
    bool known = m.synced.count(k) || m.older.count(k);
    for (const auto& [tk, tv] : m.tail) known = known || tk == k;
    if (!known) violation(&t->invented, "iteration shows a key never written");
  }
  if (read_error) {
    ++t->error_at_read;
  } else if (lost) {
    ++t->salvaged_partial;
  } else if (reported) {
    ++t->reported_drop;
  } else {
    ++t->correct;
  }
}

void sweep(bool crashed) {
  temp_dir base("kepler-sweep-base");
  const model m = build_store(base.path(), crashed);
  const auto pristine = read_store(base.path());
  std::map<std::string, file_type> types;
  for (const auto& [name, bytes] : pristine) {
    std::uint64_t number = 0;
    auto kind = parse_file_name(name, &number);
    types[name] = kind == file_kind::table      ? file_type::table
                  : kind == file_kind::manifest ? file_type::manifest
                  : kind == file_kind::log
                      ? (number == 7 || !crashed ? file_type::closed_log : file_type::newest_log)
                      : file_type::current;
  }
  // The undamaged image is correct in every mode.
  temp_dir work("kepler-sweep-work");
  for (auto mode : modes) {
    tally clean;
    stage(pristine, work.path(), "", "");
    judge(work.path(), mode, m, "", "the undamaged image", &clean);
    CHECK_MESSAGE(clean.violations() == 0, clean.example);
    INFO(clean.example, " open errors ", clean.error_at_open, " read errors ", clean.error_at_read,
         " reported ", clean.reported_drop);
    // A crashed image's torn tail is a reported drop except where the mode refuses it.
    if (!crashed) CHECK(clean.correct == 1);
  }
  // Every offset in soak mode; in the default run about one in `stride`, always including the
  // first and last 64 bytes of each file (headers, footers, the tail).
  const std::size_t stride = kepler::test::soak_mode() ? 1 : 37;
  std::map<std::string, tally> by_row;  // "type / mode"
  tally total;
  for (const auto& [name, bytes] : pristine) {
    const auto images = damaged_images(name, bytes, stride, 64);
    for (auto mode : modes) {
      tally& row = by_row[std::string(type_name(types[name])) + " / " + mode_name(mode)];
      for (const auto& im : images) {
        stage(pristine, work.path(), name, im.bytes);
        judge(work.path(), mode, m, name, im.what, &row);
      }
    }
  }
  const std::string store_kind = crashed ? "crashed" : "clean";
  for (const auto& [row, t] : by_row) {
    MESSAGE(row_line(store_kind, row, t));
    total += t;
  }
  MESSAGE(store_kind << " store: images " << total.images << ", wrong_value " << total.wrong_value
                     << ", invented " << total.invented << ", holes " << total.holes
                     << ", silent_loss " << total.silent_loss << ", errors not naming the file "
                     << total.unnamed << ", crashes 0, hangs 0"
                     << (total.example.empty() ? "" : "; first violation: " + total.example)
                     << (total.unnamed_example.empty()
                             ? ""
                             : "; first unnamed: " + total.unnamed_example));
  CHECK(total.wrong_value == 0);
  CHECK(total.invented == 0);
  CHECK(total.holes == 0);
  CHECK(total.silent_loss == 0);
  CHECK(total.unnamed == 0);
}

}  // namespace

TEST_SUITE("soak") {
  TEST_CASE(
      "every flipped byte and every cut of a cleanly closed store is data, a report or an error") {
    sweep(false);
  }
  TEST_CASE("every flipped byte and every cut of a crashed store is data, a report or an error") {
    sweep(true);
  }
}
