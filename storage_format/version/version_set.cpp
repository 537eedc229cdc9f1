#include "storage_format/version/version_set.hpp"

#include <algorithm>

namespace kepler::storage {

version_set::version_set() : current_(std::make_shared<version>()) {}

status version_set::apply(const version_edit& edit, const std::string& where) {
  std::shared_ptr<const version> next = current_;
  if (!edit.new_files.empty() || !edit.deleted_files.empty()) {
    version_builder builder(*current_);
    for (const auto& d : edit.deleted_files) builder.delete_file(d.level, d.number);
    for (const auto& n : edit.new_files)
      builder.add_file(n.level, std::make_shared<const file_meta>(n.meta));
    std::string why;
    if (!builder.finish(&next, &why)) return status::corruption(where + ": " + why);
  }
  if (edit.format_version) {
    format_version_ = *edit.format_version;
    has_format_version_ = true;
  }
  if (edit.log_number) {
    log_number_ = *edit.log_number;
    has_log_number_ = true;
  }
  if (edit.next_file_number) {
    // Edits from different actors read the counter at different moments: never go back.
    next_file_number_ = std::max(next_file_number_, *edit.next_file_number);
    has_next_file_ = true;
  }
  if (edit.last_sequence) last_sequence_ = std::max(last_sequence_, *edit.last_sequence);
  for (const auto& c : edit.closed_logs) closed_logs_[c.number] = c.length;
  // Logs below the log number are obsolete: their lengths no longer matter.
  closed_logs_.erase(closed_logs_.begin(), closed_logs_.lower_bound(log_number_));
  for (const auto& d : edit.deleted_files) removed_.insert(d.number);
  if (next != current_) {
    older_.push_back(current_);
    current_ = std::move(next);
    older_.erase(std::remove_if(older_.begin(), older_.end(),
                                [](const std::weak_ptr<const version>& v) { return v.expired(); }),
                 older_.end());
  }
  return status::ok();
}

version_edit version_set::snapshot() const {
  version_edit edit;
  edit.format_version = format_version_;
  edit.log_number = log_number_;
  edit.next_file_number = next_file_number_;
  edit.last_sequence = last_sequence_;
  for (int level = 0; level < num_levels; ++level)
    for (const auto& f : current_->files(level)) edit.new_files.push_back({level, *f});
  for (const auto& [number, length] : closed_logs_) edit.closed_logs.push_back({number, length});
  return edit;
}

std::set<std::uint64_t> version_set::live_tables() const {
  std::set<std::uint64_t> live;
  auto add = [&live](const version& v) {
    for (int level = 0; level < num_levels; ++level)
      for (const auto& f : v.files(level)) live.insert(f->number);
  };
  add(*current_);
  for (const auto& weak : older_)
    if (auto held = weak.lock()) add(*held);
  return live;
}

std::vector<std::uint64_t> version_set::take_deletable_tables() {
  auto live = live_tables();
  std::vector<std::uint64_t> deletable;
  for (auto it = removed_.begin(); it != removed_.end();) {
    if (live.count(*it) == 0) {
      deletable.push_back(*it);
      it = removed_.erase(it);
    } else {
      ++it;
    }
  }
  return deletable;
}

}  // namespace kepler::storage
