// kepler-bench: db_bench-style workloads run against KeplerDB and its peers side by side.
//
//   kepler-bench --engine=all --num=1000000 --benchmarks=fillseq,fillrandom,readrandom
//
// Each workload prints one line per engine in db_bench's form; with several engines, a table
// of time per op and the ratio kepler/peer from the same run. --help lists every flag.

#include <cstdio>

#include "driver.hpp"

int main(int argc, char** argv) {
  return kepler::bench::run_bench(std::vector<std::string>(argv + 1, argv + argc), stdout);
}
