#!/usr/bin/env bash
# What security costs under the end-to-end load tool: a one-node ringkv plain and with TLS on its client port, and a
# three-node ringkv (N=3, R=2, W=2) without the cluster key, with it, and with it and --peer-encryption, each target
# started fresh and loaded in turn,
# alternating for several rounds so that the machine's drift falls on both sides. Prints every round and the ratio
# of the means. Everything listens on 127.0.0.1 and stops when the script ends.
#   benchmarks/scripts/security-cost.sh [seconds] [connections] [rounds]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-20}
connections=${2:-50}
rounds=${3:-3}
source "$root/bin/jdk.sh"
work=$(mktemp -d /tmp/ringkv-security-cost.XXXXXX)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
trap 'stop_all; [ "${KEEP_WORK:-}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"' EXIT

if [ "${RINGKV_SKIP_BUILD:-}" != 1 ]; then
  (cd "$root" && mvn -B -ntp -q -DskipTests -pl distribution,benchmarks -am package) >&2
  touch "$root/distribution/target/ringkv/.built"
fi
# in the foreground only: a background node is started from bin/ringkv itself, so that its pid is the JVM's
ringkv() { RINGKV_SKIP_BUILD=1 "$root/bin/ringkv" "$@"; }

# a self-signed certificate for 127.0.0.1, and a cluster key
echo "secret-for-the-benchmark" > "$work/node.pass"
chmod 600 "$work/node.pass"
keytool -genkeypair -alias node -keyalg EC -groupname secp256r1 -validity 2 -storetype PKCS12 \
  -keystore "$work/node.p12" -storepass "$(cat "$work/node.pass")" -dname CN=127.0.0.1 -ext SAN=ip:127.0.0.1 \
  2>/dev/null
keytool -exportcert -rfc -alias node -keystore "$work/node.p12" -storepass "$(cat "$work/node.pass")" \
  -file "$work/node.pem" 2>/dev/null
ringkv cluster-key generate --out "$work/cluster.key" >/dev/null

load() { # label port [load tool options...]
  local label=$1 port=$2
  shift 2
  java -cp "$root/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label "$label" \
    --port "$port" --connections "$connections" --value-bytes 1024 --keys 100000 --read-ratio 0.5 \
    --seconds "$seconds" --warmup-seconds 5 "$@"
}
wait_port() { # port
  for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "nothing listens on 127.0.0.1:$1" >&2; return 1
}

one_node() { # label [node options...]
  local label=$1
  shift
  rm -rf "$work/solo"
  RINGKV_SKIP_BUILD=1 "$root/bin/ringkv" node --id solo --listen 127.0.0.1:7600 --client-port 7601 --data-dir "$work/solo" "$@" \
    > "$work/$label.log" 2>&1 &
  pids+=($!)
  wait_port 7601
}

three_nodes() { # label [node options...]
  local label=$1
  shift
  local seeds="127.0.0.1:7611,127.0.0.1:7612,127.0.0.1:7613"
  for i in 1 2 3; do
    rm -rf "$work/n$i"
    RINGKV_SKIP_BUILD=1 "$root/bin/ringkv" node --id "n$i" --listen "127.0.0.1:$((7610 + i))" --client-port "$((7620 + i))" --seeds "$seeds" \
      --n 3 --r 2 --w 2 --data-dir "$work/n$i" "$@" > "$work/$label-n$i.log" 2>&1 &
    pids+=($!)
  done
  for i in 1 2 3; do wait_port "$((7620 + i))"; done
  # start the load once every node's ring holds all three
  for _ in $(seq 1 60); do
    local ringed=0
    for i in 1 2 3; do
      ringkv status --port "$((7620 + i))" 2>/dev/null | grep -q ', 3 in the ring' && ringed=$((ringed + 1))
    done
    [ "$ringed" = 3 ] && return 0
    sleep 1
  done
  echo "the three nodes did not form a ring; see $work/$label-n*.log" >&2
  return 1
}

lines=()
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  one_node plain
  lines+=("$(load "1-node-plain" 7601)")
  stop_all
  one_node tls --tls-keystore "$work/node.p12" --tls-keystore-password-file "$work/node.pass"
  lines+=("$(load "1-node-tls" 7601 --tls-cacert "$work/node.pem")")
  stop_all
  three_nodes keyless
  lines+=("$(load "3-nodes-keyless" 7621)")
  stop_all
  three_nodes keyed --cluster-key-file "$work/cluster.key"
  lines+=("$(load "3-nodes-cluster-key" 7621)")
  stop_all
  three_nodes encrypted --cluster-key-file "$work/cluster.key" --peer-encryption
  lines+=("$(load "3-nodes-encrypted" 7621)")
  stop_all
done

python3 - "${lines[@]}" <<'PY'
import json, sys
from statistics import mean
rows = [json.loads(line) for line in sys.argv[1:]]
print("| round | target | ops/s | p50 µs | p99 µs | p99.9 µs | errors |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for i, r in enumerate(rows):
    print("| %d | %s | %.0f | %.0f | %.0f | %.0f | %d |" % (i // 5 + 1, r["label"], r["ops_per_second"], r["p50_us"],
          r["p99_us"], r["p999_us"], r["errors"]))
def of(label, key):
    return mean(r[key] for r in rows if r["label"] == label)
print()
print("| pair | ops/s ratio (means) | p50 ratio | p99 ratio |")
print("| --- | --- | --- | --- |")
for base, costly in (("1-node-plain", "1-node-tls"), ("3-nodes-keyless", "3-nodes-cluster-key"),
                     ("3-nodes-keyless", "3-nodes-encrypted")):
    print("| %s / %s | %.2f× | %.2f× | %.2f× |" % (costly, base, of(costly, "ops_per_second") / of(base, "ops_per_second"),
          of(costly, "p50_us") / of(base, "p50_us"), of(costly, "p99_us") / of(base, "p99_us")))
PY
for line in "${lines[@]}"; do echo "$line"; done
