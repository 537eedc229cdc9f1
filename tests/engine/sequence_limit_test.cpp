// Sequence numbers are 56 bits: a store that reaches the last one refuses writes for good
// instead of wrapping (a wrapped write would be acknowledged, yet sort behind every older
// version, and the next open would call the log corrupt).

#include <doctest/doctest.h>

#include <memory>

#include "kepler/db.hpp"
#include "storage_format/log/log_writer.hpp"
#include "storage_format/memtable/batch_format.hpp"
#include "storage_format/memtable/internal_key.hpp"
#include "storage_format/util/file_system.hpp"
#include "storage_format/version/file_names.hpp"
#include "test_dir.hpp"

using kepler::ec;
using kepler::test::temp_dir;
namespace storage = kepler::storage;

namespace {

bool has_code(const caf::error& err, ec code) {
  return err.category() == caf::atom("kepler") && err.code() == static_cast<uint8_t>(code);
}

// Makes a store whose log holds one insert of `key` numbered `seq`, as if that many writes had
// come before it.
void make_store_at_sequence(const std::string& dir, storage::sequence_number seq,
                            const std::string& key) {
  REQUIRE(kepler::db::open(dir));  // created, then closed
  auto* fs = storage::file_system::posix();
  std::unique_ptr<storage::writable_file> file;
  REQUIRE(
      fs->new_writable_file(storage::join_path(dir, storage::log_file_name(900)), &file).is_ok());
  auto batch = storage::batch::make_empty();
  storage::batch::add_put(&batch, key, "v");
  storage::batch::set_sequence(&batch, seq);
  storage::log::writer log(file.get());
  REQUIRE(log.append_record(batch).is_ok());
  REQUIRE(file->sync().is_ok());
  REQUIRE(file->close().is_ok());
}

}  // namespace

TEST_CASE("a write past the last sequence number is refused for good, and nothing is lost") {
  temp_dir dir;
  constexpr auto last = storage::max_sequence_number;
  make_store_at_sequence(dir.path(), last - 3, "old");
  {
    auto store = kepler::db::open(dir.path());
    REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
    REQUIRE((*store)->insert("a", "1"));  // last - 2
    kepler::write_batch two;              // last - 1 and last: exactly what is left
    two.insert("b", "2");
    two.insert("c", "3");
    REQUIRE((*store)->write(two));
    auto refused = (*store)->insert("d", "4");
    REQUIRE_FALSE(refused);
    CHECK(has_code(refused.error(), ec::write_failed));
    CHECK(kepler::to_string(refused.error()).find("sequence numbers are used up") !=
          std::string::npos);
    // Sticky: an empty-looking store of numbers does not come back.
    CHECK_FALSE((*store)->remove("a"));
    // Every acknowledged write is visible, the refused one is not.
    for (auto key : {"old", "a", "b", "c"}) CHECK((*store)->get(key)->has_value());
    CHECK_FALSE((*store)->get("d")->has_value());
  }
  // The store still opens (the log is not corrupt), holds every acknowledged write, and goes on
  // refusing writes.
  auto store = kepler::db::open(dir.path());
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  for (auto key : {"old", "a", "b", "c"}) CHECK((*store)->get(key)->has_value());
  CHECK_FALSE((*store)->get("d")->has_value());
  auto refused = (*store)->insert("e", "5");
  REQUIRE_FALSE(refused);
  CHECK(has_code(refused.error(), ec::write_failed));
  MESSAGE("store at sequence " << last - 3 << ": 3 more entries acknowledged, then refused");
}

TEST_CASE("a batch that does not fit in the sequence numbers left is refused whole") {
  temp_dir dir;
  constexpr auto last = storage::max_sequence_number;
  make_store_at_sequence(dir.path(), last - 1, "old");
  auto store = kepler::db::open(dir.path());
  REQUIRE_MESSAGE(store, kepler::to_string(store.error()));
  kepler::write_batch two;  // needs last and last + 1
  two.insert("x", "1");
  two.insert("y", "2");
  auto refused = (*store)->write(two);
  REQUIRE_FALSE(refused);
  CHECK(has_code(refused.error(), ec::write_failed));
  CHECK_FALSE((*store)->get("x")->has_value());
  CHECK_FALSE((*store)->get("y")->has_value());
  CHECK((*store)->get("old")->has_value());
}
