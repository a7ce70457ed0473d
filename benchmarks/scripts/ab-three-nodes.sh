#!/usr/bin/env bash
# A/B of the three-node load between two builds: starts three ringkv nodes (N=3, R=W=2) from the checkout ROOT
# (built already: bin/ringkv with RINGKV_SKIP_BUILD=1), runs the load tool of this checkout against the first for
# SECONDS with the compare-redis.sh load (50 connections, 1 KiB values, 100,000 keys, 50 % reads), prints its JSON line;
# CONNECTIONS=1 changes the number of connections.
#   benchmarks/scripts/ab-three-nodes.sh /path/to/other/checkout 20 old; benchmarks/scripts/ab-three-nodes.sh . 20 new
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
root=$1; seconds=$2; label=$3
source "$here/bin/jdk.sh"
work=$(mktemp -d /tmp/ab.XXXXXX)
pids=()
seeds="127.0.0.1:7611,127.0.0.1:7612,127.0.0.1:7613"
for i in 1 2 3; do
  RINGKV_SKIP_BUILD=1 "$root/bin/ringkv" node --id "n$i" --listen "127.0.0.1:$((7610 + i))" \
    --client-port "$((7620 + i))" --seeds "$seeds" --n 3 --r 2 --w 2 --data-dir "$work/n$i" > "$work/n$i.log" 2>&1 &
  pids+=($!)
done
for p in 7621 7622 7623; do
  for _ in $(seq 1 150); do
    if out=$(redis-cli -p $p info cluster 2>/dev/null) && echo "$out" | grep -q "loading:0" && echo "$out" | grep -q "cluster_ring_nodes:3"; then break; fi
    sleep 0.2
  done
done
sleep 12
java -cp "$here/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label "$label" --port 7621 \
  --connections ${CONNECTIONS:-50} --value-bytes 1024 --keys 100000 --read-ratio 0.5 --seconds "$seconds" --warmup-seconds 5 | tail -1
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
rm -rf "$work"
