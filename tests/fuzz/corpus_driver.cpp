// Runs a fuzz target over every file of its corpus directories, once each, without libFuzzer:
// the checked-in corpus is a normal test (ctest), and a finding saved into it stays one.
// Usage: <driver> DIR...

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
    return 2;
  }
  std::size_t inputs = 0, bytes = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(argv[i])) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    for (const auto& path : files) {
      std::ifstream in(path, std::ios::binary);
      const std::string data((std::istreambuf_iterator<char>(in)), {});
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
      ++inputs;
      bytes += data.size();
    }
  }
  if (inputs == 0) {
    std::fprintf(stderr, "%s: no inputs in the corpus\n", argv[0]);
    return 1;
  }
  std::printf("%zu corpus inputs (%zu bytes) ran without a finding\n", inputs, bytes);
  return 0;
}
