#include "storage_format/version/salvage_tables.hpp"

#include <memory>
#include <utility>

#include "storage_format/table/table_reader.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/table_file_writer.hpp"

namespace kepler::storage {
namespace {

// Kill points no crash test arms: salvage is an operator's rescue, not part of the protocol the
// crash tests walk.
constexpr table_file_writer::kill_points_at no_kill_points{"salvage_table_write",
                                                           "salvage_table_sync"};

// Writes `entries` (sorted, sound) as table `number`; `*meta` is what the edit records.
status write_salvaged(file_system& fs, const std::string& dir, const table_options& options,
                      std::uint64_t number,
                      const std::vector<std::pair<std::string, std::string>>& entries,
                      file_meta* meta) {
  std::unique_ptr<table_file_writer> writer;
  KEPLER_RETURN_IF_ERROR(table_file_writer::create(fs, dir, options, number, &writer));
  for (const auto& [key, value] : entries) {
    auto s = writer->add(key, value);
    if (!s) {
      writer->abandon();
      return s;
    }
  }
  auto s = writer->finish(no_kill_points);
  if (!s) {
    writer->abandon();
    return s;
  }
  *meta = writer->meta();
  return status::ok();
}

}  // namespace

status salvage_tables(file_system& fs, const std::string& dir, const table_options& options,
                      const version& v, std::uint64_t* next_file, version_edit* edit,
                      std::vector<std::string>* damage) {
  for (int level = 0; level < num_levels; ++level)
    for (const auto& f : v.files(level)) {
      const auto path = join_path(dir, table_file_name(f->number));
      auto drop = [&](const std::string& why) {
        edit->deleted_files.push_back({level, f->number});
        damage->push_back(path + ": " + why + "; dropped from level " + std::to_string(level) +
                          " (" + std::to_string(f->size) + " bytes recorded)");
      };
      // Only damage is skipped: a failed read may have met sound bytes, so any other error
      // fails the open rather than drop what a retry could read.
      std::uint64_t size = 0;
      if (auto sized = fs.file_size(path, &size); !sized) {
        if (sized.code() != status_code::not_found) return sized;
        drop("missing");
        continue;
      }
      if (size != f->size) {
        drop("holds " + std::to_string(size) + " bytes, not the recorded " +
             std::to_string(f->size));
        continue;
      }
      std::unique_ptr<readable_file> file;
      std::unique_ptr<table_reader> reader;
      KEPLER_RETURN_IF_ERROR(fs.new_readable_file(path, &file));
      auto opened = table_reader::open(std::move(file), nullptr, &reader);
      if (!opened) {
        if (opened.code() != status_code::corruption) return opened;
        drop(opened.message());
        continue;
      }
      std::vector<std::pair<std::string, std::string>> entries;
      std::size_t skipped = 0;
      for (std::size_t i = 0; i < reader->data_blocks(); ++i) {
        auto s = reader->read_data_block_entries(i, &entries);
        if (!s) {
          if (s.code() != status_code::corruption) return s;
          ++skipped;
          damage->push_back(s.message() + " (block skipped)");
        }
      }
      if (skipped == 0) continue;
      if (entries.empty()) {
        drop("no sound data block");
        continue;
      }
      file_meta meta;
      const std::uint64_t number = (*next_file)++;
      KEPLER_RETURN_IF_ERROR(write_salvaged(fs, dir, options, number, entries, &meta));
      edit->deleted_files.push_back({level, f->number});
      edit->new_files.push_back({level, meta});
      damage->push_back(path + ": rewritten as " + table_file_name(number) + " with the " +
                        std::to_string(entries.size()) + " entries of its " +
                        std::to_string(reader->data_blocks() - skipped) + " sound blocks (" +
                        std::to_string(skipped) + " skipped)");
    }
  return status::ok();
}

}  // namespace kepler::storage
