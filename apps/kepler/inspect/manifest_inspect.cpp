#include "inspect/manifest_inspect.hpp"

#include "command_line.hpp"
#include "inspect/inspect_text.hpp"
#include "inspect/manifest_reading.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::cli {

namespace st = kepler::storage;

namespace {

std::string file_line(int level, const st::file_meta& m, byte_format f) {
  return "level " + std::to_string(level) + ", number " + std::to_string(m.number) + ", size " +
         std::to_string(m.size) + ", smallest " + format_internal_key(m.smallest, f) +
         ", largest " + format_internal_key(m.largest, f) + ", sequences " +
         std::to_string(m.smallest_sequence) + ".." + std::to_string(m.largest_sequence);
}

void print_edit(const manifest_record& r, std::size_t index, byte_format f) {
  const auto& e = r.edit;
  std::string out =
      "record " + std::to_string(index) + " at offset " + std::to_string(r.offset) + ":\n";
  if (e.format_version) out += "  format version: " + std::to_string(*e.format_version) + "\n";
  if (e.log_number) out += "  log number: " + std::to_string(*e.log_number) + "\n";
  if (e.next_file_number)
    out += "  next file number: " + std::to_string(*e.next_file_number) + "\n";
  if (e.last_sequence) out += "  last sequence: " + std::to_string(*e.last_sequence) + "\n";
  for (const auto& d : e.deleted_files)
    out += "  deleted file: level " + std::to_string(d.level) + ", number " +
           std::to_string(d.number) + "\n";
  for (const auto& n : e.new_files) out += "  new file: " + file_line(n.level, n.meta, f) + "\n";
  for (const auto& c : e.closed_logs)
    out += "  closed log: number " + std::to_string(c.number) + ", length " +
           std::to_string(c.length) + "\n";
  print(out);
}

void print_version(const st::version_set& vs, byte_format f) {
  std::string out = "version:\n";
  out += "  format version: " + std::to_string(vs.format_version()) + "\n";
  out += "  log number: " + std::to_string(vs.log_number()) + "\n";
  out += "  next file number: " + std::to_string(vs.next_file_number()) + "\n";
  out += "  last sequence: " + std::to_string(vs.last_sequence()) + "\n";
  for (const auto& [number, length] : vs.closed_logs())
    out += "  closed log: number " + std::to_string(number) + ", length " + std::to_string(length) +
           "\n";
  const auto v = vs.current();
  for (int level = 0; level < st::num_levels; ++level) {
    if (v->files(level).empty()) continue;
    out += "  level " + std::to_string(level) + ": " + std::to_string(v->files(level).size()) +
           " files, " + std::to_string(v->level_bytes(level)) + " bytes\n";
    for (const auto& m : v->files(level)) out += "    file: " + file_line(level, *m, f) + "\n";
  }
  out += "  files: " + std::to_string(v->file_count()) + "\n";
  print(out);
}

}  // namespace

int run_manifest(const std::string& dir, byte_format f) {
  manifest_reading m;
  const st::status s = read_manifest(dir, &m);
  if (!m.path.empty()) print("manifest: " + m.path + "\n");
  for (std::size_t i = 0; i < m.records.size(); ++i) print_edit(m.records[i], i, f);
  print("records: " + std::to_string(m.records.size()) + "\n");
  if (!s) return fail(describe_problem(m.path.empty() ? dir + "/CURRENT" : m.path, s));
  for (const auto& d : m.drops)
    print("torn tail: offset " + std::to_string(d.offset) + ", " + std::to_string(d.bytes) +
          " bytes, " + st::log::to_string(d.reason) +
          " (after the last sound record: recovery ignores it as a crash's end)\n");
  print_version(m.versions, f);
  return exit_ok;
}

}  // namespace kepler::cli
