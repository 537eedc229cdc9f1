#include "inspect/log_inspect.hpp"

#include "command_line.hpp"
#include "inspect/inspect_text.hpp"
#include "inspect/log_reading.hpp"
#include "storage_format/memtable/batch_format.hpp"

namespace kepler::cli {

namespace st = kepler::storage;

namespace {

// Tab-separated, as the dump format: the escaped forms never hold a tab.
class entry_printer : public st::batch::handler {
 public:
  explicit entry_printer(byte_format f) : format_(f) {}
  void put(st::sequence_number seq, std::string_view key, std::string_view value) override {
    print("  put\t" + std::to_string(seq) + "\t" + format_bytes(key, format_) + "\t" +
          format_bytes(value, format_) + "\n");
  }
  void remove(st::sequence_number seq, std::string_view key) override {
    print("  del\t" + std::to_string(seq) + "\t" + format_bytes(key, format_) + "\n");
  }

 private:
  byte_format format_;
};

}  // namespace

int run_log(const std::string& path, byte_format f) {
  print("log: " + path + "\n");
  entry_printer printer(f);
  log_reading r;
  const st::status s = read_log(path, &r, [&](std::uint64_t offset, std::string_view batch) {
    print("record at offset " + std::to_string(offset) + ": sequence " +
          std::to_string(st::batch::sequence(batch)) + ", entries " +
          std::to_string(st::batch::count(batch)) + "\n");
    st::batch::for_each(batch, printer);  // validated by read_log
  });
  std::string out = "records: " + std::to_string(r.records) + "\n";
  out += "entries: " + std::to_string(r.entries) + "\n";
  out += "sequences: " +
         (r.entries ? std::to_string(r.first_sequence) + ".." + std::to_string(r.last_sequence)
                    : std::string("none")) +
         "\n";
  out += "bytes: " + std::to_string(r.size) + ", sound records end at " +
         std::to_string(r.last_record_end) + "\n";
  for (const auto& d : r.drops)
    out += "dropped: offset " + std::to_string(d.offset) + ", " + std::to_string(d.bytes) +
           " bytes, " + st::log::to_string(d.reason) +
           (d.offset >= r.last_record_end ? ", torn tail (no sound record after it)"
                                          : ", damage (sound records follow)") +
           "\n";
  print(out);
  if (!s) return fail(describe_problem(path, s));
  if (!r.drops.empty() && !r.torn_tail) {
    const auto& d = r.drops.front();
    return fail(path + ": corruption at offset " + std::to_string(d.offset) + ": " +
                st::log::to_string(d.reason) + " (" + std::to_string(d.bytes) +
                " bytes dropped) with sound records after it");
  }
  return exit_ok;
}

}  // namespace kepler::cli
