#!/usr/bin/env bash
# Write availability at QUORUM (N=3, W=2) on a 1,000-node ring under random node failures, with sloppy quorum off
# and on, beside the analytic expectation (issue 15). Virtual time, seeded: the same arguments print the same
# figures; nothing touches the network. About 20-30 s on two cores with the defaults (2,000,000 writes).
#
#   benchmarks/scripts/availability.sh [writes] [seed] [--mtbf-hours 24] [--mttr-minutes 27] [--detect-down 8]
#                                      [--detect-up 2] [--hint-window-hours H] [--hours 2000] [--nodes 1000]
#                                      [--vnodes 32] [--no-table]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bin/jdk.sh
mvn -B -ntp -q -DskipTests -pl benchmarks -am package >&2
exec java -Xmx1g -cp benchmarks/target/benchmarks.jar io.ringkv.benchmarks.availability.AvailabilityExperiment "$@"
