#include "storage_format/version/manifest.hpp"

#include "storage_format/util/kill_point.hpp"
#include "storage_format/version/file_names.hpp"

namespace kepler::storage {

manifest::manifest(file_system& fs, std::string dir, std::uint64_t number,
                   std::unique_ptr<writable_file> file)
    : fs_(fs),
      dir_(std::move(dir)),
      number_(number),
      file_(std::move(file)),
      log_(file_.get()),
      base_size_(file_->size()) {}

status manifest::create(file_system& fs, const std::string& dir, std::uint64_t number,
                        const version_edit& snapshot, std::unique_ptr<manifest>* out) {
  std::unique_ptr<writable_file> file;
  const auto name = manifest_file_name(number);
  KEPLER_RETURN_IF_ERROR(fs.new_writable_file(join_path(dir, name), &file));
  std::string record;
  snapshot.encode(&record);
  log::writer writer(file.get());
  KEPLER_RETURN_IF_ERROR(writer.append_record(record));
  KEPLER_RETURN_IF_ERROR(file->sync());
  KEPLER_RETURN_IF_ERROR(write_file_atomically(fs, dir, current_file_name, name + "\n"));
  out->reset(new manifest(fs, dir, number, std::move(file)));
  return status::ok();
}

status manifest::log_and_apply(const version_edit& edit, version_set* versions) {
  std::string record;
  edit.encode(&record);
  KEPLER_RETURN_IF_ERROR(log_.append_record(record));
  kill_points::reach(kill_points::after_manifest_append);
  KEPLER_RETURN_IF_ERROR(file_->sync());
  kill_points::reach(kill_points::after_manifest_sync);
  return versions->apply(edit, file_->path());
}

bool manifest::wants_roll(std::uint64_t roll_bytes) const {
  return file_->size() >= roll_bytes && file_->size() >= 2 * base_size_;
}

status manifest::roll(const version_set& versions, std::uint64_t new_number,
                      std::uint64_t next_file) {
  auto snapshot = versions.snapshot();
  snapshot.next_file_number = next_file;
  std::unique_ptr<manifest> next;
  KEPLER_RETURN_IF_ERROR(create(fs_, dir_, new_number, snapshot, &next));
  // CURRENT names the new MANIFEST now: the old one is obsolete, and failing to remove it only
  // leaves a file the next open removes.
  file_->close();
  fs_.remove_file(join_path(dir_, manifest_file_name(number_)));
  number_ = next->number_;
  file_ = std::move(next->file_);
  log_ = log::writer(file_.get());
  base_size_ = file_->size();
  return status::ok();
}

}  // namespace kepler::storage
