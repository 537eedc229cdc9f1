#include "inspect/store_check.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "command_line.hpp"
#include "inspect/inspect_text.hpp"
#include "inspect/log_reading.hpp"
#include "inspect/manifest_reading.hpp"
#include "inspect/table_check.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/version.hpp"

namespace kepler::cli {

namespace st = kepler::storage;

namespace {

struct check_totals {
  std::uint64_t tables = 0;
  table_tally blocks;
  std::uint64_t logs = 0;
  std::uint64_t log_records = 0;
  std::uint64_t log_entries = 0;
  std::uint64_t problems = 0;
};

class store_checker {
 public:
  explicit store_checker(std::string dir) : dir_(std::move(dir)) {}

  int run() {
    const st::status read = read_manifest(dir_, &manifest_);
    if (!read) {
      problem(describe_problem(
          manifest_.path.empty() ? path(st::current_file_name) : manifest_.path, read));
      summary();
      return exit_failed;
    }
    print("manifest: " + manifest_.path + ": " + std::to_string(manifest_.records.size()) +
          " records, log number " + std::to_string(manifest_.versions.log_number()) +
          ", next file number " + std::to_string(manifest_.versions.next_file_number()) +
          ", last sequence " + std::to_string(manifest_.versions.last_sequence()) + "\n");
    for (const auto& d : manifest_.drops)
      note(manifest_.path + ": torn tail at offset " + std::to_string(d.offset) + ", " +
           std::to_string(d.bytes) + " bytes, " + st::log::to_string(d.reason) +
           " (recovery ignores it)");
    if (auto s = st::file_system::posix()->list_dir(dir_, &names_); !s) {
      problem(describe_problem(dir_, s));
      summary();
      return exit_failed;
    }
    std::sort(names_.begin(), names_.end());
    check_tables();
    check_logs();
    check_leftovers();
    summary();
    return totals_.problems == 0 ? exit_ok : exit_failed;
  }

 private:
  std::string path(const std::string& name) const { return st::join_path(dir_, name); }

  void problem(const std::string& line) {
    ++totals_.problems;
    fail(line);
  }
  void note(const std::string& line) { print("note: " + line + "\n"); }
  void warning(const std::string& line) { print("warning: " + line + "\n"); }

  void check_tables() {
    const auto v = manifest_.versions.current();
    for (int level = 0; level < st::num_levels; ++level)
      for (const auto& meta : v->files(level)) check_table(level, *meta);
  }

  void check_table(int level, const st::file_meta& meta) {
    const std::string p = path(st::table_file_name(meta.number));
    referenced_.insert(st::table_file_name(meta.number));
    ++totals_.tables;
    std::uint64_t size = 0;
    if (auto s = st::file_system::posix()->file_size(p, &size); !s) {
      problem(p + ": missing: the MANIFEST names this table file (level " + std::to_string(level) +
              ")");
      return;
    }
    if (size != meta.size) {
      problem(p + ": holds " + std::to_string(size) + " bytes, the MANIFEST recorded " +
              std::to_string(meta.size));
      return;
    }
    std::unique_ptr<st::table_reader> table;
    if (auto s = open_table(p, &table); !s) return problem(describe_problem(p, s));
    table_tally tally;
    if (auto s = verify_table(*table, &tally); !s) return problem(describe_problem(p, s));
    totals_.blocks.blocks += tally.blocks;
    totals_.blocks.stored_bytes += tally.stored_bytes;
    totals_.blocks.raw_bytes += tally.raw_bytes;
    totals_.blocks.entries += tally.entries;
    const auto& props = table->properties();
    // The MANIFEST's range is what reads and compactions trust to skip a file: it must be the
    // file's own.
    if (props.smallest_key != meta.smallest || props.largest_key != meta.largest)
      return problem(p + ": key range " + format_internal_key(props.smallest_key, {}) + ".." +
                     format_internal_key(props.largest_key, {}) + " is not the MANIFEST's " +
                     format_internal_key(meta.smallest, {}) + ".." +
                     format_internal_key(meta.largest, {}));
    if (props.min_sequence != meta.smallest_sequence || props.max_sequence != meta.largest_sequence)
      return problem(p + ": sequences " + std::to_string(props.min_sequence) + ".." +
                     std::to_string(props.max_sequence) + " are not the MANIFEST's " +
                     std::to_string(meta.smallest_sequence) + ".." +
                     std::to_string(meta.largest_sequence));
    print("table: " + p + ": level " + std::to_string(level) + ", " + std::to_string(size) +
          " bytes, " + std::to_string(tally.blocks) + " blocks, " + std::to_string(tally.entries) +
          " entries: ok\n");
  }

