#include "storage_format/version/obsolete_files.hpp"

#include "storage_format/util/kill_point.hpp"
#include "storage_format/version/file_names.hpp"

namespace kepler::storage {

std::vector<std::string> obsolete_files(const std::vector<std::string>& names,
                                        const version_set& versions, std::uint64_t live_manifest) {
  auto live_tables = versions.live_tables();
  std::vector<std::string> obsolete;
  for (const auto& name : names) {
    std::uint64_t number = 0;
    switch (parse_file_name(name, &number)) {
      case file_kind::table:
        if (live_tables.count(number) == 0) obsolete.push_back(name);
        break;
      case file_kind::log:
        if (number < versions.log_number()) obsolete.push_back(name);
        break;
      case file_kind::manifest:
        if (number != live_manifest) obsolete.push_back(name);
        break;
      case file_kind::temp:
        obsolete.push_back(name);
        break;
      default:
        break;
    }
  }
  return obsolete;
}

std::size_t remove_obsolete_files(file_system& fs, const std::string& dir,
                                  const version_set& versions, std::uint64_t live_manifest) {
  std::vector<std::string> names;
  if (!fs.list_dir(dir, &names).is_ok()) return 0;
  std::size_t removed = 0;
  for (const auto& name : obsolete_files(names, versions, live_manifest)) {
    if (!fs.remove_file(join_path(dir, name)).is_ok()) continue;
    if (removed++ == 0) kill_points::reach(kill_points::during_obsolete_deletion);
  }
  return removed;
}

std::size_t move_obsolete_files(file_system& fs, const std::string& dir,
                                const version_set& versions, std::uint64_t live_manifest) {
  std::vector<std::string> names;
  if (!fs.list_dir(dir, &names).is_ok()) return 0;
  const auto obsolete = obsolete_files(names, versions, live_manifest);
  if (obsolete.empty()) return 0;
  const auto lost = join_path(dir, lost_dir_name);
  if (!fs.exists(lost) && !fs.create_dir(lost).is_ok()) return 0;
  std::size_t moved = 0;
  for (const auto& name : obsolete)
    if (fs.rename_file(join_path(dir, name), join_path(lost, name)).is_ok()) ++moved;
  // The moves are renames within the store: the directory's sync makes them durable.
  if (moved > 0) fs.sync_dir(dir);
  return moved;
}

}  // namespace kepler::storage
