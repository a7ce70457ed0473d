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
trap 'stop_all; rm -rf "$work"' EXIT
source "$root/benchmarks/scripts/lib/servers.sh"
FIRST_NODE_JAVA_OPTS="-XX:AOTCacheOutput=$out" start_three_nodes
echo "training for $seconds s under the compare-redis load..." >&2
java -cp "$root/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label aot-training --port 7521 \
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
