#pragma once
// --json FILE: the run's settings and every result, for scripts and for the driver's tests.
//
// { "date": "...", "command": "...", "settings": { "num": N, ... }, "engines": ["kepler", ...],
//   "results": [ { "engine": "kepler", "benchmark": "fillseq", "supported": true, "error": "",
//                  "ops": N, "micros_per_op": x, "ops_per_sec": x, "counts": { "found": N },
//                  "latency_us": { "p50": x, "p99": x, "p99_9": x, "max": x },   (--histogram)
//                  "space": { "bytes_on_disk": N, "bytes_written": N,
//                             "write_amplification": x, "peak_rss_bytes": N },   (writes)
//                  "live": { "entries": N, "bytes": N, "bytes_on_disk": N,
//                            "disk_per_live": x },                               (compact)
//                  "stats": "the engine's stats line after the workload",
//                  "idle_cores": x },                                            (idle)
//                ... ],
//   "totals": [ { "engine": ..., "user_bytes_written": N,
//                 "space": { ..., "storage_bytes_written": N,                    (where the
//                            "storage_write_amplification": x } } ] }             fs counts)
// A total's space covers the engine's run from before its first workload that writes until it
// closed.

#include <string>
#include <vector>

#include "flags.hpp"
#include "report.hpp"
#include "workload.hpp"

namespace kepler::bench {

/// Writes the JSON document to `path`; false and *error when it cannot.
bool write_json(const std::string& path, const flags& f, const std::string& date,
                const std::string& command, const std::vector<std::string>& engines,
                const std::vector<result>& results, const std::vector<engine_totals>& totals,
                std::string* error);

}  // namespace kepler::bench
