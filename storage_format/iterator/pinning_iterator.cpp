#include "storage_format/iterator/pinning_iterator.hpp"

#include <utility>

namespace kepler::storage {

namespace {

class pinning_iterator final : public internal_iterator {
 public:
  pinning_iterator(std::shared_ptr<const void> pin, std::unique_ptr<internal_iterator> input)
      : pin_(std::move(pin)), input_(std::move(input)) {}

  bool valid() const override { return input_->valid(); }
  void seek_to_first() override { input_->seek_to_first(); }
  void seek_to_last() override { input_->seek_to_last(); }
  void seek(std::string_view target) override { input_->seek(target); }
  void next() override { input_->next(); }
  void prev() override { input_->prev(); }
  std::string_view key() const override { return input_->key(); }
  std::string_view value() const override { return input_->value(); }
  status state() const override { return input_->state(); }

 private:
  // Declared before input_, so it is destroyed after it.
  std::shared_ptr<const void> pin_;
  std::unique_ptr<internal_iterator> input_;
};

}  // namespace

std::unique_ptr<internal_iterator> new_pinning_iterator(std::shared_ptr<const void> pin,
                                                        std::unique_ptr<internal_iterator> input) {
  return std::make_unique<pinning_iterator>(std::move(pin), std::move(input));
}

}  // namespace kepler::storage
