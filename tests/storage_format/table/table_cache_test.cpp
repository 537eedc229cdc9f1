// The table cache: readers by file number, bounded by max_open_files with LRU closing of idle
// readers, never closing one in use, and clear errors for missing or resized files.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "forwarding_file_system.hpp"
#include "storage_format/table/block_cache.hpp"
#include "storage_format/table/table_builder.hpp"
#include "storage_format/table/table_cache.hpp"
#include "storage_format/version/file_names.hpp"
#include "table_test_util.hpp"
#include "test_dir.hpp"

using kepler::storage::block_cache;
using kepler::storage::file_meta;
using kepler::storage::read_options;
using kepler::storage::status_code;
using kepler::storage::table_cache;
using kepler::storage::table_lookup;
using kepler::storage::table_reader;
using kepler::test::ikey;
using kepler::test::lookup_key;
using kepler::test::temp_dir;

namespace {

namespace storage = kepler::storage;

// Counts the files opened for reading that are alive now (the cache's open readers, plus any
// reader a caller still holds), the most ever alive at once, every open, and every read.
class counting_file_system : public kepler::test::forwarding_file_system {
 public:
  counting_file_system() : forwarding_file_system(storage::file_system::posix()) {}

  storage::status new_readable_file(const std::string& path,
                                    std::unique_ptr<storage::readable_file>* out) override {
    std::unique_ptr<storage::readable_file> inner;
    auto s = base().new_readable_file(path, &inner);
    if (!s.is_ok()) return s;
    ++opens;
    const int now = ++live;
    int seen = max_live.load();
    while (now > seen && !max_live.compare_exchange_weak(seen, now)) {
    }
    *out = std::make_unique<file>(this, std::move(inner));
    return s;
  }

  std::atomic<int> live{0};
  std::atomic<int> max_live{0};
  std::atomic<int> opens{0};
  std::atomic<int> reads{0};

 private:
  class file : public storage::readable_file {
   public:
    file(counting_file_system* owner, std::unique_ptr<storage::readable_file> inner)
        : owner_(owner), inner_(std::move(inner)) {}
    ~file() override { --owner_->live; }
    storage::status read(std::uint64_t offset, std::size_t n, char* scratch,
                         std::string_view* out) const override {
      ++owner_->reads;
      return inner_->read(offset, n, scratch, out);
    }
    std::uint64_t size() const override { return inner_->size(); }
    const std::string& path() const override { return inner_->path(); }

   private:
    counting_file_system* owner_;
    std::unique_ptr<storage::readable_file> inner_;
  };
};

std::string user_key(int table, int i) {
  return "t" + std::to_string(table) + "-k" + std::to_string(1000 + i);
}
std::string value_of(int table, int i) {
  return "value " + std::to_string(table) + "/" + std::to_string(i);
}
constexpr int keys_per_table = 200;
constexpr storage::sequence_number table_sequence = 10;

// Writes table `number` into `dir` (keys_per_table keys, a few data blocks) and returns its meta.
file_meta write_table(storage::file_system& fs, const std::string& dir, std::uint64_t number) {
  const std::string path = storage::join_path(dir, storage::table_file_name(number));
  std::unique_ptr<storage::writable_file> file;
  REQUIRE(fs.new_writable_file(path, &file).is_ok());
  storage::table_options options;
  options.block_bytes = 1024;
  storage::table_builder builder(options, file.get());
  const int t = static_cast<int>(number);
  for (int i = 0; i < keys_per_table; ++i)
    REQUIRE(builder.add(ikey(user_key(t, i), table_sequence), value_of(t, i)).is_ok());
  REQUIRE(builder.finish().is_ok());
  REQUIRE(file->close().is_ok());
  file_meta meta;
  meta.number = number;
  meta.size = builder.file_size();
  meta.smallest = ikey(user_key(t, 0), table_sequence);
  meta.largest = ikey(user_key(t, keys_per_table - 1), table_sequence);
  meta.smallest_sequence = meta.largest_sequence = table_sequence;
  return meta;
}

struct store_files {
  temp_dir dir{"kepler-table-cache"};
  counting_file_system fs;
  std::vector<file_meta> tables;  // tables[i] is table number i + 1

  explicit store_files(int count) {
    REQUIRE(fs.create_dir(dir.path()).is_ok());
    for (int n = 1; n <= count; ++n)
      tables.push_back(write_table(fs, dir.path(), static_cast<std::uint64_t>(n)));
  }
  const file_meta& table(int number) const { return tables.at(number - 1); }
};

// Opens table `number` and lets the reader go at once.
void touch(table_cache& cache, const store_files& files, int number) {
  std::shared_ptr<const table_reader> reader;
  REQUIRE(cache.find(files.table(number), &reader).is_ok());
  REQUIRE(reader != nullptr);
}

}  // namespace

