#!/usr/bin/env bash
# A/B of the three-node load between two builds: starts three ringkv nodes (N=3, R=W=2) from ROOT, a checkout
# (built already: bin/ringkv with RINGKV_SKIP_BUILD=1) or an unpacked release image, runs the load tool of this
# checkout against the first for SECONDS with the compare-redis.sh load (50 connections, 1 KiB values, 100,000
# keys, 50 % reads), prints its JSON line; CONNECTIONS=1 changes the number of connections; NODES=1 starts one node
# (a single-node cluster) instead of three; IDLE=1 applies no load and prints the nodes' CPU over SECONDS instead
# (all of them, % of one core).
#   benchmarks/scripts/ab-three-nodes.sh /path/to/other/checkout 20 old; benchmarks/scripts/ab-three-nodes.sh . 20 new
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
root=$1; seconds=$2; label=$3
source "$here/bin/jdk.sh"
work=$(mktemp -d /tmp/ab.XXXXXX)
pids=()
trap 'stop_all; rm -rf "$work"' EXIT
source "$here/benchmarks/scripts/lib/servers.sh"
nodes=${NODES:-3}
case "$nodes" in
  1) start_one_node; port=7501 ;;
  3) start_three_nodes; port=7521; sleep 12 ;;
  *) echo "NODES must be 1 or 3, was $nodes" >&2; exit 2 ;;
esac
if [ "${IDLE:-0}" = 1 ]; then
  # no load: the nodes' CPU (all their processes together) over SECONDS, as a percentage of one core
  cpu() { local t=0 l; for pid in "${pids[@]}"; do l=$(cat "/proc/$pid/stat"); l=${l##*) }; set -- $l; t=$((t + ${12} + ${13})); done; echo "$t"; }
  sleep 10
  c0=$(cpu); sleep "$seconds"; c1=$(cpu)
  echo "{\"label\":\"$label\",\"nodes\":$nodes,\"idle_seconds\":$seconds,\"cpu_percent_of_one_core\":$(awk -v d=$((c1 - c0)) -v s="$seconds" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", d * 100 / hz / s }')}"
else
  java -cp "$here/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label "$label" --port "$port" \
    --connections ${CONNECTIONS:-50} --value-bytes 1024 --keys 100000 --read-ratio 0.5 --seconds "$seconds" --warmup-seconds 5 | tail -1
fi
