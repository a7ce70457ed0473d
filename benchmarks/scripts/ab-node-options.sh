#!/usr/bin/env bash
# A/B of JVM options (or node options) on one build: for each of ROUNDS rounds, and in each round for every option
# set given in turn, starts one ringkv node afresh (an empty data folder), runs redis-benchmark's SET and then GET
# (50 clients, 1 KiB values, 100,000 keys, 200,000 requests each), then the compare-redis.sh load (50 connections,
# 50 % GET, 15 s after 5 s of warm-up) against it, and prints one line: ops/s and p99 (ms) of each, the load's
# p50/p99/p99.9 (µs), and the storage stage's forces and forced writes. Everything listens on 127.0.0.1.
#   benchmarks/scripts/ab-node-options.sh ROUNDS "JVM OPTIONS A" "JVM OPTIONS B" ...
# An option set that starts with "--" goes to the node instead (e.g. "--front-door-thread=agent"); "" is the
# defaults. SKIP_BUILD=1 measures what was built last; installs Redis' tools with apt when they are missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "$#" -lt 2 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: ab-node-options.sh ROUNDS \"OPTIONS A\" [\"OPTIONS B\" ...] (ROUNDS a positive number)" >&2
  exit 2
fi
rounds=$1; shift
source "$root/bin/jdk.sh"
work=$(mktemp -d /tmp/ringkv-ab-options.XXXXXX)
pids=()
trap 'stop_all; rm -rf "$work"' EXIT
source "$root/benchmarks/scripts/lib/servers.sh"
install_redis
[ "${SKIP_BUILD:-0}" = 1 ] || build_servers

bench() { # TEST: "ops/s p99-ms" of redis-benchmark's TEST against the node
  redis-benchmark -p 7501 -t "$1" -d 1024 -c 50 -r 100000 -n 200000 --csv 2>/dev/null \
    | awk -F'"' -v t="${1^^}" '$2 == t { print $4 " " $14 }'
}

for round in $(seq 1 "$rounds"); do
  for options in "$@"; do
    rm -rf "$work/solo"
    if [[ "$options" == --* ]]; then
      NODE_ARGS="$options" start_one_node
    else
      RINGKV_JAVA_OPTS="$options" start_one_node
    fi
    set_result=$(bench set)
    get_result=$(bench get)
    mix=$(java -cp "$root/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label ab \
      --port 7501 --connections 50 --value-bytes 1024 --keys 100000 --read-ratio 0.5 --seconds 15 \
      --warmup-seconds 5 | tail -1 | python3 -c 'import json, sys
r = json.loads(sys.stdin.read())
print("%.0f %.0f/%.0f/%.0f" % (r["ops_per_second"], r["p50_us"], r["p99_us"], r["p999_us"]))')
    stage=$(redis-cli -p 7501 info storage | tr -d '\r' \
      | awk -F: '$1 == "storage_stage_forces" { f = $2 } $1 == "storage_stage_forced_writes" { w = $2 }
                 END { print f " " w }')
    echo "round $round [${options:-defaults}] SET ops/s, p99 ms: $set_result | GET: $get_result |" \
      "mix ops/s, p50/p99/p99.9 µs: $mix | forces, forced writes: $stage"
    stop_all
  done
done
