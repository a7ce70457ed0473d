#!/usr/bin/env bash
# Prints the gossip figures of the simulator at scale (spread, detection, false judgements, partition and heal,
# bandwidth) as JSON lines, and checks them against the targets. Virtual time: no network is touched.
#
#   benchmarks/scripts/gossip-figures.sh [--nodes 1000] [--seeds 100] [--hour-nodes 200] [--first-seed 1]
#
# At 1,000 nodes a seed takes about half a minute of CPU; 100 seeds take about an hour on two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes=1000 seeds=100 hour_nodes=200 first_seed=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --hour-nodes) hour_nodes="$2"; shift 2 ;;
    --first-seed) first_seed="$2"; shift 2 ;;
    *) echo "usage: $0 [--nodes N] [--seeds S] [--hour-nodes H] [--first-seed F]" >&2; exit 2 ;;
  esac
done
source bin/jdk.sh
mvn -B -ntp -q -pl kv-gossip -am install -DskipTests
mvn -B -ntp -q -pl kv-gossip surefire:test -Dtest=GossipFiguresTest -Dgossip.figures=true \
  -Dgossip.figures.nodes="$nodes" -Dgossip.figures.seeds="$seeds" -Dgossip.figures.hour-nodes="$hour_nodes" -Dgossip.figures.first-seed="$first_seed" \
  -Dsurefire.failIfNoSpecifiedTests=false
grep -h '"figure"' kv-gossip/target/surefire-reports/io.ringkv.gossip.sim.GossipFiguresTest-output.txt
