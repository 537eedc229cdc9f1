#!/usr/bin/env bash
# kepler-server against Redis, in one run on loopback (BENCHMARKS.md, "kepler-server against
# Redis (issue 12)"). Needs redis-server and redis-tools (scripts/setup.sh) and a build with
# kepler-server and kepler-remote-bench.
#
#   scripts/compare_redis.sh [BUILD_DIR]        (default: build)
#
# The same shape for both: 16 clients, 16 requests in flight each (pipelining), 100-byte values,
# 16-byte keys uniform in a keyspace of 100,000 ("key:" and 12 digits, redis-benchmark -r).
#   set       redis SET, appendonly yes, appendfsync everysec  | kepler put, not sync
#   set-sync  redis SET, appendonly yes, appendfsync always    | kepler put with sync
#   get       redis GET of the keyspace its set load wrote     | kepler get, likewise
# Each engine starts on a fresh temporary directory (Redis with RDB snapshots off: the AOF
# only). Redis gets redis-benchmark's 16 TCP connections; kepler-remote-bench gives each of its
# 16 clients an actor system, so also 16 TCP connections. A last kepler row runs the 16 clients
# over a single connection (one actor system), the cheapest driver CPU; a last line the same
# clients on a store inside the driver process (no network).
#
# Environment: N (requests of set and get, default 200000), SYNC_N (of set-sync, 50000),
# CLIENTS (16), PIPELINE (16), VALUE_SIZE (100), KEYSPACE (100000).
# Prints per load: requests/s of each engine, the ratio kepler/redis, p50 latency, and the CPU
# of each server (microseconds per request, and cores over the load) and of each load driver.
# The CPU per request is the figure a busy machine disturbs least.
set -euo pipefail

build=${1:-build}
N=${N:-200000}
SYNC_N=${SYNC_N:-50000}
CLIENTS=${CLIENTS:-16}
PIPELINE=${PIPELINE:-16}
VALUE_SIZE=${VALUE_SIZE:-100}
KEYSPACE=${KEYSPACE:-100000}

server_bin=$build/apps/kepler-server
bench_bin=$build/bench/kepler-remote-bench
for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" > /dev/null || {
    echo "compare_redis: $tool missing (scripts/setup.sh installs redis-server and redis-tools)" >&2
    exit 2
  }
done
for bin in "$server_bin" "$bench_bin"; do
  [ -x "$bin" ] || {
    echo "compare_redis: $bin missing: cmake --build $build --target kepler_server kepler_remote_bench" >&2
    exit 2
  }
done

tmp=$(mktemp -d /tmp/kepler-vs-redis.XXXXXX)
redis_pid=""
kepler_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2> /dev/null && wait "$redis_pid" 2> /dev/null
  [ -n "$kepler_pid" ] && kill "$kepler_pid" 2> /dev/null && wait "$kepler_pid" 2> /dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# CPU seconds (user + system) a process has used so far.
cpu_of() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"
}
# Runs a load driver ("$@"), its output to $tmp/out; sets load_secs, driver_cpu (cores) and
# server_cpu (cores of process $server over the run).
timed() {
  local server=$1
  shift
  local c0 c1 t0 t1
  c0=$(cpu_of "$server")
  t0=$(date +%s.%N)
  local TIMEFORMAT='%U %S'
  { time "$@" > "$tmp/out" 2> "$tmp/err"; } 2> "$tmp/time" || {
    echo "compare_redis: failed: $*" >&2
    cat "$tmp/err" >&2
    exit 1
  }
  t1=$(date +%s.%N)
  c1=$(cpu_of "$server")
  load_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  driver_cpu=$(awk -v s="$load_secs" '{ printf "%.2f", ($1 + $2) / s }' "$tmp/time")
  server_cpu=$(awk -v a="$c0" -v b="$c1" -v s="$load_secs" 'BEGIN { printf "%.2f", (b - a) / s }')
}

redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2> /dev/null || echo 16379)
start_redis() {  # $1: appendfsync policy; a fresh directory each time
  rm -rf "$tmp/redis" && mkdir -p "$tmp/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$tmp/redis" --save "" \
    --appendonly yes --appendfsync "$1" --daemonize no --logfile "$tmp/redis.log" &
  redis_pid=$!
  for _ in $(seq 100); do
    [ "$(redis-cli -p "$redis_port" ping 2> /dev/null)" = PONG ] && return 0
    sleep 0.05
  done
  echo "compare_redis: redis-server did not start:" >&2
  cat "$tmp/redis.log" >&2
  exit 1
}
stop_redis() {
  kill "$redis_pid" 2> /dev/null || true
  wait "$redis_pid" 2> /dev/null || true
  redis_pid=""
}
# redis-benchmark -q prints "SET: 123456.78 requests per second, p50=1.234 msec".
redis_load() {  # $1: set or get, $2: requests; sets rps
  timed "$redis_pid" redis-benchmark -p "$redis_port" -c "$CLIENTS" -P "$PIPELINE" -d "$VALUE_SIZE" \
    -r "$KEYSPACE" -n "$2" -t "$1" -q
  rps=$(tr '\r' '\n' < "$tmp/out" | awk '/requests per second/ { v = $2 } END { printf "%.0f", v }')
  p50=$(tr '\r' '\n' < "$tmp/out" | awk -F'p50=' '/requests per second/ { split($2, a, " "); v = a[1] } END { print v }')
}
# kepler-remote-bench prints "set: 12345 requests/s, p50 1.234 ms, ...".
kepler_load() {  # $1: load, $2: requests, $3: connections; sets rps
  timed "$kepler_pid" "$bench_bin" --port="$kepler_port" --clients="$CLIENTS" --connections="$3" \
    --pipeline="$PIPELINE" --value_size="$VALUE_SIZE" --keyspace="$KEYSPACE" --num="$2" --loads="$1"
  rps=$(awk -v l="$1:" '$1 == l { print $2 }' "$tmp/out")
  p50=$(awk -v l="$1:" '$1 == l { print $5 }' "$tmp/out")
  grep -q ", errors 0" "$tmp/out" || {
    echo "compare_redis: kepler-remote-bench reported errors:" >&2
    cat "$tmp/out" "$tmp/err" >&2
    exit 1
  }
}

