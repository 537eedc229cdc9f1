#pragma once
// The batch decoder's checks, shared by the batch target and the WAL target (which feeds it
// every record it reads): validate, and for a batch that passes, apply it to a memtable and
// compare what the memtable holds with what the batch says.

#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "storage_format/memtable/apply_batch.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/memtable/memtable.hpp"

namespace kepler::fuzz {

/// Counts entries and keeps each key's last operation (nullopt: a delete).
class batch_model final : public storage::batch::handler {
 public:
  void put(storage::sequence_number seq, std::string_view key, std::string_view value) override {
    note(seq);
    last[std::string(key)] = std::string(value);
  }
  void remove(storage::sequence_number seq, std::string_view key) override {
    note(seq);
    last[std::string(key)] = std::nullopt;
  }
  std::uint64_t entries = 0;
  storage::sequence_number first = 0;
  bool in_order = true;
  std::map<std::string, std::optional<std::string>> last;

 private:
  void note(storage::sequence_number seq) {
    if (entries == 0) first = seq;
    if (seq != first + entries) in_order = false;
    ++entries;
  }
};

inline void check_batch(std::string_view rep) {
  namespace st = storage;
  const st::status valid = st::batch::validate(rep);
  expect_ok_or_corruption(valid);
  batch_model model;
  const st::status walked = st::batch::for_each(rep, model);
  // One parser: validate and for_each must agree, message and all.
  if (valid.is_ok() != walked.is_ok() || valid.message() != walked.message()) std::abort();
  if (!valid.is_ok()) return;
  if (model.entries != st::batch::count(rep) || !model.in_order) std::abort();
  if (model.entries > 0 && model.first != st::batch::sequence(rep)) std::abort();

  st::memtable mem;
  if (!st::apply_batch(rep, &mem).is_ok()) std::abort();
  if (mem.entry_count() != model.entries) std::abort();
  // Every entry back in internal-key order, each with a sequence the batch gave out.
  const st::sequence_number first = st::batch::sequence(rep);
  st::memtable::iterator it(&mem);
  std::uint64_t seen = 0;
  std::string previous;
  for (it.seek_to_first(); it.valid(); it.next(), ++seen) {
    st::parsed_internal_key k;
    if (!st::parse_internal_key(it.internal_key(), &k)) std::abort();
    if (k.sequence < first || k.sequence - first >= model.entries) std::abort();
    if (seen > 0 && st::compare_internal_keys(previous, it.internal_key()) >= 0) std::abort();
    previous.assign(it.internal_key().data(), it.internal_key().size());
  }
  if (seen != model.entries) std::abort();
  // The newest version of each key is the batch's last operation on it.
  const st::sequence_number newest = first + (model.entries == 0 ? 0 : model.entries - 1);
  for (const auto& [key, value] : model.last) {
    std::string got;
    const auto found = mem.get(key, newest, &got);
    if (value ? (found != st::memtable::lookup::found || got != *value)
              : found != st::memtable::lookup::deleted)
      std::abort();
  }
}

}  // namespace kepler::fuzz
