#!/usr/bin/env bash
# Prints the gossip figures of the simulator at scale (spread, detection, false judgements, partition and heal,
# bandwidth) as JSON lines, and checks them against the targets. Virtual time: no network is touched.
#
#   benchmarks/scripts/gossip-figures.sh [--nodes 1000] [--seeds 100] [--hour-nodes 200] [--first-seed 1]
#                                        [--threads <cores>] [--heap 12g] [--only spread,detection,...]
#
# Seeds run side by side, one per thread; a seed's result does not depend on the thread count. At 1,000 nodes a
# seed takes 40–60 s of CPU, so 100 seeds take about 40 minutes on two cores. Lines are printed as they are made
# (one per finished seed for the spread figure), and kept in kv-gossip/target/gossip-figures.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes=1000 seeds=100 hour_nodes=200 first_seed=1 threads="$(nproc)" heap=12g only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --hour-nodes) hour_nodes="$2"; shift 2 ;;
    --first-seed) first_seed="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --only)
      methods=""
      for figure in ${2//,/ }; do
        case "$figure" in
          spread) method=spread ;; detection) method=detection ;; false-judgements) method=falseJudgementsOverAnHour ;;
          partition) method=partitionAndHeal ;; bandwidth) method=bandwidth ;;
          *) echo "--only takes a comma-separated list of spread, detection, false-judgements, partition, bandwidth" >&2
             exit 2 ;;
        esac
        methods="${methods:+$methods+}$method"
      done
      only="#$methods"
      shift 2 ;;
    *) echo "usage: $0 [--nodes N] [--seeds S] [--hour-nodes H] [--first-seed F] [--threads T] [--heap SIZE]" \
         "[--only FIGURE,...]" >&2; exit 2 ;;
  esac
done
source bin/jdk.sh
mvn -B -ntp -q -pl kv-gossip -am install -DskipTests
out=kv-gossip/target/gossip-figures.jsonl
: > "$out"
set +e
mvn -B -ntp -pl kv-gossip surefire:test -Dtest="GossipFiguresTest$only" -Dgossip.figures=true \
  -Dgossip.figures.nodes="$nodes" -Dgossip.figures.seeds="$seeds" -Dgossip.figures.hour-nodes="$hour_nodes" \
  -Dgossip.figures.first-seed="$first_seed" -Dgossip.figures.threads="$threads" -Dringkv.test.redirect=false \
  -Dringkv.agrona.jvm.args="--add-exports java.base/jdk.internal.misc=org.agrona -Xmx$heap" \
  -Dsurefire.failIfNoSpecifiedTests=false 2>&1 \
  | tee kv-gossip/target/gossip-figures.log | grep --line-buffered '"figure"' | tee "$out"
status=${PIPESTATUS[0]}
set -e
if [[ $status -ne 0 ]]; then
  grep -E 'FAIL|AssertionFailed|expected' kv-gossip/target/gossip-figures.log | head -20 >&2
  echo "a figure missed its target or the run failed (exit $status); the whole log is kv-gossip/target/gossip-figures.log" >&2
fi
exit "$status"
