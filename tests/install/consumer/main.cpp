// Uses every call of the public API against the installed library; exits non-zero on any
// surprise.
#include <cstdio>
#include <string>

#include <kepler/db.hpp>

#define EXPECT(cond)                                         \
  do {                                                       \
    if (!(cond)) {                                           \
      std::fprintf(stderr, "consumer: failed: %s\n", #cond); \
      return 1;                                              \
    }                                                        \
  } while (false)

int main(int argc, char** argv) {
  EXPECT(argc == 2);
  auto store = kepler::db::open(argv[1]);
  if (!store) {
    std::fprintf(stderr, "consumer: open: %s\n", kepler::to_string(store.error()).c_str());
    return 1;
  }
  auto& db = **store;
  EXPECT(db.insert("k1", "v1"));
  EXPECT(db.insert("k2", "v2", kepler::write_options{true}));
  EXPECT(db.remove("k1"));
  kepler::write_batch batch;
  batch.insert("k3", "v3");
  batch.remove("k2");
  EXPECT(db.write(batch));
  auto k1 = db.get("k1");
  auto k3 = db.get("k3");
  EXPECT(k1 && !*k1);
  EXPECT(k3 && *k3 && **k3 == "v3");
  EXPECT(db.close());
  EXPECT(!db.get("k3"));
  std::printf("consumer: open/insert/get/remove/write/close all worked\n");
  return 0;
}
