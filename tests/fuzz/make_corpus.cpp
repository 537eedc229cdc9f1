// Writes the seed corpora of the fuzz targets (tests/fuzz/README.md) from the real encoders:
// write batches, logs of batches, tables built by table_builder, version edits, MANIFESTs of
// edits and CURRENT files, each sound and in a few damaged forms (cut, zeroed, a flipped byte).
// Run once; the corpus is checked in as plain files, so it changes only when someone reruns
// this and commits what it wrote.
//   make kepler_fuzz_make_corpus && ./tests/kepler_fuzz_make_corpus SOURCE/tests/fuzz/corpus
// Only the seed-* files of the target directories it writes are replaced; found-* inputs (what
// a fuzzing run found and kept) stay.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/table_builder.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/version_edit.hpp"
#include "string_files.hpp"

namespace {

namespace fs = std::filesystem;
using namespace kepler::storage;

fs::path root;
std::size_t written = 0, bytes_written = 0;

void put(const std::string& target, const std::string& name, const std::string& bytes) {
  const fs::path dir = root / target;
  fs::create_directories(dir);
  std::ofstream out(dir / ("seed-" + name), std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ++written;
  bytes_written += bytes.size();
}

// The damaged forms every file seed also gets: cut in the middle, its last bytes zeroed (a torn
// append), and one byte flipped a third of the way in.
void put_damaged(const std::string& target, const std::string& name, const std::string& bytes) {
  if (bytes.size() < 8) return;
  put(target, name + "-cut", bytes.substr(0, bytes.size() / 2));
  std::string zeroed = bytes;
  for (std::size_t i = zeroed.size() - zeroed.size() / 4; i < zeroed.size(); ++i) zeroed[i] = 0;
  put(target, name + "-zeroed-tail", zeroed);
  std::string flipped = bytes;
  flipped[flipped.size() / 3] ^= 0x40;
  put(target, name + "-flipped", flipped);
}

std::string key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key%05d", i);
  return buf;
}

// --- batches and logs ---

std::vector<std::pair<std::string, std::string>> make_batches() {
  std::vector<std::pair<std::string, std::string>> out;
  std::string b = batch::make_empty();
  batch::set_sequence(&b, 1);
  out.emplace_back("empty", b);
  b = batch::make_empty();
  batch::add_put(&b, "a", "1");
  batch::set_sequence(&b, 7);
  out.emplace_back("one-put", b);
  b = batch::make_empty();
  batch::add_delete(&b, "a");
  batch::set_sequence(&b, 8);
  out.emplace_back("one-delete", b);
  b = batch::make_empty();
  for (int i = 0; i < 6; ++i) batch::add_put(&b, key(i % 3), "value" + std::to_string(i));
  batch::add_delete(&b, key(1));
  batch::add_put(&b, "", "empty key");
  batch::add_put(&b, std::string("\0\xff", 2), "");
  batch::set_sequence(&b, 1000);
  out.emplace_back("mixed", b);
  b = batch::make_empty();
  batch::add_put(&b, "k", "v");
  batch::add_put(&b, "l", "w");
  batch::set_sequence(&b, max_sequence_number - 1);
  out.emplace_back("last-sequences", b);
  b = batch::make_empty();
  batch::add_put(&b, std::string(200, 'k'), std::string(300, 'v'));
  batch::set_sequence(&b, 42);
  out.emplace_back("long-lengths", b);
  return out;
}

void write_batches() {
  for (const auto& [name, rep] : make_batches()) {
    put("batch", name, rep);
    put("batch", name + "-cut", rep.substr(0, rep.size() - 1));
  }
  std::string extra = make_batches()[1].second + "x";
  put("batch", "trailing-byte", extra);
  std::string overflow = batch::make_empty();
  batch::add_put(&overflow, "k", "v");
  batch::add_put(&overflow, "l", "w");
  batch::set_sequence(&overflow, max_sequence_number);
  put("batch", "sequence-overflow", overflow);
}

std::string log_of(const std::vector<std::string>& records) {
  std::string file;
  kepler::test::string_writable out(&file);
  log::writer w(&out);
  for (const auto& r : records) w.append_record(r);
  return file;
}

void write_logs() {
  std::vector<std::string> small;
  sequence_number seq = 1;
  for (const auto& [name, rep] : make_batches()) {
    std::string r = rep;
    if (batch::count(r) > 0) {
      batch::set_sequence(&r, seq);
      seq += batch::count(r);
    }
    small.push_back(r);
  }
  const std::string small_log = log_of(small);
  put("wal_reader", "batches", small_log);
  put_damaged("wal_reader", "batches", small_log);
  put("wal_reader", "empty-file", "");
  put("wal_reader", "one-empty-record", log_of({std::string()}));
  // A record that spans blocks (FIRST, LAST), then one more: 34 KiB.
  std::string big = batch::make_empty();
  batch::add_put(&big, "big", std::string(33000, 'b'));
  batch::set_sequence(&big, 1);
  std::string next = batch::make_empty();
  batch::add_put(&next, "after", "x");
  batch::set_sequence(&next, 2);
  const std::string spanning = log_of({big, next});
  put("wal_reader", "spanning-blocks", spanning);
  put("wal_reader", "spanning-blocks-cut", spanning.substr(0, 32768 + 100));
  // A record that ends 3 bytes before the block's end (7-byte header, 12-byte batch header, 6
  // bytes of entry framing), so the block ends in a zero trailer.
  std::string filler = batch::make_empty();
  batch::add_put(&filler, "f", std::string(32768 - 3 - 7 - 12 - 6, 'f'));
  batch::set_sequence(&filler, 1);
  put("wal_reader", "block-trailer", log_of({filler, next}));
}

// --- tables ---

std::string table_of(const table_options& options, int entries, int value_bytes,
                     bool with_deletions) {
  std::string file;
  kepler::test::string_writable out(&file, "seed.sst");
  table_builder builder(options, &out);
  for (int i = 0; i < entries; ++i) {
    std::string ik;
    const bool del = with_deletions && i % 5 == 4;
    append_internal_key(&ik, key(i), 100 + i, del ? value_type::deletion : value_type::value);
    builder.add(ik,
                del ? std::string() : std::string(value_bytes, static_cast<char>('a' + i % 26)));
    if (with_deletions && i % 7 == 0) {  // an older version of the same key
      std::string older;
      append_internal_key(&older, key(i), 50, value_type::value);
      builder.add(older, "old");
    }
  }
  builder.finish();
  return file;
}

void write_tables() {
  table_options plain;
  plain.compression = block_codec::none;
  plain.block_bytes = 256;
  const std::string raw = table_of(plain, 40, 20, true);
  put("table", "raw-blocks", raw);
  put_damaged("table", "raw-blocks", raw);
  table_options lz4 = plain;
  lz4.compression = block_codec::lz4;
  const std::string lz4_table = table_of(lz4, 40, 40, true);
  put("table", "lz4-blocks", lz4_table);
  put_damaged("table", "lz4-blocks", lz4_table);
  table_options zstd = plain;
  zstd.compression = block_codec::zstd;
  put("table", "zstd-blocks", table_of(zstd, 40, 40, false));
  table_options no_filter = plain;
  no_filter.bloom_bits_per_key = 0;
  no_filter.restart_interval = 1;
  put("table", "no-filter-restart-1", table_of(no_filter, 30, 10, true));
  table_options one_block;
  one_block.compression = block_codec::none;
  put("table", "one-block", table_of(one_block, 5, 8, false));
  put("table", "empty", table_of(one_block, 0, 0, false));
  // Only the footer, and a file too short for one.
  put("table", "footer-only", raw.substr(raw.size() - footer_bytes));
  put("table", "too-short", raw.substr(raw.size() - 10));
}

// --- version edits, MANIFESTs, CURRENT ---

file_meta meta(std::uint64_t number, int first, int last, sequence_number s0, sequence_number s1) {
  file_meta m;
  m.number = number;
  m.size = 1000 + number;
  append_internal_key(&m.smallest, key(first), s1, value_type::value);
  append_internal_key(&m.largest, key(last), s0, value_type::value);
  m.smallest_sequence = s0;
  m.largest_sequence = s1;
  return m;
}

std::vector<std::pair<std::string, version_edit>> make_edits() {
  std::vector<std::pair<std::string, version_edit>> out;
  version_edit create;  // create_store's first edit
  create.format_version = current_format_version;
  create.log_number = 2;
  create.next_file_number = 3;
  create.last_sequence = 0;
  out.emplace_back("create", create);
  version_edit flush;  // a flush: a level-0 file, the next log
  flush.new_files.push_back({0, meta(4, 0, 9, 1, 10)});
  flush.log_number = 5;
  flush.next_file_number = 6;
  flush.last_sequence = 10;
  out.emplace_back("flush", flush);
  version_edit flush2;
  flush2.new_files.push_back({0, meta(6, 5, 15, 11, 20)});
  flush2.log_number = 7;
  flush2.next_file_number = 8;
  flush2.last_sequence = 20;
  flush2.closed_logs.push_back({5, 4096});
  out.emplace_back("flush-closed-log", flush2);
  version_edit compaction;  // level 0 into level 1
  compaction.deleted_files.push_back({0, 4});
  compaction.deleted_files.push_back({0, 6});
  compaction.new_files.push_back({1, meta(8, 0, 7, 1, 20)});
  compaction.new_files.push_back({1, meta(9, 8, 15, 1, 20)});
  compaction.next_file_number = 10;
  out.emplace_back("compaction", compaction);
  version_edit deep;
  deep.new_files.push_back({6, meta(10, 20, 30, 21, 30)});
  deep.closed_logs.push_back({7, 100});
  deep.closed_logs.push_back({11, 0});
  deep.next_file_number = 12;
  out.emplace_back("deep-level", deep);
  return out;
}

void write_edits() {
  version_edit snapshot;
  for (const auto& [name, edit] : make_edits()) {
    std::string rep;
    edit.encode(&rep);
    put("version_edit", name, rep);
    put("version_edit", name + "-cut", rep.substr(0, rep.size() - 1));
  }
  std::string unknown_tag;
  unknown_tag.push_back(static_cast<char>(99));
  unknown_tag.push_back(1);
  put("version_edit", "unknown-tag", unknown_tag);
  version_edit newer;
  newer.format_version = current_format_version + 1;
  std::string rep;
  newer.encode(&rep);
  put("version_edit", "newer-format", rep);

  std::vector<std::string> records;
  for (const auto& [name, edit] : make_edits()) {
    std::string r;
    edit.encode(&r);
    records.push_back(r);
  }
  const std::string manifest = log_of(records);
  put("manifest", "create-flush-compact", manifest);
  put_damaged("manifest", "create-flush-compact", manifest);
  put("manifest", "create-only", log_of({records[0]}));
  // A rolled MANIFEST: one snapshot edit holding the whole state.
  version_edit whole = make_edits()[0].second;
  whole.new_files.push_back({1, meta(8, 0, 7, 1, 20)});
  whole.new_files.push_back({1, meta(9, 8, 15, 1, 20)});
  whole.new_files.push_back({6, meta(10, 20, 30, 21, 30)});
  whole.closed_logs.push_back({11, 0});
  std::string w;
  whole.encode(&w);
  put("manifest", "snapshot", log_of({w, records[1]}));
  // An edit that does not apply: deletes a file no level holds.
  version_edit bad;
  bad.deleted_files.push_back({2, 77});
  std::string b;
  bad.encode(&b);
  put("manifest", "bad-delete", log_of({records[0], b, records[1]}));
}

void write_current() {
  put("current", "first", manifest_file_name(1) + "\n");
  put("current", "large", manifest_file_name(1234567) + "\n");
  put("current", "largest", manifest_file_name(UINT64_MAX) + "\n");
  put("current", "no-newline", manifest_file_name(4));
  put("current", "short-number", "MANIFEST-4\n");
  put("current", "a-log", log_file_name(4) + "\n");
  put("current", "empty", "");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  root = argv[1];
  for (const char* target : {"batch", "wal_reader", "table", "version_edit", "manifest", "current"})
    if (fs::exists(root / target))
      for (const auto& e : fs::directory_iterator(root / target))
        if (e.path().filename().string().rfind("seed-", 0) == 0) fs::remove(e.path());
  write_batches();
  write_logs();
  write_tables();
  write_edits();
  write_current();
  std::printf("%zu seed files (%zu bytes) written under %s\n", written, bytes_written, argv[1]);
  return 0;
}
