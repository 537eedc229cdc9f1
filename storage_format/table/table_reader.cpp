#include "storage_format/table/table_reader.hpp"

#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/table/key_norm.hpp"

namespace kepler::storage {

namespace {

constexpr std::size_t tag_bytes = 8;

std::string block_at(const std::string& path, block_kind kind, std::uint64_t offset) {
  return path + ": " + to_string(kind) + " block at offset " + std::to_string(offset) + ": ";
}

}  // namespace

table_reader::~table_reader() = default;

status table_reader::open(std::unique_ptr<readable_file> file, block_cache* cache,
                          std::unique_ptr<table_reader>* out) {
  std::unique_ptr<table_reader> t(new table_reader());
  t->file_ = std::move(file);
  t->cache_ = cache;
  t->file_size_ = t->file_->size();
  const std::string& path = t->file_->path();
  if (t->file_size_ < footer_bytes) {
    return status::corruption(path + ": file too short for a table (" +
                              std::to_string(t->file_size_) + " bytes)");
  }
  t->data_end_ = t->file_size_ - footer_bytes;

  char footer_space[footer_bytes];
  std::string_view footer_bytes_read;
  KEPLER_RETURN_IF_ERROR(
      t->file_->read(t->data_end_, footer_bytes, footer_space, &footer_bytes_read));
  footer f;
  KEPLER_RETURN_IF_ERROR(footer::decode(footer_bytes_read, path, t->data_end_, &f));

  // The metadata is read once per open, so its checksums are always verified.
  constexpr bool verify = true;
  std::string contents;
  KEPLER_RETURN_IF_ERROR(
      read_block(*t->file_, f.properties, block_kind::properties, verify, t->data_end_, &contents));
  status s = table_properties::decode(contents, &t->properties_);
  if (!s)
    return status::corruption(block_at(path, block_kind::properties, f.properties.offset) +
                              s.message());
  t->format_version_ = f.version;
  if (f.version >= 2) {
    // The limit a decompressed data block must keep to; itself checked against what the
    // table's entries could fill, so damaged properties cannot raise it either.
    if (t->properties_.largest_data_block > t->properties_.data_block_bound()) {
      return status::corruption(block_at(path, block_kind::properties, f.properties.offset) +
                                "properties block: largest data block " +
                                std::to_string(t->properties_.largest_data_block) +
                                " bytes exceeds what its entries can fill");
    }
    t->data_decoding_.compressed_allowed = true;
    t->data_decoding_.max_raw_bytes = t->properties_.largest_data_block;
  }

  if (f.filter.size != 0) {
    KEPLER_RETURN_IF_ERROR(
        read_block(*t->file_, f.filter, block_kind::filter, verify, t->data_end_, &contents));
    bloom_filter filter;
    s = bloom_filter::parse(std::move(contents), &filter);
    if (!s)
      return status::corruption(block_at(path, block_kind::filter, f.filter.offset) + s.message());
    t->filter_ = std::move(filter);
  }

  KEPLER_RETURN_IF_ERROR(t->read_index(f.index));
  if (cache != nullptr) t->cache_id_ = cache->new_table_id();
  *out = std::move(t);
  return status::ok();
}

status table_reader::read_index(const block_handle& handle) {
  const std::string at = block_at(path(), block_kind::index, handle.offset);
  std::string contents;
  KEPLER_RETURN_IF_ERROR(read_block(*file_, handle, block_kind::index, true, data_end_, &contents));
  block index;
  status s = block::parse(std::move(contents), &index);
  if (!s) return status::corruption(at + s.message());

  index_offsets_.assign(1, 0);
  std::uint64_t expected_offset = 0;
  block::iterator it(&index);
  for (it.seek_to_first(); it.valid(); it.next()) {
    const std::size_t entry = handles_.size();
    if (entry > 0 && compare_internal_keys(index_key(entry - 1), it.key()) >= 0) {
      return status::corruption(at + "entry " + std::to_string(entry) + " is out of order");
    }
    std::string_view value = it.value();
    block_handle h;
    // Data blocks lie back to back from the start of the file, so each must start where the
    // previous one ended; this also keeps every one before the metadata.
    if (!h.decode_from(&value) || !value.empty() || h.offset != expected_offset ||
        h.end() > handle.offset) {
      return status::corruption(at + "entry " + std::to_string(entry) +
                                " holds a bad data block handle");
    }
    expected_offset = h.end();
    index_keys_.append(it.key().data(), it.key().size());
    if (index_keys_.size() > UINT32_MAX) return status::corruption(at + "index keys too large");
    index_offsets_.push_back(static_cast<std::uint32_t>(index_keys_.size()));
    handles_.push_back(h);
  }
  if (!it.state()) return status::corruption(at + it.state().message());
  if (handles_.size() != properties_.data_blocks) {
    return status::corruption(at + "indexes " + std::to_string(handles_.size()) +
                              " data blocks, the properties say " +
                              std::to_string(properties_.data_blocks));
  }
  // Norms relative to the prefix the keys between the first and the last share: the last
  // separator is often short ("bumped" past its block), so the first and last share less.
  const std::size_t n = handles_.size();
  if (n > 0) {
    const std::size_t first = n >= 4 ? 1 : 0;
    const std::size_t last = n >= 4 ? n - 2 : n - 1;
    index_prefix_bytes_ = shared_user_key_prefix(index_key(first), index_key(last));
    index_prefix_first_ = first;
  }
  index_norms_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view key = index_key(i);
    index_norms_.push_back(key_norm(key.substr(0, key.size() - tag_bytes), index_prefix()));
  }
  return status::ok();
}

