#pragma once
// A fresh directory under the system's temporary directory, removed when the test ends.

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <string>

namespace kepler::test {

class temp_dir {
 public:
  explicit temp_dir(const std::string& name = "kepler-test") {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                .string();
    std::filesystem::remove_all(path_);
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace kepler::test
