// The POSIX file_system. Every failure names the path and the operating system's reason, since
// these messages reach users verbatim through the engine's errors.

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

#include "storage_format/util/file_system.hpp"
#include "storage_format/util/kill_point.hpp"

namespace kepler::storage {

namespace {

constexpr mode_t file_mode = 0644;
constexpr mode_t dir_mode = 0755;
// Enough for any pid plus a newline; what lies beyond is not ours.
constexpr std::size_t max_pid_text = 32;
// read_file_to_string reads in pieces so a file growing under it cannot force one huge buffer.
constexpr std::size_t read_chunk = 64 * 1024;

// std::generic_category().message uses the thread-safe strerror_r.
std::string errno_text(int err) {
  return std::generic_category().message(err);
}

status posix_error(const std::string& path, const char* what, int err) {
  std::string msg = path + ": " + what + ": " + errno_text(err);
  if (err == ENOENT) return status::not_found(std::move(msg));
  return status::io_error(std::move(msg));
}

int open_retrying(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Closing can report a deferred write error (NFS, some quota cases), so callers that care check
// it; EINTR is not retried because Linux has already released the descriptor.
int close_fd(int fd) {
  return ::close(fd);
}

class posix_writable_file final : public writable_file {
 public:
  posix_writable_file(std::string path, int fd, std::uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~posix_writable_file() override {
    if (fd_ >= 0) close_fd(fd_);
  }

  status append(std::string_view data) override {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return posix_error(path_, "write", errno);
      }
      if (n == 0) return status::io_error(path_ + ": write: no progress");
      p += n;
      left -= static_cast<std::size_t>(n);
      size_.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
    }
    return status::ok();
  }

  status sync() override {
    if (::fdatasync(fd_) != 0) return posix_error(path_, "fdatasync", errno);
    return status::ok();
  }

  status truncate(std::uint64_t size) override {
    // The file is opened O_APPEND, so the next append lands at the new end without a seek.
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return posix_error(path_, "ftruncate", errno);
    }
    size_.store(size, std::memory_order_relaxed);
    return status::ok();
  }

  status close() override {
    if (fd_ < 0) return status::ok();
    const int rc = close_fd(fd_);
    fd_ = -1;
    if (rc != 0) return posix_error(path_, "close", errno);
    return status::ok();
  }

  std::uint64_t size() const override { return size_.load(std::memory_order_relaxed); }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  // Read by a syncing thread while the appending thread updates it.
  std::atomic<std::uint64_t> size_;
};

// A file that does not change while open, mapped whole: a read is a view into the mapping
// (readable_file::read allows a view of the file's own memory), with no system call.
class mapped_readable_file final : public readable_file {
 public:
  mapped_readable_file(std::string path, const char* base, std::uint64_t size)
      : path_(std::move(path)), base_(base), size_(size) {}
  ~mapped_readable_file() override {
    ::munmap(const_cast<char*>(base_), static_cast<std::size_t>(size_));
  }

  status read(std::uint64_t offset, std::size_t n, char* /*scratch*/,
              std::string_view* out) const override {
    if (offset >= size_) {
      *out = std::string_view(base_ + size_, 0);
      return status::ok();
    }
    const std::uint64_t left = size_ - offset;
    *out = std::string_view(base_ + offset, n < left ? n : static_cast<std::size_t>(left));
    return status::ok();
  }
  std::uint64_t size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  const char* base_;
  std::uint64_t size_;
};

class posix_readable_file final : public readable_file {
 public:
  posix_readable_file(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~posix_readable_file() override { close_fd(fd_); }

  status read(std::uint64_t offset, std::size_t n, char* scratch,
              std::string_view* out) const override {
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, scratch + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        *out = std::string_view(scratch, 0);
        return posix_error(path_ + " at offset " + std::to_string(offset + got), "pread", errno);
      }
      if (r == 0) break;  // end of file
      got += static_cast<std::size_t>(r);
    }
    *out = std::string_view(scratch, got);
    return status::ok();
  }

  // Asked of the descriptor each time: a log may still be growing while it is read.
  std::uint64_t size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return 0;
    return static_cast<std::uint64_t>(st.st_size);
  }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
};

