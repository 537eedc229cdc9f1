#pragma once
// Runs kepler-server (KEPLER_SERVER_PATH) as a child process for the remote tests: its stdout and
// stderr go to files, its port comes from --port-file, and the test stops it with a signal.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "test_dir.hpp"

namespace kepler::test {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class server_process {
 public:
  /// Starts `kepler-server DIR --port-file F ARGS...`; port() is 0 when it did not come up
  /// within `wait`.
  server_process(const std::string& store_dir, const std::vector<std::string>& args,
                 std::chrono::seconds wait = std::chrono::seconds(20))
      : io_("kepler-server-io") {
    std::filesystem::create_directories(io_.path());
    std::string port_file = io_.file("port");
    pid_ = ::fork();
    if (pid_ == 0) {
      int out = ::open(io_.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = ::open(io_.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out < 0 || err < 0) ::_exit(126);
      ::dup2(out, 1);
      ::dup2(err, 2);
      std::vector<std::string> all{KEPLER_SERVER_PATH, store_dir, "--port-file", port_file};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file);
      unsigned p = 0;
      if (in >> p && p != 0) {
        port_ = static_cast<std::uint16_t>(p);
        break;
      }
      if (exited()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~server_process() {
    if (pid_ > 0 && status_ < 0) {
      ::kill(pid_, SIGKILL);
      wait_exit(std::chrono::seconds(10));
    }
  }
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  /// Sends `sig`; returns the exit status (128 + signal when one ended it), or -1 when it did not
  /// end within `wait`.
  int stop(int sig, std::chrono::seconds wait = std::chrono::seconds(30)) {
    if (status_ >= 0) return status_;
    ::kill(pid_, sig);
    return wait_exit(wait);
  }
  /// True when the process has ended (status() then holds how).
  bool exited() {
    if (status_ >= 0) return true;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return true;
    }
    return false;
  }
  int status() const { return status_; }
  std::string out() const { return slurp(io_.file("out")); }
  std::string err() const { return slurp(io_.file("err")); }

 private:
  int wait_exit(std::chrono::seconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (!exited() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return status_;
  }
  temp_dir io_;
  pid_t pid_ = -1;
  int status_ = -1;
  std::uint16_t port_ = 0;
};

/// A CA, a server and a client certificate signed by it, and a rogue CA with a client
/// certificate of its own, made with the openssl command. ok() is false when openssl failed.
class test_certificates {
 public:
  test_certificates() : dir_("kepler-certs") {
    std::filesystem::create_directories(dir_.path());
    auto d = dir_.path();
    std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    std::string q = " > " + d + "/openssl.log 2>&1";
    auto run = [&](const std::string& cmd) {
      if (ok_ && std::system((cmd + q).c_str()) != 0) ok_ = false;
    };
    for (std::string ca : {"ca", "rogue"})
      run("openssl req -x509 " + key + " -keyout " + d + "/" + ca + ".key -out " + d + "/" + ca +
          ".pem -days 2 -subj /CN=kepler-test-" + ca);
    auto leaf = [&](const std::string& name, const std::string& ca) {
      run("openssl req " + key + " -keyout " + d + "/" + name + ".key -out " + d + "/" + name +
          ".csr -subj /CN=" + name);
      run("openssl x509 -req -in " + d + "/" + name + ".csr -CA " + d + "/" + ca + ".pem -CAkey " +
          d + "/" + ca + ".key -CAcreateserial -out " + d + "/" + name + ".pem -days 2");
    };
    leaf("server", "ca");
    leaf("client", "ca");
    leaf("intruder", "rogue");
  }
  bool ok() const { return ok_; }
  std::string file(const std::string& name) const { return dir_.file(name); }
  std::string log() const { return slurp(dir_.file("openssl.log")); }

 private:
  temp_dir dir_;
  bool ok_ = true;
};

}  // namespace kepler::test
