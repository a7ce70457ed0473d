#!/usr/bin/env bash
# Runs the same RESP load against Redis 7 (appendonly, fsync every second), a one-node ringkv and a three-node
# ringkv cluster (N=3, R=2, W=2), one after the other on this machine, and prints a table with ratios.
# Everything listens on 127.0.0.1 and stops when the script ends.
#   benchmarks/scripts/compare-redis.sh [seconds] [connections]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-30}
connections=${2:-50}
source "$root/bin/jdk.sh"
work=$(mktemp -d /tmp/ringkv-compare.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v redis-server >/dev/null; then
  echo "installing Redis (Debian's redis-server) ..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi
(cd "$root" && mvn -B -ntp -q -DskipTests -pl distribution,benchmarks -am package) >&2
touch "$root/distribution/target/ringkv/.built"

load() { # label port
  java -cp "$root/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label "$1" --port "$2" \
    --connections "$connections" --value-bytes 1024 --keys 100000 --read-ratio 0.5 --seconds "$seconds" \
    --warmup-seconds 5
}
wait_port() { # port
  for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "nothing listens on 127.0.0.1:$1" >&2; return 1
}
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

redis-server --port 6390 --bind 127.0.0.1 --appendonly yes --appendfsync everysec --save "" --dir "$work" \
  --logfile "$work/redis.log" &
pids+=($!)
wait_port 6390
redis_line=$(load redis 6390)
stop_all

RINGKV_SKIP_BUILD=1 "$root/bin/ringkv" node --id solo --listen 127.0.0.1:7500 --client-port 7501 \
  --data-dir "$work/solo" > "$work/solo.log" 2>&1 &
pids+=($!)
wait_port 7501
one_line=$(load ringkv-1-node 7501)
stop_all

seeds="127.0.0.1:7511,127.0.0.1:7512,127.0.0.1:7513"
for i in 1 2 3; do
  RINGKV_SKIP_BUILD=1 "$root/bin/ringkv" node --id "n$i" --listen "127.0.0.1:$((7510 + i))" \
    --client-port "$((7520 + i))" --seeds "$seeds" --n 3 --r 2 --w 2 --data-dir "$work/n$i" \
    > "$work/n$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3; do wait_port "$((7520 + i))"; done
# every node joins by gossip; start the load once the ring holds all three
for _ in $(seq 1 60); do
  ringed=0
  for i in 1 2 3; do
    redis-cli -p "$((7520 + i))" info cluster 2>/dev/null | grep -q '^cluster_ring_nodes:3' && ringed=$((ringed + 1))
  done
  [ "$ringed" = 3 ] && break
  sleep 1
done
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