// flock locks belong to the open file description, so holding the descriptor is holding the lock,
// and a second open of the same file in this process conflicts as it should.
class posix_file_lock final : public file_lock {
 public:
  explicit posix_file_lock(int fd) : fd_(fd) {}
  ~posix_file_lock() override {
    ::flock(fd_, LOCK_UN);
    close_fd(fd_);
  }

 private:
  int fd_;
};

status open_writable(const std::string& path, int flags, std::unique_ptr<writable_file>* out) {
  const int fd = open_retrying(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | flags, file_mode);
  if (fd < 0) return posix_error(path, "open for writing", errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    close_fd(fd);
    return posix_error(path, "fstat", err);
  }
  *out = std::make_unique<posix_writable_file>(path, fd, static_cast<std::uint64_t>(st.st_size));
  return status::ok();
}

std::string read_holder_pid(int fd) {
  char buf[max_pid_text];
  ssize_t n;
  do {
    n = ::pread(fd, buf, sizeof buf - 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return {};
  buf[n] = '\0';
  char* end = nullptr;
  const long pid = std::strtol(buf, &end, 10);
  if (end == buf || pid <= 0) return {};
  return std::to_string(pid);
}

class posix_file_system final : public file_system {
 public:
  status new_writable_file(const std::string& path, std::unique_ptr<writable_file>* out) override {
    return open_writable(path, O_TRUNC, out);
  }

  status new_appendable_file(const std::string& path,
                             std::unique_ptr<writable_file>* out) override {
    return open_writable(path, 0, out);
  }

  status new_readable_file(const std::string& path, std::unique_ptr<readable_file>* out) override {
    const int fd = open_retrying(path.c_str(), O_RDONLY);
    if (fd < 0) return posix_error(path, "open for reading", errno);
    *out = std::make_unique<posix_readable_file>(path, fd);
    return status::ok();
  }

  status new_immutable_file(const std::string& path, std::unique_ptr<readable_file>* out) override {
    const int fd = open_retrying(path.c_str(), O_RDONLY);
    if (fd < 0) return posix_error(path, "open for reading", errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      close_fd(fd);
      return posix_error(path, "fstat", err);
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    void* map = size == 0 ? MAP_FAILED : ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
      // An empty file cannot be mapped, and a full address space need not fail the open.
      *out = std::make_unique<posix_readable_file>(path, fd);
      return status::ok();
    }
    close_fd(fd);  // the mapping keeps the file
    *out = std::make_unique<mapped_readable_file>(path, static_cast<const char*>(map), size);
    return status::ok();
  }

  bool exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  status file_size(const std::string& path, std::uint64_t* size) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return posix_error(path, "stat", errno);
    *size = static_cast<std::uint64_t>(st.st_size);
    return status::ok();
  }

  status list_dir(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return posix_error(dir, "opendir", errno);
    for (;;) {
      errno = 0;
      const dirent* entry = ::readdir(d);
      if (entry == nullptr) break;
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names->push_back(name);
    }
    const int err = errno;
    ::closedir(d);
    if (err != 0) return posix_error(dir, "readdir", err);
    return status::ok();
  }

  status create_dir(const std::string& dir) override {
    // Each prefix ending before a '/' is a parent that may need creating, then the dir itself.
    for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
      if (pos < dir.size() && dir[pos] != '/') continue;
      const std::string prefix = dir.substr(0, pos);
      if (::mkdir(prefix.c_str(), dir_mode) == 0) continue;
      const int err = errno;
      struct stat st;
      if (err == EEXIST && ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
      if (err == EEXIST) return status::io_error(prefix + ": mkdir: exists and is not a directory");
      return posix_error(prefix, "mkdir", err);
    }
    return status::ok();
  }

  status remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return posix_error(path, "unlink", errno);
    return status::ok();
  }

  status rename_file(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return posix_error(from, ("rename to " + to).c_str(), errno);
    }
    return status::ok();
  }

  status truncate_file(const std::string& path, std::uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return posix_error(path, "truncate", errno);
    }
    return status::ok();
  }

  status sync_dir(const std::string& dir) override {
    const int fd = open_retrying(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return posix_error(dir, "open directory", errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    close_fd(fd);
    if (rc != 0) return posix_error(dir, "fsync directory", err);
    return status::ok();
  }

  status lock_file(const std::string& path, std::unique_ptr<file_lock>* out) override {
    const int fd = open_retrying(path.c_str(), O_RDWR | O_CREAT, file_mode);
    if (fd < 0) return posix_error(path, "open lock file", errno);
    KEPLER_RETURN_IF_ERROR(take_lock(path, fd));
    // Only the holder writes, so a reader that lost the race sees a whole pid or none.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
      const int err = errno;
      close_fd(fd);
      return posix_error(path, "write pid to lock file", err);
    }
    *out = std::make_unique<posix_file_lock>(fd);
    return status::ok();
  }

  status lock_file_read_only(const std::string& path, std::unique_ptr<file_lock>* out) override {
    const int fd = open_retrying(path.c_str(), O_RDONLY, 0);
    if (fd < 0) return posix_error(path, "open lock file", errno);
    KEPLER_RETURN_IF_ERROR(take_lock(path, fd));
    *out = std::make_unique<posix_file_lock>(fd);
    return status::ok();
  }

 private:
  // flock(LOCK_EX) on `fd` (closed on failure): `locked` naming the holder's pid when another
  // holder has it.
  static status take_lock(const std::string& path, int fd) {
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      const int err = errno;
      if (err == EWOULDBLOCK) {
        const std::string pid = read_holder_pid(fd);
        close_fd(fd);
        const std::string holder = pid.empty() ? "another process" : "process " + pid;
        return status::locked(path + ": locked by " + holder +
                              ": another program has this store open");
      }
      close_fd(fd);
      return posix_error(path, "flock", err);
    }
    return status::ok();
  }
};

}  // namespace

