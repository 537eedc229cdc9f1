// `kepler shell` driven as its users drive it: a script through a pipe (no prompt, no editing)
// and a person at a terminal (a pseudo-terminal, so libedit's line editor is active).
#include <doctest/doctest.h>

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "cli/cli_process.hpp"
#include "test_dir.hpp"

using kepler::test::run_cli;
using kepler::test::temp_dir;

namespace {

// Every shell command, with binary keys (NUL and 0xff bytes), a bounded scan, an aborted and a
// committed batch, a snapshot and a bad command.
const char* const script = R"(put a 1
put b 2
put "\x00\xff" "nul\x00ff\xff"
get "\x00\xff"
get missing
scan
scan a b
scan "" b 1
prefix "\x00"
count
count a
batch
put c 3
del a
abort
get a
get c
batch
put c 3
del a
commit
get a
snapshot
put c 4
get c
scan
release
get c
frob
help put
compact
count
stats
quit
get b
)";

// What the script prints before `stats` (whose figures vary); the snapshot's sequence is the
// fifth write's: three puts, then the committed batch's two operations.
const char* const expected_before_stats = R"(OK
OK
OK
nul\x00ff\xff
(not found)
\x00\xff	nul\x00ff\xff
a	1
b	2
(3 pairs)
a	1
(1 pair)
\x00\xff	nul\x00ff\xff
(1 pair)
\x00\xff	nul\x00ff\xff
(1 pair)
3
2
batch started: put and del are queued until commit or abort
queued (1 in the batch)
queued (2 in the batch)
aborted 2 operation(s); nothing was written
1
(not found)
batch started: put and del are queued until commit or abort
queued (1 in the batch)
queued (2 in the batch)
committed 2 operation(s)
(not found)
snapshot at sequence 5: reads see it until release
OK
3
\x00\xff	nul\x00ff\xff
b	2
c	3
(3 pairs)
released: reads see the newest state
4
put KEY VALUE
  set KEY to VALUE (synced; queued inside a batch)
compacted
3
)";

// A kepler shell on a pseudo-terminal.
class pty_shell {
 public:
  pty_shell(const std::string& dir, const std::string& home) {
    pid_ = ::forkpty(&fd_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      ::setenv("HOME", home.c_str(), 1);
      ::unsetenv("KEPLER_HISTORY");
      ::setenv("TERM", "xterm", 1);
      std::string path = KEPLER_CLI_PATH;
      ::execl(path.c_str(), path.c_str(), "shell", dir.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~pty_shell() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }

  bool started() const { return pid_ > 0; }

  /// Reads until the output holds `needle` after `from`, or 10 s pass; true when it does.
  bool wait_for(const std::string& needle, std::size_t from = 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (output_.find(needle, from) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline || !read_some()) return false;
    }
    return true;
  }

  /// Types `keys` (a line ends with "\r", as the Enter key sends) and waits for the next prompt.
  bool type(const std::string& keys) {
    std::size_t from = output_.size();
    if (::write(fd_, keys.data(), keys.size()) != static_cast<ssize_t>(keys.size())) return false;
    return wait_for("> ", from);
  }

  /// Sends the end of input (Ctrl-D at an empty line) and waits for the exit code. Under load a
  /// Ctrl-D can reach the terminal after the prompt is printed but before libedit turned it to
  /// raw mode: the line discipline echoes it as "^D" and libedit never sees an empty line's
  /// Ctrl-D (seen: it then beeps at each further one). So if the shell is still there after a
  /// second, the line is cleared (Ctrl-A, Ctrl-K) and `quit` typed, each second until it exits.
  int finish() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto next_try = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    ::write(fd_, "\x04", 1);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      auto now = std::chrono::steady_clock::now();
      if (now > deadline) return -1;
      if (now >= next_try) {
        ::write(fd_, "\x01\x0bquit\r", 7);
        next_try = now + std::chrono::seconds(1);
      }
      read_some();
    }
    reaped_ = true;
    while (read_some()) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  const std::string& output() const { return output_; }

 private:
  bool read_some() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) return true;  // nothing yet: keep waiting
    char buf[4096];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return false;
    output_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string output_;
};

}  // namespace

TEST_CASE("kepler shell runs a script of every command from a pipe") {
  temp_dir dir("kepler-shell");
  auto r = run_cli({"shell", dir.path()}, script);
  // A failed command (frob) in a script makes the exit code 1, so scripts notice.
  CHECK(r.exit_code == 1);
  REQUIRE(r.out.size() >= std::string(expected_before_stats).size());
  CHECK(r.out.substr(0, std::string(expected_before_stats).size()) == expected_before_stats);
  std::string stats = r.out.substr(std::string(expected_before_stats).size());
  CHECK(stats.find("store " + dir.path()) == 0);
  CHECK(stats.find("\nL1 ") != std::string::npos);
  CHECK(stats.find("write amplification") != std::string::npos);
  // No prompt without a terminal, the bad command's one line with a hint, nothing after quit.
  CHECK(r.out.find("kepler>") == std::string::npos);
  CHECK(r.err == "error: unknown command 'frob' (type 'help' for the list)\n");
  MESSAGE("script lines: " << kepler::test::lines_of(script).size()
                           << ", output lines: " << kepler::test::lines_of(r.out).size());

  // What the shell wrote stays: a second shell reads it back, and a clean script exits 0.
  auto clean = run_cli({"shell", dir.path()}, "get b\nget \"\\x00\\xff\"\n");
  CHECK(clean.exit_code == 0);
  CHECK(clean.out == "2\nnul\\x00ff\\xff\n");
  CHECK(clean.err.empty());
}

