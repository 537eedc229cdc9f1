#include "power_loss/memory_file_system.hpp"

#include <algorithm>
#include <cstring>

namespace kepler::test {

using storage::status;

const char* to_string(fs_op op) {
  switch (op) {
    case fs_op::new_file:
      return "new_file";
    case fs_op::append:
      return "append";
    case fs_op::sync:
      return "sync";
    case fs_op::truncate:
      return "truncate";
    case fs_op::create_dir:
      return "create_dir";
    case fs_op::sync_dir:
      return "sync_dir";
    case fs_op::rename:
      return "rename";
    case fs_op::remove:
      return "remove";
    case fs_op::open:
      return "open";
    case fs_op::read:
      return "read";
  }
  return "?";
}

const char* to_string(power_loss_mode mode) {
  switch (mode) {
    case power_loss_mode::drop_unsynced:
      return "drop_unsynced";
    case power_loss_mode::keep_prefix:
      return "keep_prefix";
    case power_loss_mode::keep_pages:
      return "keep_pages";
    case power_loss_mode::garbage_tail:
      return "garbage_tail";
    case power_loss_mode::zero_tail:
      return "zero_tail";
  }
  return "?";
}

std::string describe(const trace_op& op) {
  std::string s = std::string(to_string(op.kind)) + " ";
  switch (op.kind) {
    case fs_op::append:
      return s + "inode " + std::to_string(op.inode) + " +" + std::to_string(op.data.size());
    case fs_op::sync:
      return s + "inode " + std::to_string(op.inode);
    case fs_op::truncate:
      return s + "inode " + std::to_string(op.inode) + " to " + std::to_string(op.size);
    case fs_op::rename:
      return s + op.path + " -> " + op.to;
    case fs_op::new_file:
      return s + op.path + " (inode " + std::to_string(op.inode) + ")";
    default:
      return s + op.path;
  }
}

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// ---- mem_disk ----

mem_disk::mem_disk() {
  dirs_.insert("/");
  durable_dirs_.insert("/");
}

bool mem_disk::exists(const std::string& path) const {
  return entries_.count(path) != 0 || dirs_.count(path) != 0;
}

std::shared_ptr<mem_disk::inode> mem_disk::file(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : inodes_.at(it->second);
}

std::uint64_t mem_disk::inode_of(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? 0 : it->second;
}

std::shared_ptr<mem_disk::inode> mem_disk::file_by_inode(std::uint64_t number) const {
  auto it = inodes_.find(number);
  return it == inodes_.end() ? nullptr : it->second;
}

std::vector<std::string> mem_disk::list(const std::string& dir) const {
  std::vector<std::string> names;
  const std::string prefix = dir == "/" ? "/" : dir + "/";
  for (const auto& [path, number] : entries_)
    if (parent_of(path) == dir) names.push_back(path.substr(prefix.size()));
  for (const auto& d : dirs_)
    if (d != "/" && parent_of(d) == dir) names.push_back(d.substr(prefix.size()));
  return names;
}

std::vector<std::string> mem_disk::files() const {
  std::vector<std::string> out;
  for (const auto& [path, number] : entries_) out.push_back(path);
  return out;
}

mem_disk mem_disk::deep_copy() const {
  mem_disk out = *this;
  for (auto& [number, node] : out.inodes_) node = std::make_shared<inode>(*node);
  return out;
}

status mem_disk::apply(const trace_op& op) {
  switch (op.kind) {
    case fs_op::new_file: {
      if (dirs_.count(parent_of(op.path)) == 0)
        return status::not_found(op.path + ": no such directory");
      if (dirs_.count(op.path) != 0) return status::io_error(op.path + ": is a directory");
      auto it = entries_.find(op.path);
      if (it != entries_.end() && it->second == op.inode) return status::ok();  // appendable
      auto node = std::make_shared<inode>();
      inodes_[op.inode] = node;
      entries_[op.path] = op.inode;
      next_inode_ = std::max(next_inode_, op.inode + 1);
      return status::ok();
    }
    case fs_op::append: {
      auto node = file_by_inode(op.inode);
      if (!node) return status::not_found("inode " + std::to_string(op.inode));
      node->data.append(op.data);
      return status::ok();
    }
    case fs_op::sync: {
      auto node = file_by_inode(op.inode);
      if (!node) return status::not_found("inode " + std::to_string(op.inode));
      node->synced = node->data.size();
      return status::ok();
    }
    case fs_op::truncate: {
      auto node = file_by_inode(op.inode);
      if (!node) return status::not_found("inode " + std::to_string(op.inode));
      // Cutting is taken as durable at once; growing adds unsynced zeros.
      node->data.resize(op.size);
      node->synced = std::min<std::uint64_t>(node->synced, op.size);
      return status::ok();
    }
    case fs_op::create_dir: {
      // Every missing level, as mkdir -p.
      for (std::string d = op.path; dirs_.count(d) == 0; d = parent_of(d)) {
        if (entries_.count(d) != 0) return status::io_error(d + ": exists and is not a directory");
        dirs_.insert(d);
      }
      return status::ok();
    }
    case fs_op::sync_dir: {
      if (dirs_.count(op.path) == 0) return status::not_found(op.path + ": no such directory");
      for (auto it = durable_entries_.begin(); it != durable_entries_.end();)
        it = parent_of(it->first) == op.path ? durable_entries_.erase(it) : std::next(it);
      for (const auto& [path, number] : entries_)
        if (parent_of(path) == op.path) durable_entries_[path] = number;
      for (auto it = durable_dirs_.begin(); it != durable_dirs_.end();)
        it = *it != "/" && parent_of(*it) == op.path ? durable_dirs_.erase(it) : std::next(it);
      for (const auto& d : dirs_)
        if (d != "/" && parent_of(d) == op.path) durable_dirs_.insert(d);
      return status::ok();
    }
    case fs_op::rename: {
      auto it = entries_.find(op.path);
      if (it == entries_.end()) return status::not_found(op.path + ": rename: no such file");
      if (dirs_.count(parent_of(op.to)) == 0)
        return status::not_found(op.to + ": rename: no such directory");
      const auto number = it->second;
      entries_.erase(it);
      entries_[op.to] = number;
      return status::ok();
    }
    case fs_op::remove: {
      if (entries_.erase(op.path) == 0)
        return status::not_found(op.path + ": unlink: no such file");
      return status::ok();
    }
    case fs_op::open:
    case fs_op::read:
      return status::ok();
  }
  return status::ok();
}

mem_disk mem_disk::power_loss(power_loss_mode mode, std::mt19937_64& rng) const {
  mem_disk out;
  // A directory survives when it and every parent were made durable in their parents.
  auto dir_survives = [&](const std::string& dir) {
    for (std::string d = dir; d != "/" && d != "."; d = parent_of(d))
      if (durable_dirs_.count(d) == 0) return false;
    return true;
  };
  for (const auto& d : durable_dirs_)
    if (dir_survives(d)) {
      out.dirs_.insert(d);
      out.durable_dirs_.insert(d);
    }
  std::map<std::uint64_t, std::shared_ptr<inode>> made;
  for (const auto& [path, number] : durable_entries_) {
    if (!dir_survives(parent_of(path))) continue;
    auto& node = made[number];
    if (!node) {
      const auto& old = *inodes_.at(number);
      node = std::make_shared<inode>();
      const std::uint64_t len = old.data.size();
      const std::uint64_t synced = std::min<std::uint64_t>(old.synced, len);
      std::string data = old.data.substr(0, synced);
      const std::uint64_t tail = len - synced;
      if (tail > 0) {
        switch (mode) {
          case power_loss_mode::drop_unsynced:
            break;
          case power_loss_mode::keep_prefix:
            data.append(old.data, synced, rng() % (tail + 1));
            break;
          case power_loss_mode::keep_pages: {
            // Pages holding unsynced bytes are written back in any order: each is kept or not;
            // the file ends after the last kept one, the rest of the tail reads as zeros.
            std::string full(old.data, 0, len);
            std::uint64_t end = synced;
            for (std::uint64_t page = synced / page_bytes * page_bytes; page < len;
                 page += page_bytes) {
              const auto from = std::max(page, synced);
              const auto to = std::min(page + page_bytes, len);
              if (rng() % 2 == 0) {
                end = to;
              } else {
                std::fill(full.begin() + static_cast<std::ptrdiff_t>(from),
                          full.begin() + static_cast<std::ptrdiff_t>(to), '\0');
              }
            }
            data = full.substr(0, end);
            break;
          }
          case power_loss_mode::garbage_tail:
            for (std::uint64_t i = 0; i < tail; ++i) data.push_back(static_cast<char>(rng()));
            break;
          case power_loss_mode::zero_tail:
            data.append(tail, '\0');
            break;
        }
      }
      node->data = std::move(data);
      node->synced = node->data.size();
    }
    out.entries_[path] = number;
    out.durable_entries_[path] = number;
    out.inodes_[number] = node;
  }
  out.next_inode_ = next_inode_;
  return out;
}

// ---- memory_file_system ----

class memory_file_system::writable final : public storage::writable_file {
 public:
  writable(memory_file_system* fs, std::uint64_t inode, std::string path)
      : fs_(fs), inode_(inode), path_(std::move(path)) {}
  status append(std::string_view data) override {
    trace_op op;
    op.kind = fs_op::append;
    op.path = path_;
    op.inode = inode_;
    op.data.assign(data.data(), data.size());
    return fs_->run(std::move(op));
  }
  status sync() override {
    trace_op op;
    op.kind = fs_op::sync;
    op.path = path_;
    op.inode = inode_;
    return fs_->run(std::move(op));
  }
  status truncate(std::uint64_t size) override {
    trace_op op;
    op.kind = fs_op::truncate;
    op.path = path_;
    op.inode = inode_;
    op.size = size;
    return fs_->run(std::move(op));
  }
  status close() override { return status::ok(); }
  std::uint64_t size() const override {
    std::lock_guard<std::mutex> guard(fs_->mutex_);
    auto node = fs_->disk_.file_by_inode(inode_);
    return node ? node->data.size() : 0;
  }
  const std::string& path() const override { return path_; }