declare -A r_rps r_p50 r_scpu r_dcpu k_rps k_p50 k_scpu k_dcpu
start_redis everysec
for load in set get; do
  redis_load "$load" "$N"
  r_rps[$load]=$rps r_p50[$load]=$p50 r_scpu[$load]=$server_cpu r_dcpu[$load]=$driver_cpu
done
stop_redis
start_redis always
redis_load set "$SYNC_N"
r_rps[set-sync]=$rps r_p50[set-sync]=$p50 r_scpu[set-sync]=$server_cpu r_dcpu[set-sync]=$driver_cpu
stop_redis

start_kepler() {
  rm -rf "$tmp/kepler" "$tmp/port"
  "$server_bin" "$tmp/kepler" --port-file "$tmp/port" > "$tmp/kepler.out" 2> "$tmp/kepler.err" &
  kepler_pid=$!
  for _ in $(seq 200); do
    [ -s "$tmp/port" ] && break
    sleep 0.05
  done
  [ -s "$tmp/port" ] || {
    echo "compare_redis: kepler-server did not start:" >&2
    cat "$tmp/kepler.err" >&2
    exit 1
  }
  kepler_port=$(cat "$tmp/port")
}
stop_kepler() {
  kill "$kepler_pid" 2> /dev/null || true
  wait "$kepler_pid" 2> /dev/null || true
  kepler_pid=""
}
run_kepler() {  # $1: connections, $2: key suffix of the results
  start_kepler
  local load n
  for load in set get set-sync; do
    n=$N
    [ "$load" = set-sync ] && n=$SYNC_N
    kepler_load "$load" "$n" "$1"
    k_rps[$load$2]=$rps k_p50[$load$2]=$p50 k_scpu[$load$2]=$server_cpu k_dcpu[$load$2]=$driver_cpu
  done
  stop_kepler
}
run_kepler "$CLIENTS" ""
run_kepler 1 "/1"
# The same clients on a store opened inside the driver (its db actor, no network, no
# kepler-server): what the store and its actors reach at this pipelining without CAF's BASP.
"$bench_bin" --local="$tmp/local" --clients="$CLIENTS" --pipeline="$PIPELINE" \
  --value_size="$VALUE_SIZE" --keyspace="$KEYSPACE" --num="$N" --loads=set,get > "$tmp/local.out"
"$bench_bin" --local="$tmp/local" --clients="$CLIENTS" --pipeline="$PIPELINE" \
  --value_size="$VALUE_SIZE" --keyspace="$KEYSPACE" --num="$SYNC_N" --loads=set-sync >> "$tmp/local.out"
local_rps() { awk -v l="$1:" '$1 == l { print $2 }' "$tmp/local.out"; }

echo "kepler-server against Redis $(redis-server --version | awk '{ print $3 }' | sed 's/v=//'), loopback," \
  "$CLIENTS clients, pipeline $PIPELINE, $VALUE_SIZE-byte values, keyspace $KEYSPACE," \
  "$N requests (set-sync: $SYNC_N); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| load | redis rps | kepler rps | kepler/redis | redis p50 ms | kepler p50 ms | server CPU us/request redis / kepler | server CPU cores redis / kepler | driver CPU cores redis-benchmark / kepler-remote-bench |"
echo "|---|---|---|---|---|---|---|---|---|"
for load in set set-sync get; do
  for suffix in "" "/1"; do
    name=$load
    [ -n "$suffix" ] && name="$load (kepler: 1 connection)"
    ratio=$(awk -v k="${k_rps[$load$suffix]}" -v r="${r_rps[$load]}" 'BEGIN { printf "%.2fx", k / r }')
    r_us=$(awk -v c="${r_scpu[$load]}" -v r="${r_rps[$load]}" 'BEGIN { printf "%.1f", c * 1e6 / r }')
    k_us=$(awk -v c="${k_scpu[$load$suffix]}" -v r="${k_rps[$load$suffix]}" 'BEGIN { printf "%.1f", c * 1e6 / r }')
    echo "| $name | ${r_rps[$load]} | ${k_rps[$load$suffix]} | $ratio | ${r_p50[$load]} |" \
      "${k_p50[$load$suffix]} | $r_us / $k_us | ${r_scpu[$load]} / ${k_scpu[$load$suffix]} |" \
      "${r_dcpu[$load]} / ${k_dcpu[$load$suffix]} |"
  done
done
echo
echo "in-process db_actor (kepler-remote-bench --local, no network; the same clients and" \
  "pipelining): set $(local_rps set), set-sync $(local_rps set-sync), get $(local_rps get) requests/s"