std::string_view table_reader::index_key(std::size_t i) const {
  return std::string_view(index_keys_.data() + index_offsets_[i],
                          index_offsets_[i + 1] - index_offsets_[i]);
}

std::string_view table_reader::index_prefix() const {
  return handles_.empty() ? std::string_view()
                          : index_key(index_prefix_first_).substr(0, index_prefix_bytes_);
}

std::uint64_t table_reader::approximate_offset(std::string_view target) const {
  const std::size_t i = find_block(target);
  return i < handles_.size() ? handles_[i].offset : data_end_;
}

std::size_t table_reader::find_block(std::string_view target) const {
  const std::uint64_t* norms = index_norms_.data();
  return lower_bound_by_norm(
      handles_.size(), [norms](std::size_t i) { return norms[i]; }, index_prefix(), target,
      [this](std::size_t i) { return index_key(i); });
}

status table_reader::block_damage(std::size_t i, const status& s) const {
  return status::corruption(block_at(path(), block_kind::data, handles_[i].offset) + s.message());
}

status table_reader::data_block(const read_options& options, std::size_t i,
                                std::shared_ptr<const block>* out) const {
  const block_handle& h = handles_[i];
  if (cache_ != nullptr) {
    if (auto cached = cache_->lookup(cache_id_, i)) {
      // Looked up again: now its keys are worth decoding once for every later seek. The
      // indexed copy replaces it in the cache; readers holding the plain one keep it.
      if (!cached->has_search_index() && cached->count_lookup() == 0) {
        auto indexed = std::make_shared<block>(cached->copy_contents());
        if (indexed->build_search_index()) {
          cache_->insert(cache_id_, i, indexed);
          cached = std::move(indexed);
        }
      }
      *out = std::move(cached);
      return status::ok();
    }
  }
  const bool to_cache = cache_ != nullptr && options.fill_cache;
  std::string contents;
  KEPLER_RETURN_IF_ERROR(read_block(*file_, h, block_kind::data,
                                    options.verify_checksums || to_cache, data_end_, &contents,
                                    data_decoding_));
  auto b = std::make_shared<block>();
  status s = block::parse(std::move(contents), b.get());
  if (!s) return block_damage(i, s);
  // Verified above (to_cache), so it may be shared; its search index waits for a second
  // lookup (block::count_lookup).
  if (to_cache) cache_->insert(cache_id_, i, b);
  *out = std::move(b);
  return status::ok();
}

status table_reader::data_block_kind_byte(std::size_t i, std::uint8_t* kind_byte) const {
  const block_handle& h = handles_[i];
  char scratch = 0;
  std::string_view got;
  KEPLER_RETURN_IF_ERROR(file_->read(h.offset + h.size, 1, &scratch, &got));
  if (got.size() != 1) {
    return block_damage(i, status::corruption("file ends before the block's trailer"));
  }
  *kind_byte = static_cast<std::uint8_t>(got[0]);
  return status::ok();
}

template <class Visit>
status table_reader::walk_data_block(std::size_t i, std::uint64_t* raw_bytes, Visit&& visit) const {
  std::string contents;
  KEPLER_RETURN_IF_ERROR(read_block(*file_, handles_[i], block_kind::data, true, data_end_,
                                    &contents, data_decoding_));
  const std::uint64_t raw = contents.size();
  block b;
  status s = block::parse(std::move(contents), &b);
  if (!s) return block_damage(i, s);
  block::iterator it(&b);
  for (it.seek_to_first(); it.valid(); it.next()) visit(it.key(), it.value());
  if (!it.state()) return block_damage(i, it.state());
  if (raw_bytes != nullptr) *raw_bytes = raw;
  return status::ok();
}

status table_reader::verify_data_block(std::size_t i, std::uint64_t* raw_bytes,
                                       std::uint64_t* entries) const {
  std::uint64_t n = 0;
  KEPLER_RETURN_IF_ERROR(
      walk_data_block(i, raw_bytes, [&](std::string_view, std::string_view) { ++n; }));
  if (entries != nullptr) *entries = n;
  return status::ok();
}

