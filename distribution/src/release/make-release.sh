#!/usr/bin/env bash
# Links the node's runtime image and packs the release archive (run by `mvn -Prelease package` in distribution).
#   make-release.sh JAVA_HOME MODULES_DIR TARGET_DIR NAME LOAD_TOOL_JAR
# MODULES_DIR holds every jar of the node's module path as a named module; LOAD_TOOL_JAR is benchmarks.jar, whose
# load tool trains the image's AOT cache. The image goes to
# TARGET_DIR/NAME-OS-ARCH/ (the installation: the JDK modules the node needs, ringkv's modules, bin/ringkv, a
# sample configuration, plugins/, licence notices) and the archive to TARGET_DIR/NAME-OS-ARCH.tar.gz.
set -euo pipefail
java_home=$1 modules=$(cd "$2" && pwd) target=$(cd "$3" && pwd) name=$4 load_tool=$5
[ -f "$load_tool" ] || { echo "make-release: no load tool at $load_tool (build the benchmarks module first)" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=macos ;;
  *) echo "make-release: no release archive for $(uname -s) yet" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) echo "make-release: no release archive for $(uname -m) yet" >&2; exit 1 ;;
esac
# RocksDB's jar carries its JNI library for 15 platforms (87 MB): the image keeps this platform's only, as a
# native library of the runtime (lib/), which System.loadLibrary finds without extracting it to /tmp at start.
case "$os-$arch" in
  linux-x64) rocksdb_native=librocksdbjni-linux64.so ;;
  linux-aarch64) rocksdb_native=librocksdbjni-linux-aarch64.so ;;
  macos-x64) rocksdb_native=librocksdbjni-osx-x86_64.jnilib ;;
  macos-aarch64) rocksdb_native=librocksdbjni-osx-arm64.jnilib ;;
esac

release=$name-$os-$arch
image=$target/$release
rm -rf "$image" "$image.tar.gz"

# The options bin/ringkv gave `java` from a checkout, now part of the runtime: Agrona and Aeron reach into
# jdk.internal.misc, RocksDB calls native code. --generate-cds-archive dumps the class-data sharing archive the
# runtime maps at start. Debug attributes stay: an operator's stack trace keeps its line numbers.
"$java_home/bin/jlink" \
  --module-path "$modules" \
  --add-modules io.ringkv.node,io.ringkv.storage.lsm,io.ringkv.storage.rocksdb \
  --add-options="--add-exports=java.base/jdk.internal.misc=org.agrona --enable-native-access=rocksdbjni" \
  --exclude-resources='regex:/rocksdbjni/librocksdbjni-.*' \
  --no-header-files --no-man-pages \
  --generate-cds-archive \
  --output "$image" >"$target/jlink.log" 2>&1 || { cat "$target/jlink.log" >&2; exit 1; }
# (the archive dump warns about the default class list's java.logging classes, a module the node does not need)
[ -x "$image/bin/java" ] || { echo "make-release: jlink made no image" >&2; exit 1; }

rocksdb_jar=$(ls "$modules"/rocksdbjni-*.jar)
unpack=$(mktemp -d)
trap 'rm -rf "$unpack"' EXIT
(cd "$unpack" && "$java_home/bin/jar" xf "$rocksdb_jar" "$rocksdb_native")
cp "$unpack/$rocksdb_native" "$image/lib/"

cp -R "$here/root/." "$image/"
chmod 755 "$image/bin/ringkv"
cp "$here/legal/"* "$image/legal/ringkv/"

