#!/usr/bin/env bash
# kepler-remote-bench at a tiny size against a kepler-server child, and once on a local store,
# so the driver (and scripts/compare_redis.sh, which parses its lines) cannot rot unnoticed.
#   remote_bench_smoke.sh KEPLER_SERVER KEPLER_REMOTE_BENCH
set -euo pipefail
server_bin=$1
bench_bin=$2
tmp=$(mktemp -d /tmp/kepler-remote-bench-smoke.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$server_bin" "$tmp/store" --port-file "$tmp/port" > "$tmp/server.out" 2> "$tmp/server.err" &
server_pid=$!
for _ in $(seq 200); do
  [ -s "$tmp/port" ] && break
  sleep 0.05
done
[ -s "$tmp/port" ] || {
  echo "kepler-server did not start:" >&2
  cat "$tmp/server.err" >&2
  exit 1
}

# Each load prints "LOAD: R requests/s, p50 X ms, p99 Y ms (N requests in S s, errors 0...".
check() {  # $1: output file, then the loads expected
  local out=$1
  shift
  cat "$out"
  for load in "$@"; do
    grep -Eq "^$load: [0-9]+ requests/s, p50 [0-9.]+ ms, p99 [0-9.]+ ms \(200 requests in [0-9.]+ s, errors 0" "$out" || {
      echo "no clean '$load' line" >&2
      exit 1
    }
  done
}

"$bench_bin" --port="$(cat "$tmp/port")" --clients=4 --connections=2 --pipeline=4 --num=200 \
  --keyspace=50 --loads=set,set-sync,get > "$tmp/remote.out"
check "$tmp/remote.out" set set-sync get
grep -Eq "^get: .*found [1-9]" "$tmp/remote.out" || {  # the gets read what the sets wrote
  echo "the get load found nothing" >&2
  exit 1
}

"$bench_bin" --local="$tmp/local" --clients=4 --pipeline=4 --num=200 --keyspace=50 \
  --loads=set,get > "$tmp/local.out"
check "$tmp/local.out" set get

kill "$server_pid"
wait "$server_pid"
server_pid=""
echo "smoke: ok"
