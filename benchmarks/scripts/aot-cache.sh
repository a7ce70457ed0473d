#!/usr/bin/env bash
# Trains a JDK ahead-of-time cache for ringkv nodes (JEP 483/514/515: classes loaded and linked, and method
# profiles, from a training run) and writes it to OUT: starts three nodes from this checkout's build (N=3, R=W=2),
# runs the compare-redis.sh load against the first for SECONDS while that node records, stops them (the cache is
# written as the recording JVM exits), and prints how to use it:
#   benchmarks/scripts/aot-cache.sh [OUT] [SECONDS]      # defaults: target/ringkv.aot 25
#   RINGKV_JAVA_OPTS=-XX:AOTCache=target/ringkv.aot bin/ringkv node ...
# A cache fits only the JDK and the jars it was made with: train again after a rebuild or a JDK update (a JVM given
# a stale cache says so and runs without it). Needs JDK 25 or later; SKIP_BUILD=1 uses what was built last.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$root/target/ringkv.aot}
seconds=${2:-25}
source "$root/bin/jdk.sh"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
mkdir -p "$(dirname "$out")"
rm -f "$out"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  "$root/bin/ringkv" version > /dev/null
fi
work=$(mktemp -d /tmp/ringkv-aot.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
seeds="127.0.0.1:7631,127.0.0.1:7632,127.0.0.1:7633"
for i in 1 2 3; do
  opts=""
  [ "$i" = 1 ] && opts="-XX:AOTCacheOutput=$out"
  RINGKV_SKIP_BUILD=1 RINGKV_JAVA_OPTS="$opts" "$root/bin/ringkv" node --id "n$i" --listen "127.0.0.1:$((7630 + i))" \
    --client-port "$((7640 + i))" --seeds "$seeds" --n 3 --r 2 --w 2 --data-dir "$work/n$i" > "$work/n$i.log" 2>&1 &
  pids+=($!)
done
for p in 7641 7642 7643; do
  for _ in $(seq 1 150); do
    if out_info=$(redis-cli -p "$p" info cluster 2>/dev/null) && echo "$out_info" | grep -q "loading:0" \
      && echo "$out_info" | grep -q "cluster_ring_nodes:3"; then break; fi
    sleep 0.2
  done
done
echo "training for $seconds s under the compare-redis load..." >&2
java -cp "$root/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label aot-training --port 7641 \
  --connections 50 --value-bytes 1024 --keys 100000 --read-ratio 0.5 --seconds "$seconds" --warmup-seconds 1 \
  > /dev/null
# the recording node writes the cache while it exits
kill "${pids[0]}"
wait "${pids[0]}" 2>/dev/null || true
if [ ! -s "$out" ]; then
  echo "no cache was written; the recording node's log:" >&2
  tail -20 "$work/n1.log" >&2
  exit 1
fi
echo "wrote $out ($(du -h "$out" | cut -f1)); use it with: RINGKV_JAVA_OPTS=-XX:AOTCache=$out bin/ringkv node ..."
