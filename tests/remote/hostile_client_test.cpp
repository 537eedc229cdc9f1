// Raw TCP clients against kepler-server's port: garbage, half a frame and then silence, a BASP
// header that claims a huge payload, and a flood of idle connections, while a good client keeps
// being served. Figures are printed; the server must keep serving and stop cleanly.

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "kepler/remote.hpp"
#include "remote/server_process.hpp"
#include "test_dir.hpp"

using kepler::test::server_process;
using kepler::test::temp_dir;

namespace {

int raw_connect(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

// The resident memory of process `pid`, in KiB.
long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// A BASP header (CAF 0.17: operation, two padding bytes, flags, payload length, operation
// data, source and destination actor; big-endian) of a client handshake claiming `payload`
// bytes.
std::string handshake_claiming(std::uint32_t payload) {
  std::string h(32, '\0');
  h[0] = 0x01;
  std::uint32_t be = htonl(payload);
  std::memcpy(&h[4], &be, 4);
  return h;
}

}  // namespace

TEST_CASE("kepler-server keeps serving a good client through garbage, half frames and a flood") {
  temp_dir store;
  server_process server(store.path(), {});
  REQUIRE_MESSAGE(server.port() != 0, server.err());
  kepler::remote_options opts;
  opts.request_timeout = std::chrono::seconds(10);
  auto good = kepler::remote_db::open("127.0.0.1", server.port(), nullptr, opts);
  REQUIRE_MESSAGE(good, kepler::to_string(good.error()));
  REQUIRE((*good)->insert("warm", "up"));
  long rss_before = rss_kib(server.pid());

  std::vector<int> fds;
  std::mt19937 rng(12);
  int garbage = 0, half = 0, flood = 0;
  for (int i = 0; i < 16; ++i) {
    int fd = raw_connect(server.port());
    if (fd < 0) continue;
    std::string junk(4096, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    if (send_all(fd, junk)) ++garbage;
    fds.push_back(fd);
  }
  for (int i = 0; i < 8; ++i) {
    int fd = raw_connect(server.port());
    if (fd < 0) continue;
    if (send_all(fd, handshake_claiming(100).substr(0, 16))) ++half;  // and then silence
    fds.push_back(fd);
  }
  // One header claiming a 256 MiB handshake, then silence: CAF sizes its read buffer by it.
  int claim = raw_connect(server.port());
  REQUIRE(claim >= 0);
  REQUIRE(send_all(claim, handshake_claiming(256u << 20)));
  fds.push_back(claim);
  for (int i = 0; i < 200; ++i) {
    int fd = raw_connect(server.port());
    if (fd < 0) break;
    ++flood;
    fds.push_back(fd);
  }

  std::vector<double> micros;
  int ok = 0, failed = 0;
  for (int i = 0; i < 300; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    std::string key = "k" + std::to_string(i);
    auto w = (*good)->insert(key, "v");
    auto r = (*good)->get(key);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (w && r && *r && **r == "v")
      ++ok;
    else
      ++failed;
  }
  long rss_after = rss_kib(server.pid());
  std::sort(micros.begin(), micros.end());
  MESSAGE("hostile connections: garbage "
          << garbage << ", half frames " << half << ", idle flood " << flood
          << ", one 256 MiB handshake claim; good client: " << ok << " ok, " << failed
          << " failed, put+get p50 " << micros[micros.size() / 2] << " us, max " << micros.back()
          << " us; server RSS " << rss_before << " KiB -> " << rss_after << " KiB");
  CHECK(ok == 300);
  CHECK(failed == 0);
  CHECK(flood == 200);
  CHECK((*good)->connected());
  for (int fd : fds) ::close(fd);
  (*good)->close();
  CHECK(server.stop(SIGTERM) == 0);
  MESSAGE("server log:\n" << server.err());
}
