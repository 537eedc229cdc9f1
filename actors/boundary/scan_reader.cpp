#include "actors/boundary/scan_reader.hpp"

#include "actors/boundary/exception_error.hpp"
#include "actors/boundary/status_error.hpp"
#include "storage_format/iterator/db_iterator.hpp"
#include "storage_format/iterator/view_iterator.hpp"

namespace kepler::actors {

namespace {

// Bytes a pair counts for toward the bound: its key, its value and the framing around them.
constexpr std::size_t pair_overhead = 16;

}  // namespace

caf::expected<scan_page> read_scan_page(const engine_state& engine,
                                        const std::optional<std::string>& begin,
                                        const std::optional<std::string>& end, std::uint64_t limit,
                                        std::size_t max_bytes) {
  scan_page page;
  caf::error failed;
  auto thrown = run_catching([&] {
    // The view first, then the sequence (engine_state::read says why).
    auto view = engine.view();
    auto seq = engine.last_visible();
    storage::read_options options;
    options.fill_cache = false;  // a scan touches its blocks once; keep the hot ones cached
    storage::db_iterator it(storage::new_view_iterator(std::move(view), options), seq, begin, end);
    std::size_t bytes = 0;
    for (it.seek_to_first(); it.valid(); it.next()) {
      auto cost = it.key().size() + it.value().size() + pair_overhead;
      bool full = (limit != 0 && page.pairs.size() >= limit) ||
                  (!page.pairs.empty() && bytes + cost > max_bytes);
      if (full) {
        page.more = true;
        break;
      }
      page.pairs.emplace_back(std::string(it.key()), std::string(it.value()));
      bytes += cost;
    }
    if (auto s = it.state(); !s.is_ok()) failed = to_error(s);
  });
  if (thrown) return thrown;
  if (failed) return failed;
  return page;
}

}  // namespace kepler::actors
