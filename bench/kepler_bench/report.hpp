#pragma once
// What kepler-bench prints: db_bench's one line per workload, the space line after writes, the
// live-data line after compact, the engine's stats line, the histogram when asked, each
// engine's totals, and the table of time per op with the ratio kepler/peer.

#include <cstdio>
#include <string>
#include <vector>

#include "flags.hpp"
#include "workload.hpp"

namespace kepler::bench {

/// One engine's figures over its whole run: the bytes written from before its first workload
/// that writes until it closed, over the key and value bytes of every write.
struct engine_totals {
  std::string engine;
  std::uint64_t user_bytes_written = 0;
  space_figures space;
};

void print_header(std::FILE* to, const flags& f, const std::string& date,
                  const std::vector<std::string>& engines);
void print_result(std::FILE* to, const result& r);
void print_engine_totals(std::FILE* to, const engine_totals& t);
/// Rows: workloads in order; columns: us/op per engine, then kepler/peer for each peer. Below 1
/// KeplerDB is faster. Workloads an engine does not support show "n/s". Then the run's write
/// amplification per engine and, after compact, disk/live, with the same ratios.
void print_ratio_table(std::FILE* to, const std::vector<std::string>& engines,
                       const std::vector<std::string>& workloads,
                       const std::vector<result>& results,
                       const std::vector<engine_totals>& totals);

}  // namespace kepler::bench
