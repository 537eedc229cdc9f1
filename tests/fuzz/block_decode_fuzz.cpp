// Fuzz target for the read path of a data block (sst_format.md, "Block compression"): the input
// is a codec selector byte and the block's stored contents. The target seals them with a valid
// trailer, as a writer would, so the bytes reach the decompressor (the checksum would stop
// nearly all of them otherwise), reads the block back with read_block, and walks every entry of
// what decodes. Any outcome but ok or corruption, a crash, an over-read (ASan) or an allocation
// above the limit is a finding.
//
// Fuzzing (clang): cmake -DCMAKE_CXX_COMPILER=clang++ -DKEPLER_FUZZ=ON
//   -DKEPLER_SANITIZE=address,undefined, then
//   kepler_fuzz_block_decode -max_len=4096 -malloc_limit_mb=64 NEW_DIR
//   tests/fuzz/corpus/block_decode
// (new inputs go to NEW_DIR; merge the small ones worth keeping into the corpus with -merge=1).
// The corpus holds hand-made seeds (valid, cut and lying blocks per codec) and the inputs under
// 512 bytes of a 60 s run's merged corpus (found-*).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "storage_format/table/block.hpp"
#include "storage_format/table/table_format.hpp"
#include "string_files.hpp"

namespace {

using namespace kepler::storage;

// The largest raw block the target lets a size field claim: 16 x the default block size.
constexpr std::uint64_t max_raw_bytes = 64 * 1024;

void check(const status& s) {
  if (!s.is_ok() && s.code() != status_code::corruption) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto codec = static_cast<block_codec>(data[0] % (max_block_codec + 1));
  const std::string stored(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string table;
  append_block(&table, stored, block_kind::data, codec);
  kepler::test::string_readable file(table);
  block_decoding decoding;
  decoding.compressed_allowed = true;
  decoding.max_raw_bytes = max_raw_bytes;
  std::string contents;
  status s = read_block(file, block_handle{0, stored.size()}, block_kind::data, true, table.size(),
                        &contents, decoding);
  check(s);
  if (!s.is_ok()) return 0;
  if (contents.size() > max_raw_bytes && codec != block_codec::none) std::abort();
  block b;
  s = block::parse(std::move(contents), &b);
  check(s);
  if (!s.is_ok()) return 0;
  b.build_search_index();
  block::iterator it(&b);
  std::size_t steps = 0;
  for (it.seek_to_first(); it.valid(); it.next()) ++steps;
  check(it.state());
  for (it.seek_to_last(); it.valid() && steps > 0; it.prev()) --steps;
  check(it.state());
  return 0;
}
