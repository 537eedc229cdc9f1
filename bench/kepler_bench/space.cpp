#include "space.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kepler::bench {

namespace {

/// The number after `field` in a /proc file of "name: value" lines, times `unit`; 0 if absent.
std::uint64_t proc_field(const char* file, const std::string& field, std::uint64_t unit) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) {
      std::istringstream rest(line.substr(field.size()));
      std::uint64_t value = 0;
      rest >> value;
      return value * unit;
    }
  return 0;
}

}  // namespace

std::uint64_t directory_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      auto size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

io_counters process_io() {
  const char* io = "/proc/self/io";
  return {proc_field(io, "wchar:", 1), proc_field(io, "write_bytes:", 1),
          proc_field(io, "cancelled_write_bytes:", 1)};
}

std::uint64_t peak_rss_bytes() {
  return proc_field("/proc/self/status", "VmHWM:", 1024);
}

void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";  // 5: reset the peak resident set size
}

}  // namespace kepler::bench
