#include "storage_format/version/version.hpp"

#include <algorithm>

namespace kepler::storage {

namespace {

bool range_holds(const file_meta& f, std::string_view user_key) {
  return extract_user_key(f.smallest) <= user_key && user_key <= extract_user_key(f.largest);
}

// Level 0: the newest data first, so a lookup stops at the first file that knows the key.
bool newer_first(const version::file_ptr& a, const version::file_ptr& b) {
  if (a->largest_sequence != b->largest_sequence) return a->largest_sequence > b->largest_sequence;
  return a->number > b->number;
}

bool by_smallest_key(const version::file_ptr& a, const version::file_ptr& b) {
  return compare_internal_keys(a->smallest, b->smallest) < 0;
}

}  // namespace

std::size_t version::file_count() const {
  std::size_t n = 0;
  for (const auto& level : levels_) n += level.size();
  return n;
}

std::uint64_t version::level_bytes(int level) const {
  std::uint64_t bytes = 0;
  for (const auto& f : levels_[level]) bytes += f->size;
  return bytes;
}

std::vector<const file_meta*> version::files_for_key(int level, std::string_view user_key) const {
  std::vector<const file_meta*> out;
  const auto& files = levels_[level];
  if (level == 0) {
    for (const auto& f : files)
      if (range_holds(*f, user_key)) out.push_back(f.get());
    return out;
  }
  // Disjoint and sorted: the first file whose largest user key is at or after the key.
  auto it = std::lower_bound(
      files.begin(), files.end(), user_key,
      [](const file_ptr& f, std::string_view k) { return extract_user_key(f->largest) < k; });
  if (it != files.end() && range_holds(**it, user_key)) out.push_back(it->get());
  return out;
}

version_builder::version_builder(const version& base) {
  for (int level = 0; level < num_levels; ++level) levels_[level] = base.levels_[level];
}

void version_builder::add_file(int level, file_ptr file) {
  for (const auto& files : levels_)
    for (const auto& f : files)
      if (f->number == file->number && error_.empty())
        error_ = "table " + std::to_string(file->number) + " is added twice";
  levels_[level].push_back(std::move(file));
}

void version_builder::delete_file(int level, std::uint64_t number) {
  auto& files = levels_[level];
  auto it = std::find_if(files.begin(), files.end(),
                         [number](const file_ptr& f) { return f->number == number; });
  if (it == files.end()) {
    if (error_.empty())
      error_ = "table " + std::to_string(number) + " is deleted from level " +
               std::to_string(level) + ", which does not hold it";
    return;
  }
  files.erase(it);
}

bool version_builder::finish(std::shared_ptr<const version>* out, std::string* why) {
  if (!error_.empty()) {
    *why = error_;
    return false;
  }
  std::sort(levels_[0].begin(), levels_[0].end(), newer_first);
  for (int level = 1; level < num_levels; ++level) {
    auto& files = levels_[level];
    std::sort(files.begin(), files.end(), by_smallest_key);
    for (std::size_t i = 1; i < files.size(); ++i)
      if (extract_user_key(files[i - 1]->largest) >= extract_user_key(files[i]->smallest)) {
        *why = "tables " + std::to_string(files[i - 1]->number) + " and " +
               std::to_string(files[i]->number) + " overlap on level " + std::to_string(level);
        return false;
      }
  }
  auto next = std::make_shared<version>();
  for (int level = 0; level < num_levels; ++level) next->levels_[level] = std::move(levels_[level]);
  *out = std::move(next);
  return true;
}

}  // namespace kepler::storage