 private:
  memory_file_system* fs_;
  std::uint64_t inode_;
  std::string path_;
};

class memory_file_system::readable final : public storage::readable_file {
 public:
  readable(memory_file_system* fs, std::shared_ptr<mem_disk::inode> node, std::string path,
           bool immutable)
      : fs_(fs), node_(std::move(node)), path_(std::move(path)), immutable_(immutable) {
    if (immutable_) fixed_size_ = node_->data.size();
  }
  status read(std::uint64_t offset, std::size_t n, char* scratch,
              std::string_view* out) const override {
    std::lock_guard<std::mutex> guard(fs_->mutex_);
    auto s = fs_->check_fault(fs_op::read, path_);
    if (!s.is_ok()) {
      *out = std::string_view(scratch, 0);
      return s;
    }
    const std::uint64_t size = immutable_ ? fixed_size_ : node_->data.size();
    const auto begin = std::min<std::uint64_t>(offset, size);
    const auto len = std::min<std::uint64_t>(n, size - begin);
    std::memcpy(scratch, node_->data.data() + begin, static_cast<std::size_t>(len));
    *out = std::string_view(scratch, static_cast<std::size_t>(len));
    return status::ok();
  }
  std::uint64_t size() const override {
    if (immutable_) return fixed_size_;
    std::lock_guard<std::mutex> guard(fs_->mutex_);
    return node_->data.size();
  }
  const std::string& path() const override { return path_; }

