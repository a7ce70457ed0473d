#!/usr/bin/env bash
# Coverage-guided fuzzing of every input a client or a peer can send, with Jazzer (libFuzzer for the JVM): the
# causal context and version decoders, the replication, gossip and repair/streaming datagram decoders, the RESP
# parser and the HTTP key paths. Each target (a fuzzerTestOneInput in the test sources beside the code it drives)
# runs for SECONDS (default 10); CI runs the short form after the test suite, a long run is
#   benchmarks/scripts/fuzz.sh 3600            # an hour per target; the corpus grows under target/fuzz/corpus
#   benchmarks/scripts/fuzz.sh 600 RespParserFuzzTarget
# A finding (an exception the target does not allow, a hang over 10 s, memory over the limit) fails the run; the
# input is left in target/fuzz/findings/. Keep it as a regression test: copy it to
# <module>/src/test/resources/fuzz/<Target>/, where the suite replays it (kv-sim's FuzzInputs), then fix the code.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=../../bin/jdk.sh
source bin/jdk.sh
seconds=${1:-10}
only=${2:-}
jazzer_version=0.30.0
work=target/fuzz
mkdir -p "$work/lib" "$work/findings"

targets=(
  "kv-api io.ringkv.api.VersionEncodingFuzzTarget"
  "kv-replication io.ringkv.replication.internal.MessageCodecFuzzTarget"
  "kv-gossip io.ringkv.gossip.internal.GossipCodecFuzzTarget"
  "kv-antientropy io.ringkv.antientropy.internal.RepairCodecFuzzTarget"
  "kv-node io.ringkv.node.resp.RespParserFuzzTarget"
  "kv-node io.ringkv.node.http.KeyValueTargetFuzzTarget"
  "kv-node io.ringkv.node.transport.PeerAuthenticationFuzzTarget"
)

if [ -z "${RINGKV_SKIP_BUILD:-}" ] || [ ! -f kv-node/target/fuzz-classpath.txt ]; then
  echo "fuzz: compiling the targets ..." >&2
  mvn -B -ntp -q -DskipTests -pl kv-node -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/fuzz-classpath.txt
fi
for artifact in jazzer jazzer-api; do
  if [ ! -f "$work/lib/$artifact-$jazzer_version.jar" ]; then
    mvn -B -ntp -q dependency:copy -Dartifact="com.code-intelligence:$artifact:$jazzer_version" \
      -DoutputDirectory="$work/lib"
  fi
done

classpath="$work/lib/jazzer-$jazzer_version.jar:$work/lib/jazzer-api-$jazzer_version.jar"
for module in kv-api kv-ring kv-storage-spi kv-sim kv-gossip kv-replication kv-antientropy kv-node; do
  classpath="$classpath:$module/target/classes:$module/target/test-classes"
done
classpath="$classpath:$(cat kv-node/target/fuzz-classpath.txt)"

failed=()
ran=0
for entry in "${targets[@]}"; do
  read -r module target <<< "$entry"
  name=${target##*.}
  if [ -n "$only" ] && [ "$only" != "$name" ]; then
    continue
  fi
  ran=$((ran + 1))
  corpus="$work/corpus/$name"
  mkdir -p "$corpus"
  kept="$module/src/test/resources/fuzz/$name"
  seeds=()
  if [ -d "$kept" ]; then seeds=("$kept"); fi
  echo "fuzz: $name for ${seconds}s" >&2
  # Agrona reads jdk.internal.misc.Unsafe; on the class path it is in the unnamed module
  if ! java -Xmx512m --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp "$classpath" com.code_intelligence.jazzer.Jazzer \
      --target_class="$target" --instrumentation_includes='io.ringkv.**' \
      --reproducer_path="$work/findings" -artifact_prefix="$work/findings/$name-" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1536 -max_len=4096 -print_final_stats=1 \
      "$corpus" "${seeds[@]}" > "$work/$name.log" 2>&1; then
    failed+=("$name")
    grep -A12 "== Java Exception\|ERROR: libFuzzer" "$work/$name.log" | head -30 >&2 || tail -30 "$work/$name.log" >&2
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "$work/$name.log" | tr '\n' ' ' >&2 || true
  echo >&2
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}: inputs in $work/findings/ (logs in $work/); keep each under" \
    "<module>/src/test/resources/fuzz/<Target>/ as a regression test and fix the code" >&2
  exit 1
fi
echo "fuzz: no findings ($ran targets, ${seconds}s each)"
