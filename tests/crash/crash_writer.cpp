// The crash test's child: runs the workload against the store in argv[1] from operation
// argv[3] on, and after each acknowledged operation writes "<i>\n" to stdout, unbuffered. The
// parent kills it with SIGKILL at a random moment, or it kills itself at a whitebox kill point
// (KEPLER_KILL_POINT). argv[4] and argv[5], when given, set the memtable and MANIFEST sizes, so
// that every run flushes and rolls its MANIFEST.

#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "crash_workload.hpp"
#include "kepler/db.hpp"

int main(int argc, char** argv) {
  using namespace kepler::test::crash;
  if (argc != 4 && argc != 6) {
    std::fprintf(stderr, "usage: %s DIR SEED FIRST_OP [MEMTABLE_BYTES MANIFEST_BYTES]\n", argv[0]);
    return 2;
  }
  std::uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  std::uint64_t first = std::strtoull(argv[3], nullptr, 10);
  kepler::options opts;
  if (argc == 6) {
    opts.memtable_bytes = std::strtoull(argv[4], nullptr, 10);
    opts.max_manifest_bytes = std::strtoull(argv[5], nullptr, 10);
  }
  auto store = kepler::db::open(argv[1], opts);
  if (!store) {
    std::fprintf(stderr, "open failed: %s\n", kepler::to_string(store.error()).c_str());
    return 1;
  }
  for (std::uint64_t i = first;; ++i) {
    auto op = make_operation(seed, i);
    kepler::write_options wo;
    wo.sync = op.kind == op_kind::sync_put || op.kind == op_kind::sync_batch;
    caf::expected<void> result = caf::unit;
    if (op.kind == op_kind::put || op.kind == op_kind::sync_put) {
      result = (*store)->insert(op.effects[0].key, *op.effects[0].value, wo);
    } else if (op.kind == op_kind::remove) {
      result = (*store)->remove(op.effects[0].key, wo);
    } else {
      kepler::write_batch batch;
      for (auto& e : op.effects) {
        if (e.value)
          batch.insert(e.key, *e.value);
        else
          batch.remove(e.key);
      }
      result = (*store)->write(batch, wo);
    }
    if (!result) {
      std::fprintf(stderr, "op %llu failed: %s\n", static_cast<unsigned long long>(i),
                   kepler::to_string(result.error()).c_str());
      return 1;
    }
    auto line = std::to_string(i) + "\n";
    if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      return 1;
  }
}