status table_reader::read_data_block_entries(
    std::size_t i, std::vector<std::pair<std::string, std::string>>* out) const {
  std::vector<std::pair<std::string, std::string>> entries;
  KEPLER_RETURN_IF_ERROR(walk_data_block(i, nullptr, [&](std::string_view k, std::string_view v) {
    entries.emplace_back(std::string(k), std::string(v));
  }));
  for (auto& e : entries) out->push_back(std::move(e));
  return status::ok();
}

bool table_reader::may_contain(std::string_view user_key) const {
  return !filter_ || filter_->may_contain(user_key);
}

status table_reader::get(const read_options& options, std::string_view internal_key,
                         table_lookup* result, std::string* value) const {
  if (internal_key.size() < tag_bytes) {
    return status::invalid_argument(path() + ": lookup key has no tag");
  }
  const std::string_view user_key = internal_key.substr(0, internal_key.size() - tag_bytes);
  *result = table_lookup::absent;
  if (!may_contain(user_key)) return status::ok();
  // Normally the first candidate block holds the answer; when the target falls between its last
  // key and its index key, the next block's first entry is the one at or after the target.
  for (std::size_t i = find_block(internal_key); i < handles_.size(); ++i) {
    std::shared_ptr<const block> b;
    KEPLER_RETURN_IF_ERROR(data_block(options, i, &b));
    block::iterator it(b.get());
    it.seek(internal_key);
    if (!it.state()) return block_damage(i, it.state());
    if (!it.valid()) continue;
    parsed_internal_key found;
    if (!parse_internal_key(it.key(), &found)) {
      return block_damage(i, status::corruption("entry with an unknown value type"));
    }
    if (found.user_key != user_key) return status::ok();
    if (found.type == value_type::deletion) {
      *result = table_lookup::deleted;
    } else {
      *result = table_lookup::found;
      value->assign(it.value().data(), it.value().size());
    }
    return status::ok();
  }
  return status::ok();
}

std::unique_ptr<table_reader::iterator> table_reader::new_iterator(
    const read_options& options) const {
  return std::make_unique<iterator>(this, options);
}

table_reader::iterator::iterator(const table_reader* table, const read_options& options)
    : table_(table), options_(options) {}

bool table_reader::iterator::load_block(std::size_t i) {
  block_index_ = i;
  block_iter_.reset();
  block_.reset();
  status s = table_->data_block(options_, i, &block_);
  if (!s) {
    status_ = s;
    return false;
  }
  block_iter_.emplace(block_.get());
  return true;
}

void table_reader::iterator::check_block_state() {
  if (block_iter_ && !block_iter_->state()) {
    status_ = table_->block_damage(block_index_, block_iter_->state());
    block_iter_.reset();
    block_.reset();
  }
}

void table_reader::iterator::skip_empty_blocks_forward() {
  check_block_state();
  while (status_ && block_iter_ && !block_iter_->valid()) {
    if (block_index_ + 1 >= table_->handles_.size()) {
      block_iter_.reset();
      block_.reset();
      return;
    }
    if (!load_block(block_index_ + 1)) return;
    block_iter_->seek_to_first();
    check_block_state();
  }
}

void table_reader::iterator::skip_empty_blocks_backward() {
  check_block_state();
  while (status_ && block_iter_ && !block_iter_->valid()) {
    if (block_index_ == 0) {
      block_iter_.reset();
      block_.reset();
      return;
    }
    if (!load_block(block_index_ - 1)) return;
    block_iter_->seek_to_last();
    check_block_state();
  }
}

void table_reader::iterator::seek_to_first() {
  if (!status_) return;
  if (table_->handles_.empty() || !load_block(0)) return;
  block_iter_->seek_to_first();
  skip_empty_blocks_forward();
}

void table_reader::iterator::seek_to_last() {
  if (!status_) return;
  if (table_->handles_.empty() || !load_block(table_->handles_.size() - 1)) return;
  block_iter_->seek_to_last();
  skip_empty_blocks_backward();
}

void table_reader::iterator::seek(std::string_view target) {
  if (!status_) return;
  const std::size_t i = table_->find_block(target);
  if (i >= table_->handles_.size()) {
    block_iter_.reset();
    block_.reset();
    return;
  }
  // Staying in the block already pinned spares a cache lookup for seeks that land near.
  if (!(block_iter_ && block_ && block_index_ == i) && !load_block(i)) return;
  block_iter_->seek(target);
  skip_empty_blocks_forward();
}

void table_reader::iterator::next() {
  block_iter_->next();
  skip_empty_blocks_forward();
}

void table_reader::iterator::prev() {
  block_iter_->prev();
  skip_empty_blocks_backward();
}

}  // namespace kepler::storage
