#include "inspect/manifest_reading.hpp"

#include <memory>

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/version/file_names.hpp"

namespace kepler::cli {

namespace st = kepler::storage;

namespace {

st::status read_current(st::file_system& fs, const std::string& dir, std::uint64_t* number) {
  const std::string path = st::join_path(dir, st::current_file_name);
  if (!fs.exists(path))
    return st::status::corruption(path + ": missing: " + dir + " is not a KeplerDB store");
  std::string contents;
  KEPLER_RETURN_IF_ERROR(st::read_file_to_string(fs, path, &contents));
  return st::parse_current(contents, path, number);
}

// As recovery: a newer format may redefine anything after its version, so it is judged before
// a decoding failure is called damage.
st::status check_format(std::optional<std::uint32_t> seen, const st::version_edit& edit,
                        const std::string& path) {
  auto v = edit.format_version ? edit.format_version : seen;
  if (!v || *v <= st::current_format_version) return st::status::ok();
  return st::status::not_supported(path + ": store format version " + std::to_string(*v) +
                                   " is newer than this kepler reads (" +
                                   std::to_string(st::current_format_version) + ")");
}

}  // namespace

st::status read_manifest(const std::string& dir, manifest_reading* out) {
  st::file_system& fs = *st::file_system::posix();
  KEPLER_RETURN_IF_ERROR(read_current(fs, dir, &out->number));
  out->path = st::join_path(dir, st::manifest_file_name(out->number));
  std::unique_ptr<st::readable_file> file;
  auto opened = fs.new_readable_file(out->path, &file);
  if (opened.code() == st::status_code::not_found)
    return st::status::corruption(out->path + ": CURRENT names this MANIFEST, but it is missing");
  KEPLER_RETURN_IF_ERROR(opened);
  st::log::reader reader(file.get());
  std::string record;
  std::uint64_t offset = 0;
  std::optional<std::uint32_t> format;
  while (reader.read_record(&record, &offset)) {
    const std::string where = out->path + ": offset " + std::to_string(offset);
    manifest_record r;
    r.offset = offset;
    auto decoded = r.edit.decode(record, where);
    KEPLER_RETURN_IF_ERROR(check_format(format, r.edit, out->path));
    KEPLER_RETURN_IF_ERROR(decoded);
    if (out->records.empty() && !r.edit.format_version)
      return st::status::corruption(where + ": the first edit lacks the format version");
    if (r.edit.last_sequence && *r.edit.last_sequence > st::max_sequence_number)
      return st::status::corruption(where + ": last sequence passes the largest sequence number");
    if (r.edit.format_version) format = r.edit.format_version;
    KEPLER_RETURN_IF_ERROR(out->versions.apply(r.edit, where));
    out->records.push_back(std::move(r));
  }
  out->drops = reader.drops();
  for (const auto& d : out->drops)
    if (d.reason == st::log::drop_reason::read_error)
      return st::status::io_error(out->path + ": offset " + std::to_string(d.offset) +
                                  ": the MANIFEST could not be read");
  if (!reader.damage_only_at_tail()) return st::status::corruption(reader.describe_first_drop());
  out->torn_tail = !out->drops.empty();
  if (!out->versions.complete())
    return st::status::corruption(out->path +
                                  ": MANIFEST lacks the format version or file numbers");
  return st::status::ok();
}

}  // namespace kepler::cli
