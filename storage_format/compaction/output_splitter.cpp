#include "storage_format/compaction/output_splitter.hpp"

#include "storage_format/memtable/internal_key.hpp"

namespace kepler::storage {

output_splitter::output_splitter(const std::vector<compaction::file_ptr>& grandparents,
                                 const compaction_options& opts)
    : grandparents_(grandparents),
      target_file_size_(opts.target_file_size),
      max_overlap_(opts.max_grandparent_overlap) {}

bool output_splitter::should_close_before(std::string_view internal_key,
                                          std::uint64_t output_bytes) {
  // Every grandparent that ends before this key lies wholly inside the output once the key
  // joins it. The grandparents before the compaction's first key are not the output's.
  while (next_ < grandparents_.size() &&
         compare_internal_keys(internal_key, grandparents_[next_]->largest) > 0) {
    if (seen_key_) overlap_ += grandparents_[next_]->size;
    ++next_;
  }
  seen_key_ = true;
  return output_bytes >= target_file_size_ || overlap_ > max_overlap_;
}

}  // namespace kepler::storage