TEST_CASE("the table cache keeps at most max_open_files readers open") {
  store_files files(10);
  table_cache cache(files.fs, files.dir.path(), 3, nullptr);
  for (int round = 0; round < 3; ++round) {
    for (int n = 1; n <= 10; ++n) {
      touch(cache, files, n);
      CHECK(cache.open_readers() == static_cast<std::size_t>(std::min(n + round * 10, 3)));
      CHECK(files.fs.live == static_cast<int>(cache.open_readers()));
    }
  }
  CHECK(files.fs.max_live == 3);
  MESSAGE("30 finds over 10 tables with a limit of 3: "
          << files.fs.opens.load() << " opens, at most " << files.fs.max_live.load()
          << " open at once");
}

TEST_CASE("the table cache closes the least recently used reader first") {
  store_files files(4);
  table_cache cache(files.fs, files.dir.path(), 3, nullptr);
  touch(cache, files, 1);
  touch(cache, files, 2);
  touch(cache, files, 3);
  touch(cache, files, 1);  // 2 is now the least recently used
  CHECK(files.fs.opens == 3);
  touch(cache, files, 4);  // closes 2
  CHECK(files.fs.opens == 4);
  touch(cache, files, 1);
  touch(cache, files, 3);
  CHECK(files.fs.opens == 4);  // 1 and 3 stayed open
  touch(cache, files, 2);      // reopened; closes 4, now the least recently used
  CHECK(files.fs.opens == 5);
  touch(cache, files, 3);
  touch(cache, files, 1);
  CHECK(files.fs.opens == 5);
  touch(cache, files, 4);
  CHECK(files.fs.opens == 6);
  CHECK(cache.open_readers() == 3);
}

TEST_CASE("the table cache never closes a reader in use") {
  store_files files(4);
  table_cache cache(files.fs, files.dir.path(), 2, nullptr);
  std::shared_ptr<const table_reader> held;
  REQUIRE(cache.find(files.table(1), &held).is_ok());
  // 1 is the least recently used from here on, but held: 2, 3 and 4 take turns in the other slot.
  touch(cache, files, 2);
  touch(cache, files, 3);
  touch(cache, files, 4);
  CHECK(cache.open_readers() == 2);
  CHECK(files.fs.live == 2);
  table_lookup result;
  std::string value;
  REQUIRE(held->get({}, lookup_key(user_key(1, 7), table_sequence), &result, &value).is_ok());
  CHECK(result == table_lookup::found);
  CHECK(value == value_of(1, 7));
  std::shared_ptr<const table_reader> again;
  REQUIRE(cache.find(files.table(1), &again).is_ok());
  CHECK(again == held);        // still the same reader, never closed and reopened
  CHECK(files.fs.opens == 4);  // 1, 2, 3, 4 once each
}

TEST_CASE("the table cache fails with a clear error only when every open reader is in use") {
  store_files files(3);
  table_cache cache(files.fs, files.dir.path(), 2, nullptr);
  std::shared_ptr<const table_reader> a, b, c;
  REQUIRE(cache.find(files.table(1), &a).is_ok());
  REQUIRE(cache.find(files.table(2), &b).is_ok());
  auto s = cache.find(files.table(3), &c);
  REQUIRE(s.code() == status_code::io_error);
  MESSAGE(s.to_string());
  CHECK(s.message().find("000003.sst") != std::string::npos);
  CHECK(s.message().find("in use") != std::string::npos);
  CHECK(s.message().find("raise options::max_open_files") != std::string::npos);
  CHECK(c == nullptr);
  CHECK(files.fs.live == 2);
  // Readers already open are still handed out at the limit.
  std::shared_ptr<const table_reader> a2;
  CHECK(cache.find(files.table(1), &a2).is_ok());
  // Once one is let go, the next open takes its slot.
  b.reset();
  REQUIRE(cache.find(files.table(3), &c).is_ok());
  CHECK(cache.open_readers() == 2);
  CHECK(files.fs.live == 2);
}

TEST_CASE("a table file the version names but that is missing is corruption naming the file") {
  store_files files(1);
  table_cache cache(files.fs, files.dir.path(), 4, nullptr);
  file_meta missing = files.table(1);
  missing.number = 42;
  std::shared_ptr<const table_reader> reader;
  auto s = cache.find(missing, &reader);
  REQUIRE(s.code() == status_code::corruption);
  MESSAGE(s.to_string());
  CHECK(s.message().find(files.dir.file("000042.sst")) != std::string::npos);
  CHECK(s.message().find("missing") != std::string::npos);
  CHECK(reader == nullptr);
  CHECK(cache.open_readers() == 0);
  table_lookup result;
  std::string value;
  CHECK(cache.get({}, missing, lookup_key("k", 1), &result, &value).code() ==
        status_code::corruption);
}

TEST_CASE("a table file of another size than its version says is corruption naming the file") {
  store_files files(1);
  table_cache cache(files.fs, files.dir.path(), 4, nullptr);
  for (std::int64_t delta : {-1, 1}) {
    file_meta wrong = files.table(1);
    wrong.size = static_cast<std::uint64_t>(static_cast<std::int64_t>(wrong.size) + delta);
    std::shared_ptr<const table_reader> reader;
    auto s = cache.find(wrong, &reader);
    REQUIRE(s.code() == status_code::corruption);
    MESSAGE(s.to_string());
    CHECK(s.message().find(files.dir.file("000001.sst")) != std::string::npos);
    CHECK(s.message().find(std::to_string(files.table(1).size)) != std::string::npos);
    CHECK(s.message().find(std::to_string(wrong.size)) != std::string::npos);
    CHECK(cache.open_readers() == 0);
    CHECK(files.fs.live == 0);  // the file is not kept open after the check
  }
}

