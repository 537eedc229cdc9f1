#include "demo.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "kepler/db.hpp"

namespace kepler::cli {

namespace {

using clock_type = std::chrono::steady_clock;

double micros_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
}

int fail(const char* what, const caf::error& err) {
  std::fprintf(stderr, "demo: %s failed: %s\n", what, kepler::to_string(err).c_str());
  return 1;
}

std::string key_of(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "user:%06d", i);
  return buf;
}

}  // namespace

int run_demo(const std::string& dir) {
  constexpr int n = 10000;
  constexpr int removed_every = 10;
  std::printf("KeplerDB demo in %s\n\n", dir.c_str());

  auto start = clock_type::now();
  auto opened = db::open(dir);
  if (!opened) return fail("open", opened.error());
  auto store = std::move(*opened);
  std::printf(
      "1. Opened the store (%.1f ms). Every write goes to the write-ahead log first,\n"
      "   then into the in-memory table, through KeplerDB's actors.\n",
      micros_since(start) / 1000);

  start = clock_type::now();
  for (int i = 0; i < n; ++i)
    if (auto r = store->insert(key_of(i), "profile of user " + std::to_string(i)); !r)
      return fail("insert", r.error());
  auto took = micros_since(start);
  std::printf(
      "2. Inserted %d keys in %.1f ms (%.2f us each, not synced: safe from a crash of\n"
      "   this program, not from a power cut).\n",
      n, took / 1000, took / n);

  start = clock_type::now();
  int found = 0;
  for (int i = 0; i < n; ++i) {
    auto v = store->get(key_of(i));
    if (!v) return fail("get", v.error());
    if (*v && **v == "profile of user " + std::to_string(i)) ++found;
  }
  took = micros_since(start);
  std::printf("3. Read them all back: %d of %d found, %.2f us per read.\n", found, n, took / n);

  for (int i = 0; i < n; i += removed_every)
    if (auto r = store->remove(key_of(i)); !r) return fail("remove", r.error());
  auto gone = store->get(key_of(0));
  std::printf("4. Removed every %dth key (%d keys); %s now reads as %s.\n", removed_every,
              n / removed_every, key_of(0).c_str(), gone && !*gone ? "missing" : "PRESENT (bug!)");

  write_batch batch;
  batch.insert("account:alice", "90");
  batch.insert("account:bob", "110");
  batch.remove("account:carol");
  start = clock_type::now();
  if (auto r = store->write(batch, write_options{true}); !r) return fail("write", r.error());
  std::printf(
      "5. Applied a batch of %u changes atomically with sync=true (%.1f us): it is on\n"
      "   disk, and a crash shows all of it or none.\n",
      batch.count(), micros_since(start));

  if (auto r = store->close(); !r) return fail("close", r.error());
  std::printf("6. Closed the store.\n");

  start = clock_type::now();
  opened = db::open(dir);
  if (!opened) return fail("reopen", opened.error());
  store = std::move(*opened);
  took = micros_since(start);
  int present = 0, missing = 0, wrong = 0;
  for (int i = 0; i < n; ++i) {
    auto v = store->get(key_of(i));
    if (!v) return fail("get", v.error());
    bool should_exist = i % removed_every != 0;
    if (!*v)
      ++missing;
    else if (should_exist && **v == "profile of user " + std::to_string(i))
      ++present;
    else
      ++wrong;
  }
  auto alice = store->get("account:alice");
  bool batch_back = alice && *alice && **alice == "90";
  const auto& rec = store->recovery();
  std::printf(
      "7. Reopened in %.1f ms: recovery replayed %llu batches (%llu changes) from %llu\n"
      "   log(s) and wrote them to %llu table file(s). %d keys present, %d removed keys\n"
      "   stay removed, %d wrong; the batch is %s.\n",
      took / 1000, static_cast<unsigned long long>(rec.batches_replayed),
      static_cast<unsigned long long>(rec.entries_replayed),
      static_cast<unsigned long long>(rec.logs_replayed),
      static_cast<unsigned long long>(rec.tables_written), present, missing, wrong,
      batch_back ? "back" : "MISSING (bug!)");
  if (auto r = store->close(); !r) return fail("close", r.error());

  bool ok =
      present == n - n / removed_every && missing == n / removed_every && wrong == 0 && batch_back;
  std::printf("\n%s\n", ok ? "Everything written came back after reopening."
                           : "Something did not come back: please report this as a bug.");
  return ok ? 0 : 1;
}

}  // namespace kepler::cli
