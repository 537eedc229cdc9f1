#!/usr/bin/env bash
# Builds CAF with ThreadSanitizer for scripts/sanitize.sh thread (README.md, "Sanitizers"):
#   scripts/build_tsan_caf.sh PREFIX
# TSan sees a handoff between threads only where both sides are instrumented. Debian's libcaf
# is not, so every message one actor sends another (the mailbox is lock-free code inside
# libcaf_core.so) would look like a data race, and suppressing those would hide our own races
# too. So the TSan build links a libcaf built here from the very source Debian built its package
# from: the same upstream version as the installed libcaf-dev, fetched with apt's source
# download (checked against the signed Sources index) into a private apt state, so the
# machine's apt configuration is left as it was. Core, I/O and OpenSSL are installed into
# PREFIX; a second run with the same version does nothing. Takes ~10 min on 2 cores.
set -euo pipefail
prefix=${1:?usage: scripts/build_tsan_caf.sh PREFIX}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
package=$(dpkg-query -W -f='${source:Package}' libcaf-dev)
version=$(dpkg-query -W -f='${source:Version}' libcaf-dev)
upstream=$(dpkg-query -W -f='${source:Upstream-Version}' libcaf-dev)
stamp="$prefix/built-from"
if [[ -f "$stamp" && $(cat "$stamp") == "$package $version thread" ]]; then
  echo "build_tsan_caf: $package $version with TSan already in $prefix"
  exit 0
fi

work="$prefix/src"
rm -rf "$work"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
. /etc/os-release
mirror=${KEPLER_DEBIAN_MIRROR:-http://deb.debian.org/debian}
echo "deb-src $mirror $VERSION_CODENAME main" >"$work/sources.list"
apt_private=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
apt-get "${apt_private[@]}" update -qq
(cd "$work" && apt-get "${apt_private[@]}" source --download-only --tar-only -qq \
  "$package=$version")
tar -xf "$(ls "$work/${package}_${upstream}".orig.tar.*)" -C "$work"
source_dir="$work/${package}-${upstream}"
# Debian's package patches one header that newer compilers reject (receive_buffer.hpp uses
# std::numeric_limits without <limits>). Only the upstream tarball is fetched (--tar-only: the
# Debian mirror of this machine lacks the packaging tarball), so the same line is added here,
# as the installed header has it. Every other installed header is upstream's.
buffer="$source_dir/libcaf_io/caf/io/network/receive_buffer.hpp"
grep -q '#include <limits>' "$buffer" || sed -i '0,/^#include </s//#include <limits>\n&/' "$buffer"

# Debian's libcaf-dev was configured with the defaults below (its build_config.hpp: quiet log
# level, no runtime checks), so headers and library agree on every CAF_* macro.
cmake -S "$source_dir" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
  -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_TOOLS=yes -DCAF_NO_PYTHON=yes \
  -DCAF_NO_OPENCL=yes -DCAF_NO_SUMMARY=yes
cmake --build "$work/build" -j "${KEPLER_JOBS:-$(nproc)}"
cmake --install "$work/build"
rm -rf "$work"
echo "$package $version thread" >"$stamp"
echo "build_tsan_caf: $package $version with TSan installed in $prefix"
