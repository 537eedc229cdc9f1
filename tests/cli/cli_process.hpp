#pragma once
// Runs the kepler binary (KEPLER_CLI_PATH) as a child process for the CLI tests: stdin from a
// string, stdout and stderr captured. Files rather than pipes carry them, so a large dump can
// neither block the child nor the test.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "test_dir.hpp"

namespace kepler::test {

struct cli_result {
  int exit_code = -1;  // the exit status, or 128 + signal when a signal ended it
  std::string out;
  std::string err;
};

inline std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_whole_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Runs `kepler ARGS...` with `input` on stdin and `env` (NAME=VALUE entries) added to the
/// environment.
inline cli_result run_cli(const std::vector<std::string>& args, const std::string& input = {},
                          const std::vector<std::string>& env = {}) {
  temp_dir io("kepler-cli-io");
  std::filesystem::create_directories(io.path());
  write_whole_file(io.file("in"), input);
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open(io.file("in").c_str(), O_RDONLY);
    int out = ::open(io.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(io.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    std::string path = KEPLER_CLI_PATH;
    argv.push_back(path.data());
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(path.c_str(), argv.data());
    ::_exit(127);
  }
  cli_result r;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid)
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_whole_file(io.file("out"));
  r.err = read_whole_file(io.file("err"));
  return r;
}

/// The lines of `text` (without their newlines).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The value of the first line "NAME: VALUE" of `text`, or "" when there is none.
inline std::string field(const std::string& text, const std::string& name) {
  for (const auto& line : lines_of(text))
    if (line.compare(0, name.size() + 2, name + ": ") == 0) return line.substr(name.size() + 2);
  return {};
}

}  // namespace kepler::test