 private:
  memory_file_system* fs_;
  std::shared_ptr<mem_disk::inode> node_;
  std::string path_;
  bool immutable_;
  std::uint64_t fixed_size_ = 0;
};

class memory_file_system::lock final : public storage::file_lock {
 public:
  lock(memory_file_system* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  ~lock() override {
    std::lock_guard<std::mutex> guard(fs_->mutex_);
    fs_->locked_.erase(path_);
  }

 private:
  memory_file_system* fs_;
  std::string path_;
};

std::uint64_t memory_file_system::now() {
  std::lock_guard<std::mutex> guard(mutex_);
  return ++clock_;
}

void memory_file_system::record_trace(bool on) {
  std::lock_guard<std::mutex> guard(mutex_);
  recording_ = on;
}

std::vector<trace_op> memory_file_system::trace() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return trace_;
}

void memory_file_system::fail_nth(fs_op kind, std::uint64_t n, repeat r) {
  std::lock_guard<std::mutex> guard(mutex_);
  armed_[static_cast<int>(kind)] = {n, r};
}

void memory_file_system::disarm() {
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto& a : armed_) a = {};
}

std::uint64_t memory_file_system::counted(fs_op kind) const {
  std::lock_guard<std::mutex> guard(mutex_);
  return counted_[static_cast<int>(kind)];
}

std::vector<memory_file_system::injection> memory_file_system::injections() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return injections_;
}

mem_disk memory_file_system::disk() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return disk_.deep_copy();
}

bool memory_file_system::peek(const std::string& path, std::string* out) const {
  std::lock_guard<std::mutex> guard(mutex_);
  auto node = disk_.file(path);
  if (!node) return false;
  *out = node->data;
  return true;
}

status memory_file_system::check_fault(fs_op kind, const std::string& path) {
  const int k = static_cast<int>(kind);
  const auto n = ++counted_[k];
  const auto& a = armed_[k];
  if (a.at == 0 || n < a.at || (n > a.at && a.r == repeat::once)) return status::ok();
  injections_.push_back({++clock_, kind, path});
  return status::io_error(path + ": injected " + to_string(kind) + " failure (" +
                          (a.r == repeat::once ? "EIO" : "ENOSPC: no space left on device") + ")");
}

status memory_file_system::run(trace_op op) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto s = check_fault(op.kind, op.path);
  if (!s.is_ok()) return s;
  s = disk_.apply(op);
  if (s.is_ok() && recording_) {
    op.tick = ++clock_;
    trace_.push_back(std::move(op));
  }
  return s;
}

