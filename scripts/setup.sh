#!/usr/bin/env bash
# Installs the Debian 12 packages KeplerDB's build, tests and benchmarks need, when missing.
set -euo pipefail

packages=(
  g++ cmake make           # compiler and build
  libcaf-dev               # CAF 0.17: the actors (and its io and openssl modules: kepler-server)
  libssl-dev openssl       # OpenSSL: kepler_remote checks TLS files; the tests make certificates
  libcli11-dev             # CLI11: the kepler CLI's flags
  libedit-dev              # libedit: the kepler shell's line editing (BSD, not GPL readline)
  libisal-dev              # ISA-L: hardware-accelerated CRC32C
  liblz4-dev               # LZ4 and
  libzstd-dev              #   zstd: table block compression
  libboost-filesystem-dev  # Boost.Filesystem
  doctest-dev              # the tests
  libbenchmark-dev         # micro benchmarks
  libleveldb-dev           # the benchmark's comparison peers: LevelDB,
  librocksdb-dev           #   RocksDB
  liblmdb-dev              #   and LMDB
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
