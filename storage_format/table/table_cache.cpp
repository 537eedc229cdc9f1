#include "storage_format/table/table_cache.hpp"

#include <utility>

#include "storage_format/version/file_names.hpp"

namespace kepler::storage {

namespace {

constexpr std::size_t tag_bytes = 8;

// The cache's own reference: a reader with more is held by someone else.
bool in_use(const std::shared_ptr<const table_reader>& reader) {
  return reader.use_count() > 1;
}

}  // namespace

table_cache::table_cache(file_system& fs, std::string dir, std::size_t max_open_files,
                         block_cache* blocks)
    : fs_(fs),
      dir_(std::move(dir)),
      max_open_(max_open_files > 0 ? max_open_files : 1),
      blocks_(blocks) {}

table_cache::~table_cache() = default;

void table_cache::touch(entry& e, std::uint64_t number) {
  lru_.erase(e.lru);
  lru_.push_front(number);
  e.lru = lru_.begin();
}

bool table_cache::make_room() {
  // From the least recently used end; a reader in use is skipped, not moved.
  for (auto it = lru_.end(); open_.size() + opening_ >= max_open_ && it != lru_.begin();) {
    --it;
    auto found = open_.find(*it);
    if (in_use(found->second.reader)) continue;
    // The cache's reference is the last one: the file closes here, under the lock, so the
    // count of open files never passes the limit.
    open_.erase(found);
    it = lru_.erase(it);
  }
  return open_.size() + opening_ < max_open_;
}

status table_cache::open_table(const file_meta& file, std::shared_ptr<const table_reader>* out) {
  const std::string path = join_path(dir_, table_file_name(file.number));
  std::unique_ptr<readable_file> f;
  status s = fs_.new_immutable_file(path, &f);
  if (s.code() == status_code::not_found) {
    return status::corruption(path + ": table file " + std::to_string(file.number) +
                              " is missing, but the store's version names it (" + s.message() +
                              ")");
  }
  KEPLER_RETURN_IF_ERROR(s);
  if (f->size() != file.size) {
    return status::corruption(path + ": table file " + std::to_string(file.number) + " holds " +
                              std::to_string(f->size()) + " bytes, the store's version says " +
                              std::to_string(file.size));
  }
  std::unique_ptr<table_reader> reader;
  KEPLER_RETURN_IF_ERROR(table_reader::open(std::move(f), blocks_, &reader));
  *out = std::move(reader);
  return status::ok();
}

status table_cache::find(const file_meta& file, std::shared_ptr<const table_reader>* out) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (auto found = open_.find(file.number); found != open_.end()) {
      touch(found->second, file.number);
      *out = found->second.reader;
      hits_.fetch_add(1, std::memory_order_relaxed);
      return status::ok();
    }
    misses_.fetch_add(1, std::memory_order_relaxed);
    if (!make_room()) {
      return status::io_error(join_path(dir_, table_file_name(file.number)) +
                              ": cannot open the table: all " + std::to_string(max_open_) +
                              " open table files are in use (options::max_open_files = " +
                              std::to_string(max_open_) + "); raise options::max_open_files");
    }
    ++opening_;
  }
  // Opened outside the lock (it reads the footer, index and filter), in the slot taken above.
  std::shared_ptr<const table_reader> reader;
  status s = open_table(file, &reader);
  std::lock_guard<std::mutex> guard(mutex_);
  --opening_;
  if (!s.is_ok()) return s;
  if (auto found = open_.find(file.number); found != open_.end()) {
    // Another thread opened it meanwhile: keep one reader; ours closes when it goes out of scope.
    touch(found->second, file.number);
    *out = found->second.reader;
    return status::ok();
  }
  lru_.push_front(file.number);
  open_.emplace(file.number, entry{reader, lru_.begin()});
  *out = std::move(reader);
  return status::ok();
}

status table_cache::get(const read_options& options, const file_meta& file,
                        std::string_view internal_key, table_lookup* result, std::string* value) {
  if (internal_key.size() < tag_bytes) {
    return status::invalid_argument("table cache lookup: an internal key of " +
                                    std::to_string(internal_key.size()) +
                                    " bytes has no tag (8 bytes)");
  }
  std::shared_ptr<const table_reader> reader;
  KEPLER_RETURN_IF_ERROR(find(file, &reader));
  if (!reader->may_contain(internal_key.substr(0, internal_key.size() - tag_bytes))) {
    *result = table_lookup::absent;
    return status::ok();
  }
  return reader->get(options, internal_key, result, value);
}

void table_cache::evict(std::uint64_t number) {
  std::shared_ptr<const table_reader> dropped;  // closed after the lock is released
  std::lock_guard<std::mutex> guard(mutex_);
  auto found = open_.find(number);
  if (found == open_.end()) return;
  dropped = std::move(found->second.reader);
  lru_.erase(found->second.lru);
  open_.erase(found);
}

std::size_t table_cache::open_readers() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return open_.size();
}

}  // namespace kepler::storage