status memory_file_system::open_writable(const std::string& path, bool appendable,
                                         std::unique_ptr<storage::writable_file>* out) {
  std::uint64_t number = 0;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    number = appendable ? disk_.inode_of(path) : 0;
    if (number == 0) number = disk_.next_inode();
  }
  trace_op op;
  op.kind = fs_op::new_file;
  op.path = path;
  op.inode = number;
  auto s = run(std::move(op));
  if (s.is_ok()) *out = std::make_unique<writable>(this, number, path);
  return s;
}

status memory_file_system::new_writable_file(const std::string& path,
                                             std::unique_ptr<storage::writable_file>* out) {
  return open_writable(path, false, out);
}

status memory_file_system::new_appendable_file(const std::string& path,
                                               std::unique_ptr<storage::writable_file>* out) {
  return open_writable(path, true, out);
}

status memory_file_system::open_readable(const std::string& path, bool immutable,
                                         std::unique_ptr<storage::readable_file>* out) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto s = check_fault(fs_op::open, path);
  if (!s.is_ok()) return s;
  auto node = disk_.file(path);
  if (!node) return status::not_found(path + ": open for reading: no such file");
  *out = std::make_unique<readable>(this, std::move(node), path, immutable);
  return status::ok();
}

status memory_file_system::new_readable_file(const std::string& path,
                                             std::unique_ptr<storage::readable_file>* out) {
  return open_readable(path, false, out);
}

status memory_file_system::new_immutable_file(const std::string& path,
                                              std::unique_ptr<storage::readable_file>* out) {
  return open_readable(path, true, out);
}

bool memory_file_system::exists(const std::string& path) {
  std::lock_guard<std::mutex> guard(mutex_);
  return disk_.exists(path);
}

status memory_file_system::file_size(const std::string& path, std::uint64_t* size) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto node = disk_.file(path);
  if (!node) return status::not_found(path + ": stat: no such file");
  *size = node->data.size();
  return status::ok();
}

status memory_file_system::list_dir(const std::string& dir, std::vector<std::string>* names) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (!disk_.is_dir(dir)) return status::not_found(dir + ": opendir: no such directory");
  *names = disk_.list(dir);
  return status::ok();
}

status memory_file_system::create_dir(const std::string& dir) {
  trace_op op;
  op.kind = fs_op::create_dir;
  op.path = dir;
  return run(std::move(op));
}

status memory_file_system::remove_file(const std::string& path) {
  trace_op op;
  op.kind = fs_op::remove;
  op.path = path;
  return run(std::move(op));
}

status memory_file_system::rename_file(const std::string& from, const std::string& to) {
  trace_op op;
  op.kind = fs_op::rename;
  op.path = from;
  op.to = to;
  return run(std::move(op));
}

status memory_file_system::truncate_file(const std::string& path, std::uint64_t size) {
  std::uint64_t number = 0;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    number = disk_.inode_of(path);
  }
  if (number == 0) return status::not_found(path + ": truncate: no such file");
  trace_op op;
  op.kind = fs_op::truncate;
  op.path = path;
  op.inode = number;
  op.size = size;
  return run(std::move(op));
}

status memory_file_system::sync_dir(const std::string& dir) {
  trace_op op;
  op.kind = fs_op::sync_dir;
  op.path = dir;
  return run(std::move(op));
}

status memory_file_system::lock_file(const std::string& path,
                                     std::unique_ptr<storage::file_lock>* out) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (locked_.count(path) != 0)
      return status::locked(path + ": locked by this process: another opener has this store open");
  }
  // Creating the LOCK file is a file creation like any other (it keeps its contents).
  std::unique_ptr<storage::writable_file> file;
  KEPLER_RETURN_IF_ERROR(open_writable(path, true, &file));
  std::lock_guard<std::mutex> guard(mutex_);
  if (!locked_.insert(path).second)
    return status::locked(path + ": locked by this process: another opener has this store open");
  *out = std::make_unique<lock>(this, path);
  return status::ok();
}

status memory_file_system::lock_file_read_only(const std::string& path,
                                               std::unique_ptr<storage::file_lock>* out) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (!disk_.file(path)) return status::not_found(path + ": open lock file: no such file");
  if (!locked_.insert(path).second)
    return status::locked(path + ": locked by this process: another opener has this store open");
  *out = std::make_unique<lock>(this, path);
  return status::ok();
}

// ---- trace_replay ----

bool trace_replay::advance_to(std::size_t n) {
  bool ok = true;
  for (; applied_ < n && applied_ < trace_.size(); ++applied_)
    ok = disk_.apply(trace_[applied_]).is_ok() && ok;
  return ok;
}

}  // namespace kepler::test
