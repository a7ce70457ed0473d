#!/usr/bin/env bash
# Runs the same RESP load against Redis 7 (appendonly, fsync every second), a one-node ringkv and a three-node
# ringkv cluster (N=3, R=2, W=2), one after the other on this machine, and prints a table with ratios.
# Everything listens on 127.0.0.1 and stops when the script ends.
#   benchmarks/scripts/compare-redis.sh [seconds] [connections]
# WARMUP=90 loads each target for 90 s before measuring (default 5: three fresh JVMs on two cores are then still
# compiling, which takes them about a minute under this load); SKIP_BUILD=1 measures what was built last.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-30}
connections=${2:-50}
warmup=${WARMUP:-5}
if ! [[ "$warmup" =~ ^[0-9]+$ ]]; then
  echo "compare-redis: WARMUP must be a number of seconds, got '$warmup'" >&2
  exit 2
fi
source "$root/bin/jdk.sh"
work=$(mktemp -d /tmp/ringkv-compare.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

source "$root/benchmarks/scripts/lib/servers.sh"
install_redis
[ "${SKIP_BUILD:-0}" = 1 ] || build_servers

load() { # label port
  java -cp "$root/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label "$1" --port "$2" \
    --connections "$connections" --value-bytes 1024 --keys 100000 --read-ratio 0.5 --seconds "$seconds" \
    --warmup-seconds "$warmup"
}

start_redis
redis_line=$(load redis 6390)
stop_all

start_one_node
one_line=$(load ringkv-1-node 7501)
stop_all

start_three_nodes
three_line=$(load ringkv-3-nodes 7521)
stop_all

python3 - "$redis_line" "$one_line" "$three_line" <<'PY'
import json, sys
rows = [json.loads(line) for line in sys.argv[1:]]
redis = rows[0]
print("| target | ops/s | vs Redis | p50 µs | p99 µs | p99.9 µs | errors |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print("| %s | %.0f | %.2f× | %.0f | %.0f | %.0f | %d |" % (r["label"], r["ops_per_second"],
          r["ops_per_second"] / redis["ops_per_second"], r["p50_us"], r["p99_us"], r["p999_us"], r["errors"]))
PY
for line in "$redis_line" "$one_line" "$three_line"; do echo "$line"; done
