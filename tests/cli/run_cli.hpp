#pragma once
// Runs the kepler binary (KEPLER_CLI_PATH) as a child process and captures what it prints and
// its exit code: the CLI tests check the program people run, not the functions behind it.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_dir.hpp"

namespace kepler::test {

struct cli_result {
  int exit_code = -1;  // -1: it did not exit normally
  std::string out;
  std::string err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs `kepler ARGS...`, its stdout and stderr to files (no pipe to fill up and block it).
inline cli_result run_kepler(const std::vector<std::string>& args) {
  temp_dir capture("kepler-cli-capture");
  std::filesystem::create_directories(capture.path());
  const std::string out_path = capture.file("out"), err_path = capture.file("err");
  std::vector<std::string> argv_strings{KEPLER_CLI_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0) ::_exit(126);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  cli_result r;
  int wstatus = 0;
  if (pid > 0 && ::waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus))
    r.exit_code = WEXITSTATUS(wstatus);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

/// The lines of `text`.
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
