// The iterators over nothing: empty, and carrying an error for a source that did not open.

#include <doctest/doctest.h>

#include "iterator_test_util.hpp"
#include "storage_format/iterator/empty_iterator.hpp"

using kepler::storage::new_empty_iterator;
using kepler::storage::new_error_iterator;
using kepler::storage::status;
using kepler::storage::status_code;

TEST_CASE("an empty iterator is never valid and has no error") {
  auto it = new_empty_iterator();
  CHECK_FALSE(it->valid());
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  CHECK_FALSE(it->valid());
  it->seek(kepler::test::ikey("k", 1));
  CHECK_FALSE(it->valid());
  CHECK(it->state().is_ok());
}

TEST_CASE("an error iterator is never valid and reports its error whatever it is asked") {
  auto it = new_error_iterator(status::io_error("000007.sst: read failed"));
  CHECK(it->state().code() == status_code::io_error);
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  it->seek(kepler::test::ikey("k", 1));
  CHECK_FALSE(it->valid());
  CHECK(it->state().code() == status_code::io_error);
  CHECK(it->state().message() == "000007.sst: read failed");
}
