#!/usr/bin/env bash
# The real-process fault harness: a cluster of ringkv nodes (one network namespace each), client workloads through
# every node, a seeded schedule of faults, heal, settle, and a check of the recorded history. Needs root.
#   benchmarks/scripts/fault-harness.sh --short --seed 1            # the CI schedule, every fault kind once
#   benchmarks/scripts/fault-harness.sh --soak --seed 7             # one hour
#   benchmarks/scripts/fault-harness.sh --help                      # every option
# Installs iptables and faketime when missing; builds the launcher and the benchmarks jar when missing
# (RINGKV_SKIP_BUILD=1 uses what was built last). Exits 1 when the run found an anomaly.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
source bin/jdk.sh

missing=()
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || missing+=(faketime)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  echo "fault-harness: installing ${missing[*]}" >&2
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

jar=benchmarks/target/benchmarks.jar
lib=distribution/target/ringkv/lib
if [ "${RINGKV_SKIP_BUILD:-0}" != 1 ] && { [ ! -f "$jar" ] || [ ! -d "$lib" ]; }; then
  echo "fault-harness: building the launcher and the benchmarks jar ..." >&2
  mvn -B -ntp -q -DskipTests -pl distribution,benchmarks -am package >&2
fi
exec java -Xmx512m -cp "$jar" io.ringkv.benchmarks.faults.FaultHarness --lib "$lib" "$@"
