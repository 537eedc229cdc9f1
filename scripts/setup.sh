#!/usr/bin/env bash
# Installs the Debian 12 packages KeplerDB's build, tests and benchmarks need, when missing.
#   scripts/setup.sh          the build, tests and benchmarks (gcc; no clang needed)
#   scripts/setup.sh --fuzz   also clang and libFuzzer's runtime, for scripts/fuzz.sh
set -euo pipefail

fuzz=0
for arg in "$@"; do
  case "$arg" in
    --fuzz) fuzz=1 ;;
    *)
      echo "usage: $0 [--fuzz]" >&2
      exit 2
      ;;
  esac
done

packages=(
  g++ cmake make           # compiler and build
  pkg-config               # finds libedit for the kepler shell
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
  redis-server             # scripts/compare_redis.sh only: kepler-server against Redis
  redis-tools              #   (redis-benchmark, redis-cli); nothing else uses them
)

# Optional, with --fuzz: the libFuzzer targets of tests/fuzz (KEPLER_FUZZ) need clang, and
# libFuzzer's runtime (libclang_rt.fuzzer*.a) comes in its own package, which clang only
# recommends (and recommends are not installed here). The default build needs neither: each
# target's corpus runs as a normal test through a plain driver.
if [ "$fuzz" = 1 ]; then
  packages+=(
    clang                  # clang 14 on Debian 12
    libclang-rt-14-dev     #   its sanitizer and libFuzzer runtimes
  )
fi

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
