#!/usr/bin/env bash
# Figures of an online join on this machine: how fast a fourth node streams its ranges from three (against the
# disk's sequential write rate, measured here with dd), and a light client's latency during the join against
# before it. Everything listens on 127.0.0.1, lives in a temporary directory, and stops when the script ends.
#   benchmarks/scripts/join-figures.sh [fill-seconds] [keys] [during-seconds: the light load started with the join]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fill_seconds=${1:-40}
keys=${2:-100000}
during_seconds=${3:-10}
source "$root/bin/jdk.sh"
work=$(mktemp -d /tmp/ringkv-join.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v redis-cli >/dev/null; then
  echo "installing redis-cli (Debian's redis-tools) ..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools >/dev/null
fi
if [ "${RINGKV_SKIP_BUILD:-0}" != 1 ]; then
  (cd "$root" && mvn -B -ntp -q -DskipTests -pl distribution,benchmarks -am package) >&2
  touch "$root/distribution/target/ringkv/.built"
fi

seq_write=$(dd if=/dev/zero of="$work/dd.bin" bs=1M count=256 conv=fdatasync 2>&1 | tail -1)
rm -f "$work/dd.bin"
echo "disk, sequential write (dd, 256 MiB, fdatasync): $seq_write" >&2

seeds=127.0.0.1:17101,127.0.0.1:17102
start_node() { # index
  RINGKV_SKIP_BUILD=1 "$root/bin/ringkv" node --id "n$1" --listen "127.0.0.1:1710$(($1 + 1))" --seeds "$seeds" \
    --client-port "1720$(($1 + 1))" --gossip-interval-ms 200 --data-dir "$work/n$1" > "$work/n$1.log" 2>&1 &
  pids+=($!)
}
field() { # port section name
  redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v name="$3" '$1 == name {print $2}'
}
await_ring() { # port nodes
  for _ in $(seq 1 300); do
    [ "$(field "$1" cluster cluster_ring_nodes 2>/dev/null)" = "$2" ] && return 0
    sleep 0.2
  done
  echo "the node on port $1 never saw a ring of $2" >&2; return 1
}
load() { # label read-ratio connections seconds warm-up
  java -cp "$root/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label "$1" --port 17201 \
    --connections "$3" --value-bytes 1024 --keys "$keys" --read-ratio "$2" --seconds "$4" --warmup-seconds "$5"
}
json() { # line name
  sed -E "s/.*\"$2\":([0-9.]+).*/\1/" <<< "$1"
}

for i in 0 1 2; do start_node "$i"; done
for port in 17201 17202 17203; do await_ring "$port" 3; done
echo "filling: $fill_seconds s of 1 KiB SETs over $keys keys ..." >&2
load fill 0 16 "$fill_seconds" 0 > /dev/null
records=$(field 17201 storage storage_records)
echo "node n0 holds $records records" >&2

before=$(load before 0.5 4 20 3)
echo "before the join: $before" >&2
start=$(date +%s.%N)
start_node 3
load during 0.5 4 "$during_seconds" 0 > "$work/during.json" &
loader=$!
for _ in $(seq 1 3000); do
  grep -q "joined the ring" "$work/n3.log" && break
  sleep 0.1
done
joined=$(date +%s.%N)
grep -q "joined the ring" "$work/n3.log" || { echo "n3 did not join within 300 s" >&2; tail -20 "$work/n3.log" >&2; exit 1; }
wait "$loader"
during=$(cat "$work/during.json")
bytes=$(field 17204 streaming stream_record_bytes)
received=$(field 17204 streaming stream_keys_received)
sessions=$(field 17204 streaming stream_sessions)
calc() { awk "BEGIN { print $1 }"; }
join_seconds=$(calc "$joined - $start")
echo "during the join: $during" >&2

printf '\n| figure | value |\n| --- | --- |\n'
printf '| data before the join | %s records on n0 (1 KiB values, N=3 on 3 nodes) |\n' "$records"
printf '| join time (process start to NORMAL) | %.1f s |\n' "$join_seconds"
printf '| streamed to the joiner | %s records, %.1f MB in %s sessions |\n' "$received" "$(calc "$bytes / 1000000")" "$sessions"
printf '| streaming rate (record bytes / join time) | %.1f MB/s |\n' "$(calc "$bytes / 1000000 / $join_seconds")"
printf '| disk sequential write (dd, fdatasync) | %s |\n' "${seq_write##*, }"
printf '| client p99 before / during the join (4 connections, 50/50) | %s µs / %s µs (%.2f×) |\n' \
  "$(json "$before" p99_us)" "$(json "$during" p99_us)" "$(calc "$(json "$during" p99_us) / $(json "$before" p99_us)")"
printf '| client ops/s before / during | %s / %s |\n' "$(json "$before" ops_per_second)" "$(json "$during" ops_per_second)"
