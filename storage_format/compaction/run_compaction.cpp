#include "storage_format/compaction/run_compaction.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include "storage_format/compaction/drop_rule.hpp"
#include "storage_format/compaction/output_splitter.hpp"
#include "storage_format/util/kill_point.hpp"
#include "storage_format/version/file_names.hpp"
#include "storage_format/version/table_file_writer.hpp"

namespace kepler::storage {

namespace {

constexpr table_file_writer::kill_points_at compaction_kill_points{
    kill_points::after_compaction_write, kill_points::after_compaction_sync};

// One run of the merge: the open output, the finished ones, and the figures.
class merge_job {
 public:
  merge_job(file_system& fs, const std::string& dir, const table_options& table,
            const compaction& c, const std::vector<sequence_number>& snapshots,
            std::function<std::uint64_t()> new_file_number, const std::atomic<bool>* cancel,
            compaction_result* out)
      : fs_(fs),
        dir_(dir),
        table_(table),
        rule_(c, snapshots),
        splitter_(c.grandparents, c.options),
        new_file_number_(std::move(new_file_number)),
        cancel_(cancel),
        out_(out) {}

  status run(internal_iterator& input) {
    std::string previous;  // the last input key, for the order check
    input.seek_to_first();
    for (; input.valid(); input.next()) {
      if (out_->entries_in % compaction_cancel_check_interval == 0 && cancelled()) return aborted();
      const std::string_view key = input.key();
      parsed_internal_key parsed;
      if (!parse_internal_key(key, &parsed))
        return status::corruption("compaction input entry " + std::to_string(out_->entries_in) +
                                  " is not an internal key (" + std::to_string(key.size()) +
                                  " bytes)");
      if (out_->entries_in > 0 && compare_internal_keys(previous, key) >= 0)
        return status::corruption("compaction input entry " + std::to_string(out_->entries_in) +
                                  " does not sort after the entry before it");
      previous.assign(key.data(), key.size());
      ++out_->entries_in;
      switch (rule_.judge(parsed)) {
        case drop_rule::verdict::drop_overwritten:
          ++out_->overwritten_dropped;
          continue;
        case drop_rule::verdict::drop_deletion:
          ++out_->deletions_dropped;
          continue;
        case drop_rule::verdict::keep:
          break;
      }
      KEPLER_RETURN_IF_ERROR(write(key, parsed.user_key, input.value()));
    }
    KEPLER_RETURN_IF_ERROR(input.state());
    if (cancelled()) return aborted();
    if (writer_ != nullptr) return close_output();
    return status::ok();
  }

  // Removes every output, the open one and the finished ones: nothing names them yet.
  void discard_outputs() {
    if (writer_ != nullptr) writer_->abandon();
    writer_.reset();
    for (const file_meta& f : out_->outputs) {
      const std::string path = join_path(dir_, table_file_name(f.number));
      if (fs_.exists(path)) (void)fs_.remove_file(path);
    }
    out_->outputs.clear();
    out_->bytes_written = 0;
  }

 private:
  bool cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }
  static status aborted() { return status::aborted("the compaction was cancelled"); }

  status write(std::string_view key, std::string_view user_key, std::string_view value) {
    const bool close = splitter_.should_close_before(key, writer_ ? writer_->file_size() : 0);
    // Never between two versions of one user key: the files of a level may not share one.
    if (close && writer_ != nullptr && extract_user_key(writer_->meta().largest) != user_key) {
      KEPLER_RETURN_IF_ERROR(close_output());
      splitter_.output_closed();
    }
    if (writer_ == nullptr)
      KEPLER_RETURN_IF_ERROR(
          table_file_writer::create(fs_, dir_, table_, new_file_number_(), &writer_));
    KEPLER_RETURN_IF_ERROR(writer_->add(key, value));
    ++out_->entries_out;
    return status::ok();
  }

  status close_output() {
    KEPLER_RETURN_IF_ERROR(writer_->finish(compaction_kill_points));
    out_->outputs.push_back(writer_->meta());
    out_->bytes_written += writer_->meta().size;
    writer_.reset();
    return status::ok();
  }

  file_system& fs_;
  const std::string& dir_;
  const table_options& table_;
  drop_rule rule_;
  output_splitter splitter_;
  std::function<std::uint64_t()> new_file_number_;
  const std::atomic<bool>* cancel_;
  compaction_result* out_;
  std::unique_ptr<table_file_writer> writer_;  // the open output; null between outputs
};

}  // namespace

status run_compaction(file_system& fs, const std::string& dir, const table_options& table,
                      const compaction& c, internal_iterator& input,
                      const std::vector<sequence_number>& snapshots,
                      std::function<std::uint64_t()> new_file_number,
                      const std::atomic<bool>* cancel, compaction_result* out) {
  *out = compaction_result{};
  out->bytes_read = c.input_bytes();
  if (!std::is_sorted(snapshots.begin(), snapshots.end()))
    return status::invalid_argument("compaction: the snapshots are not in ascending order");
  merge_job job(fs, dir, table, c, snapshots, std::move(new_file_number), cancel, out);
  status s = job.run(input);
  if (!s.is_ok()) job.discard_outputs();
  return s;
}

}  // namespace kepler::storage