# An AOT cache (JDK 25's -XX:AOTCacheOutput: the node's classes loaded and linked ahead of time, and how its methods
# ran), trained by three nodes of the image (N=3) for TRAIN_SECONDS (default 20) under the compare-redis.sh load
# (50 connections, half SETs and half GETs of 1 KiB values) sent to the first, which records: it runs the client,
# coordinator, replication and storage paths a loaded node runs, so a node from the archive starts with them and
# reaches full speed sooner. bin/ringkv uses the cache unless plugins/ changes the module path.
train=$unpack/training
mkdir "$train"
train_seconds=${TRAIN_SECONDS:-20}
peer_base=$((20000 + RANDOM % 12000))
seeds=127.0.0.1:$((peer_base + 1)),127.0.0.1:$((peer_base + 2)),127.0.0.1:$((peer_base + 3))
trainers=()
stop_trainers() { # and the media driver folders of those killed (a node removes its own when it stops)
  for pid in ${trainers[@]+"${trainers[@]}"}; do kill -9 "$pid" 2>/dev/null || true; done
  for i in 1 2 3; do rm -rf "/dev/shm/ringkv-training$i-$((peer_base + i))"; done
}
trap 'stop_trainers; rm -rf "$unpack"' EXIT
for i in 1 2 3; do
  record=()
  [ "$i" != 1 ] || record=(-XX:AOTCacheOutput="$image/lib/ringkv.aot")
  "$image/bin/java" ${record[@]+"${record[@]}"} -m io.ringkv.node/io.ringkv.node.Main node --id "training$i" \
    --listen "127.0.0.1:$((peer_base + i))" --seeds "$seeds" --client-port 0 --data-dir "$train/node$i" \
    >"$train/node$i.log" 2>&1 &
  trainers+=($!)
done
training_failed() {
  for i in 1 2 3; do echo "-- training node $i:" >&2; tail -20 "$train/node$i.log" >&2; done
  echo "make-release: $1" >&2
  exit 1
}
client_ports=()
for i in 1 2 3; do
  port=
  for _ in $(seq 600); do
    port=$(sed -n 's/.*clients on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$train/node$i.log" | head -1)
    [ -n "$port" ] || ! kill -0 "${trainers[i - 1]}" 2>/dev/null || { sleep 0.1; continue; }
    break
  done
  [ -n "$port" ] || training_failed "training node $i did not start"
  client_ports+=("$port")
done
ready() { # port: whether that node serves clients (not loading) by a ring of the three nodes
  local line ring= loading=
  exec 4<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf '*2\r\n$4\r\nINFO\r\n$7\r\ncluster\r\n' >&4
  while IFS= read -r -t 2 line <&4; do
    line=${line%$'\r'}
    case "$line" in cluster_ring_nodes:*) ring=${line#*:} ;; loading:*) loading=${line#*:} ;; esac
    [ -z "$ring" ] || [ -z "$loading" ] || break
  done
  exec 4>&-
  [ "$ring" = 3 ] && [ "$loading" = 0 ]
}
ringed=0
for _ in $(seq 120); do
  ringed=0
  for port in "${client_ports[@]}"; do ! ready "$port" || ringed=$((ringed + 1)); done
  [ "$ringed" != 3 ] || break
  sleep 0.5
done
[ "$ringed" = 3 ] || training_failed "the training nodes did not form a ring of three and serve"
"$java_home/bin/java" -cp "$load_tool" io.ringkv.benchmarks.load.LoadTool --label aot-training \
  --port "${client_ports[0]}" --connections 50 --value-bytes 1024 --keys 100000 --read-ratio 0.5 \
  --seconds "$train_seconds" --warmup-seconds 1 >"$train/load.log" 2>&1 \
  || { cat "$train/load.log" >&2; training_failed "the training load failed"; }
# a cache trained on refusals would hold the profiles of error paths: at most 1 % of the requests may fail
load_ops=$(sed -n 's/.*"ops":\([0-9]*\).*/\1/p' "$train/load.log" | tail -1)
load_errors=$(sed -n 's/.*"errors":\([0-9]*\).*/\1/p' "$train/load.log" | tail -1)
[ -n "$load_ops" ] && [ -n "$load_errors" ] && [ "$load_ops" -gt 0 ] && [ $((load_errors * 100)) -le "$load_ops" ] \
  || { cat "$train/load.log" >&2; training_failed "the training load's requests failed"; }
# the recording node writes the cache as it exits
kill -9 "${trainers[1]}" "${trainers[2]}" 2>/dev/null || true
wait "${trainers[1]}" "${trainers[2]}" 2>/dev/null || true
kill -TERM "${trainers[0]}" 2>/dev/null || training_failed "the recording node died during the load"
wait "${trainers[0]}" || true
trainers=()
stop_trainers
[ -s "$image/lib/ringkv.aot" ] || training_failed "no AOT cache was written"

tar -C "$target" -czf "$image.tar.gz" "$release"
echo "make-release: $image.tar.gz ($(du -k "$image.tar.gz" | cut -f1) KiB; $(du -sk "$image" | cut -f1) KiB unpacked)"