TEST_CASE("table cache get finds values as of a sequence and rules out absent keys by the filter") {
  store_files files(2);
  table_cache cache(files.fs, files.dir.path(), 4, nullptr);  // no block cache: reads are seen
  table_lookup result;
  std::string value;
  REQUIRE(cache.get({}, files.table(2), lookup_key(user_key(2, 5), table_sequence), &result, &value)
              .is_ok());
  CHECK(result == table_lookup::found);
  CHECK(value == value_of(2, 5));
  // As of a sequence before the table's entries, nothing is there.
  REQUIRE(
      cache.get({}, files.table(2), lookup_key(user_key(2, 5), table_sequence - 1), &result, &value)
          .is_ok());
  CHECK(result == table_lookup::absent);
  // Absent keys: the bloom filter (10 bits a key, ~1% false positives) answers most without a
  // data block read.
  const int reads_before = files.fs.reads;
  int reading_lookups = 0;
  constexpr int absent_keys = 200;
  for (int i = 0; i < absent_keys; ++i) {
    const int before = files.fs.reads;
    REQUIRE(cache
                .get({}, files.table(2), lookup_key(user_key(2, keys_per_table + i), 99), &result,
                     &value)
                .is_ok());
    CHECK(result == table_lookup::absent);
    if (files.fs.reads != before) ++reading_lookups;
  }
  MESSAGE(absent_keys << " absent keys: " << reading_lookups << " read a data block ("
                      << files.fs.reads - reads_before << " reads)");
  CHECK(reading_lookups < absent_keys / 20);
  CHECK(cache.get({}, files.table(2), "short", &result, &value).code() ==
        status_code::invalid_argument);
}

TEST_CASE("table cache gets from four threads over more tables than open files agree") {
  constexpr int tables = 8;
  constexpr int threads = 4;
  constexpr int gets_per_thread = 4000;
  // One slot more than the threads: each holds at most one reader, so one is always closable.
  constexpr std::size_t max_open = threads + 1;
  store_files files(tables);
  block_cache blocks(64 * 1024);
  table_cache cache(files.fs, files.dir.path(), max_open, &blocks);
  std::atomic<int> failures{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::uint64_t rng = 0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(t + 1);
      for (int i = 0; i < gets_per_thread; ++i) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        const int table = 1 + static_cast<int>(rng % tables);
        const int key = static_cast<int>((rng >> 8) % (keys_per_table + 20));  // some absent
        table_lookup result;
        std::string value;
        auto s = cache.get({}, files.table(table), lookup_key(user_key(table, key), 50), &result,
                           &value);
        if (!s.is_ok()) {
          ++failures;
          continue;
        }
        const bool present = key < keys_per_table;
        if (present != (result == table_lookup::found) ||
            (present && value != value_of(table, key)))
          ++wrong;
        if (i % 97 == 0) cache.evict(static_cast<std::uint64_t>(1 + (rng >> 20) % tables));
      }
    });
  }
  for (auto& w : workers) w.join();
  MESSAGE((threads * gets_per_thread)
          << " gets over " << tables << " tables, " << max_open
          << " open at most: " << files.fs.opens.load() << " opens, " << files.fs.max_live.load()
          << " open at once, " << failures.load() << " failed, " << wrong.load() << " wrong");
  CHECK(failures == 0);
  CHECK(wrong == 0);
  CHECK(cache.open_readers() <= max_open);
  CHECK(files.fs.max_live <= static_cast<int>(max_open) + threads);  // evicted, still in a get
}

TEST_CASE("evicting a table closes its reader, and a later find opens the file again") {
  store_files files(2);
  table_cache cache(files.fs, files.dir.path(), 4, nullptr);
  touch(cache, files, 1);
  touch(cache, files, 2);
  CHECK(cache.open_readers() == 2);
  cache.evict(1);
  CHECK(cache.open_readers() == 1);
  CHECK(files.fs.live == 1);
  cache.evict(1);  // not open: nothing happens
  cache.evict(7);
  CHECK(cache.open_readers() == 1);
  touch(cache, files, 1);
  CHECK(files.fs.opens == 3);

  // A holder's copy outlives the eviction and closes with its holder.
  std::shared_ptr<const table_reader> held;
  REQUIRE(cache.find(files.table(2), &held).is_ok());
  cache.evict(2);
  CHECK(cache.open_readers() == 1);
  CHECK(files.fs.live == 2);
  table_lookup result;
  std::string value;
  REQUIRE(held->get({}, lookup_key(user_key(2, 3), table_sequence), &result, &value).is_ok());
  CHECK(value == value_of(2, 3));
  held.reset();
  CHECK(files.fs.live == 1);
}
