// `kepler --connect HOST:PORT CMD`: get, put, del and scan through kepler-server, with and
// without TLS, printing as the local commands do.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "cli/cli_process.hpp"
#include "remote/server_process.hpp"
#include "test_dir.hpp"

using kepler::test::run_cli;
using kepler::test::server_process;
using kepler::test::temp_dir;
using kepler::test::test_certificates;

TEST_CASE("kepler --connect runs get, put, del and scan against kepler-server") {
  temp_dir store;
  server_process server(store.path(), {});
  REQUIRE_MESSAGE(server.port() != 0, server.err());
  std::string at = "127.0.0.1:" + std::to_string(server.port());
  auto put = run_cli({"--connect", at, "put", "k1", "v1"});
  CHECK_MESSAGE(put.exit_code == 0, put.err);
  CHECK(run_cli({"--connect", at, "put", "k2", "v2"}).exit_code == 0);
  CHECK(run_cli({"--connect", at, "put", "--hex-args", "6b33", "7633"}).exit_code == 0);
  auto got = run_cli({"--connect", at, "get", "k1"});
  CHECK(got.exit_code == 0);
  CHECK(got.out == "v1\n");
  auto scan = run_cli({"--connect", at, "scan", "k2"});
  CHECK(scan.exit_code == 0);
  CHECK(kepler::test::lines_of(scan.out).size() == 2);
  auto limited = run_cli({"--connect", at, "scan", "-n", "1"});
  CHECK(kepler::test::lines_of(limited.out).size() == 1);
  CHECK(run_cli({"--connect", at, "del", "k1"}).exit_code == 0);
  auto missing = run_cli({"--connect", at, "get", "k1"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("not found") != std::string::npos);
  auto bad = run_cli({"--connect", "nowhere", "get", "k"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("HOST:PORT") != std::string::npos);
  CHECK(server.stop(SIGTERM) == 0);
  // Nothing listens there any more: a clear error, no hang.
  auto gone = run_cli({"--connect", at, "get", "k2"});
  CHECK(gone.exit_code == 1);
  MESSAGE("after the server stopped: " << gone.err);
  CHECK(gone.err.find("disconnected") != std::string::npos);
}

TEST_CASE("kepler --connect with TLS flags talks to a mutual-TLS kepler-server") {
  test_certificates certs;
  REQUIRE_MESSAGE(certs.ok(), certs.log());
  temp_dir store;
  server_process server(store.path(), {"--tls-cert", certs.file("server.pem"), "--tls-key",
                                       certs.file("server.key"), "--tls-ca", certs.file("ca.pem")});
  REQUIRE_MESSAGE(server.port() != 0, server.err());
  std::string at = "127.0.0.1:" + std::to_string(server.port());
  std::vector<std::string> tls{"--connect",  at,
                               "--tls-cert", certs.file("client.pem"),
                               "--tls-key",  certs.file("client.key"),
                               "--tls-ca",   certs.file("ca.pem")};
  auto with = [&](std::vector<std::string> cmd) {
    auto args = tls;
    args.insert(args.end(), cmd.begin(), cmd.end());
    return run_cli(args);
  };
  auto put = with({"put", "secret", "42"});
  CHECK_MESSAGE(put.exit_code == 0, put.err);
  auto got = with({"get", "secret"});
  CHECK(got.out == "42\n");
  auto plain = run_cli({"--connect", at, "get", "secret"});
  CHECK(plain.exit_code == 1);
  CHECK(plain.out.empty());
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("kepler --connect shell runs the shell's commands on a served store") {
  temp_dir store;
  server_process server(store.path(), {});
  REQUIRE_MESSAGE(server.port() != 0, server.err());
  std::string at = "127.0.0.1:" + std::to_string(server.port());
  auto r = run_cli({"--connect", at, "shell"},
                   "put \"\\x00k\" v0\nput a 1\nbatch\nput b 2\nabort\nbatch\nput c 3\ndel a\n"
                   "commit\nget \"\\x00k\"\nget a\nscan\ncount\nprefix c\nsnapshot\nfrob\n");
  // snapshot and frob fail (no snapshots over the network; an unknown command): exit 1.
  CHECK(r.exit_code == 1);
  CHECK(r.out ==
        "OK\nOK\n"
        "batch started: put and del are queued until commit or abort\nqueued (1 in the batch)\n"
        "aborted 1 operation(s); nothing was written\n"
        "batch started: put and del are queued until commit or abort\nqueued (1 in the batch)\n"
        "queued (2 in the batch)\ncommitted 2 operation(s)\n"
        "v0\n(not found)\n"
        "\\x00k\tv0\nc\t3\n(2 pairs)\n"
        "2\n"
        "c\t3\n(1 pair)\n");
  CHECK(r.err.find("error: invalid_argument: snapshot is not available over --connect") !=
        std::string::npos);
  CHECK(r.err.find("error: unknown command 'frob'") != std::string::npos);
  MESSAGE("remote shell stderr: " << r.err);
  // What the remote shell wrote is in the store.
  auto got = run_cli({"--connect", at, "get", "c"});
  CHECK(got.out == "3\n");
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("a client killed in the middle of its requests leaves kepler-server serving others") {
  temp_dir store;
  server_process server(store.path(), {});
  REQUIRE_MESSAGE(server.port() != 0, server.err());
  std::string at = "127.0.0.1:" + std::to_string(server.port());
  int killed = 0, served_after = 0;
  for (int round = 0; round < 3; ++round) {
    // A shell client fed synced puts as fast as it takes them, SIGKILLed mid-stream.
    int in[2];
    REQUIRE(::pipe(in) == 0);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(in[0], 0);
      ::close(in[1]);
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      std::string path = KEPLER_CLI_PATH;
      ::execl(path.c_str(), path.c_str(), "--connect", at.c_str(), "shell",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(in[0]);
    std::string lines;
    for (int i = 0; i < 2000; ++i)
      lines += "put r" + std::to_string(round) + "k" + std::to_string(i) + " v\n";
    // The pipe holds 64 KiB: write what fits without blocking, then kill while it works.
    ::fcntl(in[1], F_SETFL, O_NONBLOCK);
    (void)::write(in[1], lines.data(), lines.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(in[1]);
    killed += WIFSIGNALED(status) ? 1 : 0;
    // The server is still there and serves a new client at once.
    CHECK_FALSE(server.exited());
    auto put = run_cli({"--connect", at, "put", "after" + std::to_string(round), "ok"});
    auto got = run_cli({"--connect", at, "get", "after" + std::to_string(round)});
    if (put.exit_code == 0 && got.out == "ok\n") ++served_after;
  }
  MESSAGE("clients killed mid-request: " << killed << ", served after each kill: " << served_after
                                         << " of 3, server crashes: " << (server.exited() ? 1 : 0));
  CHECK(killed == 3);
  CHECK(served_after == 3);
  CHECK(server.stop(SIGTERM) == 0);
}