file_system* file_system::posix() {
  // Never destroyed, so files closed during static destruction still have a file system.
  static auto* fs = new posix_file_system();
  return fs;
}

status read_file_to_string(file_system& fs, const std::string& path, std::string* out) {
  out->clear();
  std::unique_ptr<readable_file> file;
  KEPLER_RETURN_IF_ERROR(fs.new_readable_file(path, &file));
  std::string scratch(read_chunk, '\0');
  for (std::uint64_t offset = 0;;) {
    std::string_view got;
    KEPLER_RETURN_IF_ERROR(file->read(offset, scratch.size(), scratch.data(), &got));
    out->append(got.data(), got.size());
    offset += got.size();
    if (got.size() < scratch.size()) return status::ok();
  }
}

namespace {

// The directory whose entries hold `path`: "a/b" -> "a", "/a" -> "/", "a" -> ".".
std::string parent_dir(const std::string& path) {
  const auto end = path.find_last_not_of('/');
  if (end == std::string::npos) return "/";
  const auto slash = path.find_last_of('/', end);
  if (slash == std::string::npos) return ".";
  const auto parent_end = path.find_last_not_of('/', slash);
  if (parent_end == std::string::npos) return "/";
  return path.substr(0, parent_end + 1);
}

}  // namespace

status create_dir_durably(file_system& fs, const std::string& dir) {
  std::vector<std::string> missing;  // deepest first
  for (std::string level = dir; !fs.exists(level);) {
    missing.push_back(level);
    std::string parent = parent_dir(level);
    if (parent == level) break;  // "/" or "." missing: create_dir reports why
    level = std::move(parent);
  }
  for (auto level = missing.rbegin(); level != missing.rend(); ++level) {
    KEPLER_RETURN_IF_ERROR(fs.create_dir(*level));
    KEPLER_RETURN_IF_ERROR(fs.sync_dir(parent_dir(*level)));
  }
  return status::ok();
}

status write_file_atomically(file_system& fs, const std::string& dir, const std::string& name,
                             std::string_view data) {
  const std::string final_path = dir + "/" + name;
  const std::string tmp_path = final_path + ".tmp";
  std::unique_ptr<writable_file> file;
  KEPLER_RETURN_IF_ERROR(fs.new_writable_file(tmp_path, &file));
  status s = file->append(data);
  if (s) s = file->sync();
  if (s) s = file->close();
  file.reset();
  // A crash here leaves the temporary beside the old file: the old one still counts.
  if (s) kill_points::reach(kill_points::during_current_switch);
  if (s) s = fs.rename_file(tmp_path, final_path);
  if (!s) {
    // The old file (if any) is untouched; the half-written temporary is only litter.
    fs.remove_file(tmp_path);
    return s;
  }
  return fs.sync_dir(dir);
}

}  // namespace kepler::storage
