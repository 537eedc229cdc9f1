#include "storage_format/util/file_system.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "test_dir.hpp"

using namespace kepler::storage;
using kepler::test::temp_dir;

namespace {

file_system& fs() {
  return *file_system::posix();
}

std::string contents(const std::string& path) {
  std::string out;
  REQUIRE(read_file_to_string(fs(), path, &out).is_ok());
  return out;
}

void write(const std::string& path, std::string_view data) {
  std::unique_ptr<writable_file> f;
  REQUIRE(fs().new_writable_file(path, &f).is_ok());
  REQUIRE(f->append(data).is_ok());
  REQUIRE(f->close().is_ok());
}

}  // namespace

TEST_CASE("appended bytes are read back at their offsets") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  const std::string path = dir.file("data");

  std::unique_ptr<writable_file> w;
  REQUIRE(fs().new_writable_file(path, &w).is_ok());
  CHECK(w->path() == path);
  CHECK(w->size() == 0);
  REQUIRE(w->append("hello ").is_ok());
  REQUIRE(w->append("").is_ok());
  REQUIRE(w->append("world").is_ok());
  CHECK(w->size() == 11);
  REQUIRE(w->sync().is_ok());

  std::unique_ptr<readable_file> r;
  REQUIRE(fs().new_readable_file(path, &r).is_ok());
  CHECK(r->size() == 11);
  char scratch[32];
  std::string_view got;
  REQUIRE(r->read(6, 5, scratch, &got).is_ok());
  CHECK(got == "world");
  SUBCASE("a read past the end returns only what exists") {
    REQUIRE(r->read(8, 20, scratch, &got).is_ok());
    CHECK(got == "rld");
    REQUIRE(r->read(100, 4, scratch, &got).is_ok());
    CHECK(got.empty());
  }
  REQUIRE(w->close().is_ok());
  CHECK(w->close().is_ok());  // closing twice is harmless
}

TEST_CASE("a large append is written whole") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7919 >> 3);
  write(dir.file("big"), big);
  CHECK(contents(dir.file("big")) == big);
}

TEST_CASE("new_writable_file empties an existing file, new_appendable_file continues it") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  const std::string path = dir.file("f");
  write(path, "first");

  std::unique_ptr<writable_file> a;
  REQUIRE(fs().new_appendable_file(path, &a).is_ok());
  CHECK(a->size() == 5);
  REQUIRE(a->append("+more").is_ok());
  CHECK(a->size() == 10);
  REQUIRE(a->close().is_ok());
  CHECK(contents(path) == "first+more");

  write(path, "new");
  CHECK(contents(path) == "new");

  std::unique_ptr<writable_file> created;
  REQUIRE(fs().new_appendable_file(dir.file("created"), &created).is_ok());
  CHECK(created->size() == 0);
  CHECK(fs().exists(dir.file("created")));
}

TEST_CASE("truncating a writable file makes later appends continue from the cut") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  const std::string path = dir.file("f");
  std::unique_ptr<writable_file> w;
  REQUIRE(fs().new_writable_file(path, &w).is_ok());
  REQUIRE(w->append("0123456789").is_ok());
  REQUIRE(w->truncate(4).is_ok());
  CHECK(w->size() == 4);
  REQUIRE(w->append("ab").is_ok());
  REQUIRE(w->close().is_ok());
  CHECK(contents(path) == "0123ab");
}

TEST_CASE("size, exists, rename, list, truncate and remove act on the directory") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  write(dir.file("a"), "12345");
  write(dir.file("b"), "xy");

  std::uint64_t size = 0;
  REQUIRE(fs().file_size(dir.file("a"), &size).is_ok());
  CHECK(size == 5);

  REQUIRE(fs().rename_file(dir.file("a"), dir.file("b")).is_ok());  // replaces b
  CHECK_FALSE(fs().exists(dir.file("a")));
  CHECK(contents(dir.file("b")) == "12345");

  REQUIRE(fs().truncate_file(dir.file("b"), 2).is_ok());
  CHECK(contents(dir.file("b")) == "12");

  write(dir.file("c"), "");
  std::vector<std::string> names;
  REQUIRE(fs().list_dir(dir.path(), &names).is_ok());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"b", "c"});

  REQUIRE(fs().remove_file(dir.file("b")).is_ok());
  CHECK_FALSE(fs().exists(dir.file("b")));
  REQUIRE(fs().sync_dir(dir.path()).is_ok());
}

TEST_CASE("create_dir makes missing parents and accepts an existing directory") {
  temp_dir dir;
  const std::string deep = dir.path() + "/x/y/z";
  REQUIRE(fs().create_dir(deep).is_ok());
  CHECK(fs().exists(deep));
  CHECK(fs().create_dir(deep).is_ok());
  CHECK(fs().create_dir(deep + "/").is_ok());

  write(dir.file("plain"), "");
  const status s = fs().create_dir(dir.file("plain"));
  CHECK(s.code() == status_code::io_error);
  CHECK(s.message().find(dir.file("plain")) != std::string::npos);
}

