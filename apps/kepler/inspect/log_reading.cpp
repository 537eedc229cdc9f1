#include "inspect/log_reading.hpp"

#include <memory>

#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/util/file_system.hpp"

namespace kepler::cli {

namespace st = kepler::storage;

st::status read_log(const std::string& path, log_reading* out, const batch_visitor& visit) {
  std::unique_ptr<st::readable_file> file;
  KEPLER_RETURN_IF_ERROR(st::file_system::posix()->new_readable_file(path, &file));
  out->size = file->size();
  st::log::reader reader(file.get());
  std::string record;
  std::uint64_t offset = 0;
  while (reader.read_record(&record, &offset)) {
    const std::string where = path + ": record at offset " + std::to_string(offset);
    if (record.size() < st::batch::header_size)
      return st::status::corruption(where + ": too short for a write batch");
    if (auto s = st::batch::validate(record); !s)
      return st::status::corruption(where + ": " + s.message());
    const auto first = st::batch::sequence(record);
    const auto n = st::batch::count(record);
    if (n > 0) {
      // An older sequence after a newer one would let the older value win at replay.
      if (out->entries > 0 && first <= out->last_sequence)
        return st::status::corruption(where + ": sequence " + std::to_string(first) +
                                      " does not follow " + std::to_string(out->last_sequence));
      if (out->entries == 0) out->first_sequence = first;
      out->last_sequence = first + n - 1;
    }
    ++out->records;
    out->entries += n;
    if (visit) visit(offset, record);
  }
  out->last_record_end = reader.last_record_end();
  out->drops = reader.drops();
  out->torn_tail = !out->drops.empty() && reader.damage_only_at_tail();
  for (const auto& d : out->drops)
    if (d.reason == st::log::drop_reason::read_error)
      return st::status::io_error(path + ": offset " + std::to_string(d.offset) +
                                  ": the log could not be read");
  return st::status::ok();
}

}  // namespace kepler::cli