TEST_CASE("kepler shell refuses bad lines with one line each and keeps going") {
  temp_dir dir("kepler-shell-bad");
  auto r =
      run_cli({"shell", dir.path()},
              "put onlykey\nput \"unclosed v\nscan a b c d\nprefix p x\nget \"\\xzz\"\n"
              "commit\nabort\nrelease\nbatch\nbatch\nhelp nosuch\n\"get\" a\nput k v\nget k\n");
  CHECK(r.exit_code == 1);
  CHECK(r.out ==
        "batch started: put and del are queued until commit or abort\n"
        "queued (1 in the batch)\n"
        "(not found)\n");
  auto errors = kepler::test::lines_of(r.err);
  MESSAGE("bad lines: 11, error lines: " << errors.size() - 1);
  REQUIRE(errors.size() == 12);
  for (std::size_t i = 0; i < 11; ++i) CHECK(errors[i].rfind("error: ", 0) == 0);
  CHECK(errors[0] == "error: usage: put KEY VALUE (type 'help put')");
  CHECK(errors[1].find("no closing double quote") != std::string::npos);
  CHECK(errors[2] == "error: usage: scan [FROM [TO]] [LIMIT] (type 'help scan')");
  CHECK(errors[3].find("LIMIT is an unquoted number") != std::string::npos);
  CHECK(errors[4].find("bad escape") != std::string::npos);
  CHECK(errors[5].find("no batch is open") != std::string::npos);
  CHECK(errors[6].find("no batch is open") != std::string::npos);
  CHECK(errors[7].find("no snapshot is held") != std::string::npos);
  CHECK(errors[8].find("already open") != std::string::npos);
  CHECK(errors[9].find("no command 'nosuch'") != std::string::npos);
  CHECK(errors[10].find("unknown command 'get'") != std::string::npos);  // a quoted command
  // The batch left open at the end of input is discarded, and said so.
  CHECK(errors[11].find("note: the open batch of 1 operation(s) was not committed; discarded") !=
        std::string::npos);
}

TEST_CASE("kepler shell on a terminal edits lines, completes commands and keeps history") {
  temp_dir dir("kepler-shell-pty");
  temp_dir home("kepler-shell-home");
  std::filesystem::create_directories(home.path());
  pty_shell shell(dir.path(), home.path());
  REQUIRE(shell.started());
  REQUIRE(shell.wait_for("kepler> "));
  CHECK(shell.output().find("'help' lists the commands") != std::string::npos);
  CHECK(shell.type("put \"\\x00k\\xff\" v1\r"));
  CHECK(shell.type("put plain v2\r"));
  // Editing: type a wrong word, erase it with backspaces (DEL), then the right one.
  CHECK(shell.type("get plainXX\x7f\x7f\r"));
  CHECK(shell.type("batch\r"));
  CHECK(shell.wait_for("kepler(batch 0)> "));
  CHECK(shell.type("put doomed x\r"));
  CHECK(shell.type("abort\r"));
  CHECK(shell.type("get doomed\r"));
  CHECK(shell.type("scan \"\" q\r"));
  // Completion: "sta" and Tab completes to the command "stats".
  CHECK(shell.type("sta\t\r"));
  CHECK(shell.type("frob\r"));
  int code = shell.finish();
  const std::string& out = shell.output();
  if (code != 0) {
    std::string tail;
    for (unsigned char c : out.substr(out.size() > 400 ? out.size() - 400 : 0))
      tail += (c >= 32 && c < 127) ? std::string(1, static_cast<char>(c))
                                   : "\\x" + std::to_string(c) + ";";
    MESSAGE("the shell did not exit; the terminal's last bytes: " << tail);
  }
  CHECK(code == 0);
  CHECK(out.find("v2") != std::string::npos);
  CHECK(out.find("aborted 1 operation(s)") != std::string::npos);
  CHECK(out.find("(not found)") != std::string::npos);
  CHECK(out.find("\\x00k\\xff\tv1") != std::string::npos);
  CHECK(out.find("(2 pairs)") != std::string::npos);
  CHECK(out.find("read amplification") != std::string::npos);  // stats ran from "sta<Tab>"
  CHECK(out.find("error: unknown command 'frob'") != std::string::npos);

  // The history file under $HOME holds the lines typed, the edited one as it was entered.
  // libedit writes it in its own format: a header line, then each line vis(3)-encoded.
  std::string history = kepler::test::read_whole_file(home.file(".kepler_history"));
  CHECK(history.rfind("_HiStOrY_V2_\n", 0) == 0);
  for (std::size_t at; (at = history.find("\\040")) != std::string::npos;)
    history.replace(at, 4, " ");
  CHECK(history.find("put plain v2") != std::string::npos);
  CHECK(history.find("get plain") != std::string::npos);
  CHECK(history.find("get plainXX") == std::string::npos);
  CHECK(history.find("stats") != std::string::npos);
  MESSAGE("pty output bytes: " << out.size() << ", history bytes: " << history.size());

  // The store kept what the terminal session wrote.
  auto r = run_cli({"get", dir.path(), "plain"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "v2\n");
}