TEST_CASE("failures name the path and the operating system's reason") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  const std::string missing = dir.file("missing");

  std::unique_ptr<readable_file> r;
  status s = fs().new_readable_file(missing, &r);
  CHECK(s.code() == status_code::not_found);
  CHECK(s.message().find(missing) != std::string::npos);
  CHECK(s.message().find("No such file or directory") != std::string::npos);

  std::uint64_t size = 0;
  CHECK(fs().file_size(missing, &size).code() == status_code::not_found);
  CHECK(fs().remove_file(missing).code() == status_code::not_found);
  CHECK(fs().rename_file(missing, dir.file("to")).code() == status_code::not_found);
  std::vector<std::string> names;
  CHECK(fs().list_dir(missing, &names).code() == status_code::not_found);

  std::unique_ptr<writable_file> w;
  s = fs().new_writable_file(dir.path() + "/no/such/dir/f", &w);
  CHECK_FALSE(s.is_ok());
  CHECK(s.message().find(dir.path() + "/no/such/dir/f") != std::string::npos);

  std::string out;
  s = read_file_to_string(fs(), missing, &out);
  CHECK(s.code() == status_code::not_found);
}

TEST_CASE("a second lock in the same process fails with locked, naming our pid") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  const std::string path = dir.file("LOCK");
  const std::string pid = std::to_string(::getpid());

  std::unique_ptr<file_lock> first;
  REQUIRE(fs().lock_file(path, &first).is_ok());
  CHECK(contents(path) == pid + "\n");

  std::unique_ptr<file_lock> second;
  const status s = fs().lock_file(path, &second);
  CHECK(s.code() == status_code::locked);
  CHECK(s.message() ==
        path + ": locked by process " + pid + ": another program has this store open");
  CHECK(second == nullptr);
  // The loser must not have disturbed the holder's pid.
  CHECK(contents(path) == pid + "\n");

  first.reset();
  std::unique_ptr<file_lock> third;
  CHECK(fs().lock_file(path, &third).is_ok());
}

TEST_CASE("taking a lock replaces a stale pid left by an earlier holder") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  const std::string path = dir.file("LOCK");
  write(path, "999999999999\nleftover bytes");
  std::unique_ptr<file_lock> lock;
  REQUIRE(fs().lock_file(path, &lock).is_ok());
  CHECK(contents(path) == std::to_string(::getpid()) + "\n");
}

TEST_CASE("write_file_atomically replaces the file and leaves no temporary behind") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  REQUIRE(write_file_atomically(fs(), dir.path(), "CURRENT", "MANIFEST-000001\n").is_ok());
  CHECK(contents(dir.file("CURRENT")) == "MANIFEST-000001\n");
  REQUIRE(write_file_atomically(fs(), dir.path(), "CURRENT", "MANIFEST-000002\n").is_ok());
  CHECK(contents(dir.file("CURRENT")) == "MANIFEST-000002\n");
  CHECK_FALSE(fs().exists(dir.file("CURRENT.tmp")));
  std::vector<std::string> names;
  REQUIRE(fs().list_dir(dir.path(), &names).is_ok());
  CHECK(names == std::vector<std::string>{"CURRENT"});
}

TEST_CASE("write_file_atomically into a missing directory fails naming the path") {
  temp_dir dir;
  const status s = write_file_atomically(fs(), dir.path(), "CURRENT", "x");
  CHECK_FALSE(s.is_ok());
  CHECK(s.message().find(dir.file("CURRENT.tmp")) != std::string::npos);
}

TEST_CASE("read_file_to_string reads files larger than one read") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  for (std::size_t n :
       {std::size_t{0}, std::size_t{65536}, std::size_t{65537}, std::size_t{200000}}) {
    CAPTURE(n);
    std::string data(n, 'q');
    if (n > 0) data.back() = 'z';
    write(dir.file("f"), data);
    CHECK(contents(dir.file("f")) == data);
  }
}

TEST_CASE("concurrent positional reads see their own offsets") {
  temp_dir dir;
  REQUIRE(fs().create_dir(dir.path()).is_ok());
  std::string data;
  for (int i = 0; i < 4096; ++i) data.push_back(static_cast<char>('a' + i % 26));
  write(dir.file("f"), data);
  std::unique_ptr<readable_file> r;
  REQUIRE(fs().new_readable_file(dir.file("f"), &r).is_ok());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      char scratch[16];
      for (int i = 0; i < 2000; ++i) {
        const std::uint64_t off = static_cast<std::uint64_t>((i * 37 + t * 101) % 4000);
        std::string_view got;
        if (!r->read(off, 16, scratch, &got).is_ok() || got != data.substr(off, 16)) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == 0);
}
