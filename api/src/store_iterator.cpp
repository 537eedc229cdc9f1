#include "api/src/store_iterator.hpp"

#include "actors/boundary/status_error.hpp"
#include "storage_format/iterator/db_iterator.hpp"
#include "storage_format/iterator/view_iterator.hpp"

namespace kepler::detail {

namespace {

class store_iterator final : public iterator {
 public:
  store_iterator(std::shared_ptr<actors::engine_state> engine,
                 std::unique_ptr<storage::db_iterator> it)
      : engine_(std::move(engine)), it_(std::move(it)) {
    actors::engine_counters::add(engine_->counters().open_iterators, 1);
  }
  ~store_iterator() override {
    // Before the engine may go: the iterator's tables come from the engine's table cache.
    it_.reset();
    engine_->counters().open_iterators.fetch_sub(1, std::memory_order_relaxed);
  }

  bool valid() const override { return it_->valid(); }
  void seek_to_first() override { it_->seek_to_first(); }
  void seek_to_last() override { it_->seek_to_last(); }
  void seek(std::string_view target) override { it_->seek(target); }
  void seek_for_prev(std::string_view target) override { it_->seek_for_prev(target); }
  void next() override { it_->next(); }
  void prev() override { it_->prev(); }
  std::string_view key() const override { return it_->key(); }
  std::string_view value() const override { return it_->value(); }
  caf::expected<void> status() const override {
    auto s = it_->state();
    if (s.is_ok()) return caf::unit;
    return actors::to_error(s);
  }

 private:
  std::shared_ptr<actors::engine_state> engine_;
  std::unique_ptr<storage::db_iterator> it_;
};

}  // namespace

std::unique_ptr<iterator> new_store_iterator(std::shared_ptr<actors::engine_state> engine,
                                             const storage::read_options& options,
                                             std::optional<storage::sequence_number> sequence,
                                             std::optional<std::string> lower,
                                             std::optional<std::string> upper) {
  // The view first, then the sequence (engine_state::read says why).
  auto view = engine->view();
  auto seq = sequence ? *sequence : engine->last_visible();
  auto merged = storage::new_view_iterator(std::move(view), options);
  auto it = std::make_unique<storage::db_iterator>(std::move(merged), seq, std::move(lower),
                                                   std::move(upper));
  return std::make_unique<store_iterator>(std::move(engine), std::move(it));
}

}  // namespace kepler::detail