  void check_logs() {
    const auto& vs = manifest_.versions;
    std::vector<std::uint64_t> logs;
    for (const auto& name : names_) {
      std::uint64_t number = 0;
      if (st::parse_file_name(name, &number) == st::file_kind::log && number >= vs.log_number())
        logs.push_back(number);
    }
    for (const auto& [number, length] : vs.closed_logs())
      if (!std::binary_search(logs.begin(), logs.end(), number))
        problem(path(st::log_file_name(number)) + ": missing: the MANIFEST recorded this log as " +
                "closed at " + std::to_string(length) + " bytes");
    std::uint64_t last = vs.last_sequence();
    bool stopped = false;  // an unrecorded older log ended torn: recovery replays no further
    for (std::size_t i = 0; i < logs.size(); ++i) {
      const std::string name = st::log_file_name(logs[i]);
      const std::string p = path(name);
      referenced_.insert(name);
      ++totals_.logs;
      log_reading r;
      if (auto s = read_log(p, &r, {}); !s) {
        problem(describe_problem(p, s));
        continue;
      }
      totals_.log_records += r.records;
      totals_.log_entries += r.entries;
      const auto closed = vs.closed_logs().find(logs[i]);
      const bool newest = i + 1 == logs.size();
      std::string kind = closed != vs.closed_logs().end() ? "closed" : newest ? "newest" : "open";
      print("log: " + p + ": " + kind + ", " + std::to_string(r.size) + " bytes, " +
            std::to_string(r.records) + " records, " + std::to_string(r.entries) + " entries" +
            (r.entries ? ", sequences " + std::to_string(r.first_sequence) + ".." +
                             std::to_string(r.last_sequence)
                       : std::string()) +
            "\n");
      if (stopped) {
        note(p + ": follows a torn log; recovery drops it as torn tail");
        continue;
      }
      if (closed != vs.closed_logs().end() && r.size != closed->second)
        problem(p + ": holds " + std::to_string(r.size) + " bytes, but the MANIFEST recorded it " +
                "closed at " + std::to_string(closed->second));
      if (r.entries > 0 && r.first_sequence <= last)
        problem(p + ": corruption at offset 0: sequence " + std::to_string(r.first_sequence) +
                " does not follow " + std::to_string(last));
      if (r.entries > 0) last = r.last_sequence;
      for (const auto& d : r.drops) {
        const std::string at = p + ": " + st::log::to_string(d.reason) + " at offset " +
                               std::to_string(d.offset) + " (" + std::to_string(d.bytes) +
                               " bytes)";
        if (!r.torn_tail)
          problem(at + ": damage with sound records after it");
        else if (closed != vs.closed_logs().end())
          problem(at + ": damage at the end of a closed log, whose whole length was synced");
        else
          note(at + ": torn tail" +
               (newest ? std::string(" of the newest log (a crash's end, or a writer at work)")
                       : std::string(" of an unrecorded older log: recovery stops there")));
      }
      if (r.torn_tail && closed == vs.closed_logs().end() && !newest) stopped = true;
    }
  }

  // Files no record needs: what a crash or a failed removal left for the next open to remove.
  void check_leftovers() {
    const auto& vs = manifest_.versions;
    for (const auto& name : names_) {
      std::uint64_t number = 0;
      const auto kind = st::parse_file_name(name, &number);
      if (referenced_.count(name) || kind == st::file_kind::current || kind == st::file_kind::lock)
        continue;
      if (kind == st::file_kind::manifest && number == manifest_.number) continue;
      if (kind == st::file_kind::other) {
        note(path(name) + ": not a store file name: the store ignores it");
        continue;
      }
      const bool below = kind == st::file_kind::log && number < vs.log_number();
      warning(path(name) + (below ? ": log below the log number" : ": not referenced") +
              " (an obsolete leftover the next open removes)");
    }
  }

  void summary() {
    const std::string name =
        manifest_.number ? st::manifest_file_name(manifest_.number) : "CURRENT";
    print("checked " + name + ": " + std::to_string(manifest_.records.size()) + " records; " +
          std::to_string(totals_.tables) + " tables, " + std::to_string(totals_.blocks.blocks) +
          " blocks, " + std::to_string(totals_.blocks.stored_bytes) + " bytes, " +
          std::to_string(totals_.blocks.entries) + " entries; " + std::to_string(totals_.logs) +
          " logs, " + std::to_string(totals_.log_records) + " records, " +
          std::to_string(totals_.log_entries) + " entries; " + std::to_string(totals_.problems) +
          " problems\n");
  }

  std::string dir_;
  manifest_reading manifest_;
  std::vector<std::string> names_;
  std::set<std::string> referenced_;
  check_totals totals_;
};

}  // namespace

int run_check(const std::string& dir) {
  return store_checker(dir).run();
}

}  // namespace kepler::cli
