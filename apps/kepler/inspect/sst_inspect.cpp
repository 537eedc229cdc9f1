#include "inspect/sst_inspect.hpp"

#include "command_line.hpp"
#include "inspect/inspect_text.hpp"
#include "inspect/table_check.hpp"
#include "storage_format/table/block_compression.hpp"
#include "storage_format/table/table_format.hpp"

namespace kepler::cli {

namespace st = kepler::storage;

namespace {

std::string codec_name(std::uint8_t kind_byte) {
  const std::uint8_t codec = kind_byte >> st::trailer_codec_shift;
  if (codec > st::max_block_codec) return "codec" + std::to_string(codec);
  return st::to_string(static_cast<st::block_codec>(codec));
}

void print_properties(const st::table_reader& t, byte_format f) {
  const auto& p = t.properties();
  std::uint64_t stored = 0;
  for (std::size_t i = 0; i < t.data_blocks(); ++i) stored += t.data_block_handle(i).size;
  std::string out;
  out += "file: " + t.path() + "\n";
  out += "file bytes: " + std::to_string(t.file_size()) + "\n";
  out += "format version: " + std::to_string(t.format_version()) + "\n";
  out += "entries: " + std::to_string(p.entries) + "\n";
  out += "deletions: " + std::to_string(p.deletions) + "\n";
  out += "data blocks: " + std::to_string(p.data_blocks) + "\n";
  out += "raw key bytes: " + std::to_string(p.raw_key_bytes) + "\n";
  out += "raw value bytes: " + std::to_string(p.raw_value_bytes) + "\n";
  out += "stored data bytes: " + std::to_string(stored) + "\n";
  out += "largest data block: " + std::to_string(p.largest_data_block) + "\n";
  out += "compressed blocks: " + std::to_string(p.compressed_blocks) + "\n";
  out += "raw-kept blocks: " + std::to_string(p.raw_kept_blocks) + "\n";
  out += "min sequence: " + std::to_string(p.min_sequence) + "\n";
  out += "max sequence: " + std::to_string(p.max_sequence) + "\n";
  out += "smallest key: " + (p.entries ? format_internal_key(p.smallest_key, f) : "") + "\n";
  out += "largest key: " + (p.entries ? format_internal_key(p.largest_key, f) : "") + "\n";
  out += "filter: " +
         (t.has_filter() ? "present, " + std::to_string(t.filter_bytes()) + " bytes" : "none") +
         "\n";
  print(out);
}

// One line per data block; the columns are fixed so `awk '{print $3}'` finds the size.
st::status print_index(const st::table_reader& t, byte_format f) {
  print("index: " + std::to_string(t.data_blocks()) + " data blocks\n");
  print("  block     offset     size  codec  separator\n");
  for (std::size_t i = 0; i < t.data_blocks(); ++i) {
    std::uint8_t kind_byte = 0;
    KEPLER_RETURN_IF_ERROR(t.data_block_kind_byte(i, &kind_byte));
    const auto& h = t.data_block_handle(i);
    char columns[96];
    std::snprintf(columns, sizeof columns, "  %5zu %10llu %8llu  %-5s  ", i,
                  static_cast<unsigned long long>(h.offset),
                  static_cast<unsigned long long>(h.size), codec_name(kind_byte).c_str());
    print(columns + format_internal_key(t.data_block_separator(i), f) + "\n");
  }
  return st::status::ok();
}

// Tab-separated, as the dump format: the escaped forms never hold a tab.
st::status print_entries(const st::table_reader& t, byte_format f) {
  print("scan:\n");
  st::read_options ro;
  ro.fill_cache = false;
  auto it = t.new_iterator(ro);
  std::uint64_t n = 0;
  for (it->seek_to_first(); it->valid(); it->next(), ++n) {
    st::parsed_internal_key k;
    if (!st::parse_internal_key(it->key(), &k))
      return st::status::corruption(t.path() + ": data block at offset " +
                                    std::to_string(t.approximate_offset(it->key())) +
                                    ": an entry with an unknown value type");
    const bool value = k.type == st::value_type::value;
    print(format_bytes(k.user_key, f) + "\t" + std::to_string(k.sequence) +
          (value ? "\tvalue\t" + format_bytes(it->value(), f) : std::string("\tdeletion")) + "\n");
  }
  if (!it->state()) return it->state();
  print("scanned entries: " + std::to_string(n) + "\n");
  return st::status::ok();
}

}  // namespace

int run_sst(const sst_request& r) {
  std::unique_ptr<st::table_reader> table;
  if (auto s = open_table(r.path, &table); !s) return fail(describe_problem(r.path, s));
  print_properties(*table, r.format);
  if (auto s = print_index(*table, r.format); !s) return fail(describe_problem(r.path, s));
  if (r.scan)
    if (auto s = print_entries(*table, r.format); !s) return fail(describe_problem(r.path, s));
  if (r.verify) {
    table_tally tally;
    std::fflush(stdout);
    if (auto s = verify_table(*table, &tally); !s) return fail(describe_problem(r.path, s));
    print("verified: " + std::to_string(tally.blocks) + " data blocks, " +
          std::to_string(tally.stored_bytes) + " stored bytes, " + std::to_string(tally.raw_bytes) +
          " raw bytes, " + std::to_string(tally.entries) +
          " entries; footer, properties, filter and index verified at open\n");
  }
  return exit_ok;
}

}  // namespace kepler::cli
