// Which engines this build drives, and opening one by name.

#include "engine.hpp"

namespace kepler::bench {

namespace {

struct engine_entry {
  const char* name;
  std::unique_ptr<engine> (*open)(const engine_settings&, std::string*);
};

const std::vector<engine_entry>& engines() {
  static const std::vector<engine_entry> all{
      {"kepler", open_kepler},
#ifdef KEPLER_BENCH_HAVE_LEVELDB
      {"leveldb", open_leveldb},
#endif
#ifdef KEPLER_BENCH_HAVE_ROCKSDB
      {"rocksdb", open_rocksdb},
#endif
#ifdef KEPLER_BENCH_HAVE_LMDB
      {"lmdb", open_lmdb},
#endif
  };
  return all;
}

}  // namespace

std::vector<std::string> available_engines() {
  std::vector<std::string> names;
  for (auto& e : engines()) names.emplace_back(e.name);
  return names;
}

std::unique_ptr<engine> open_engine(const std::string& name, const engine_settings& settings,
                                    std::string* error) {
  for (auto& e : engines())
    if (name == e.name) return e.open(settings, error);
  *error = "unknown or unavailable engine '" + name + "'";
  return nullptr;
}

}  // namespace kepler::bench
