#!/usr/bin/env bash
# Links the node's runtime image and packs the release archive (run by `mvn -Prelease package` in distribution).
#   make-release.sh JAVA_HOME MODULES_DIR TARGET_DIR NAME
# MODULES_DIR holds every jar of the node's module path as a named module. The image goes to
# TARGET_DIR/NAME-OS-ARCH/ (the installation: the JDK modules the node needs, ringkv's modules, bin/ringkv, a
# sample configuration, plugins/, licence notices) and the archive to TARGET_DIR/NAME-OS-ARCH.tar.gz.
set -euo pipefail
java_home=$1 modules=$(cd "$2" && pwd) target=$(cd "$3" && pwd) name=$4
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

# An AOT cache (JDK 25's class-data sharing of the node's own classes, loaded and linked ahead of time), trained by
# one real start of a node that answers a SET and a GET; bin/ringkv uses it unless plugins/ changes the module path.
train=$unpack/training
mkdir "$train"
"$image/bin/java" -XX:AOTCacheOutput="$image/lib/ringkv.aot" -m io.ringkv.node/io.ringkv.node.Main node \
  --id aot-training --listen "127.0.0.1:$((20000 + RANDOM % 12000))" --client-port 0 --data-dir "$train/data" \
  >"$train/log" 2>&1 &
training=$!
client_port=
for _ in $(seq 600); do
  client_port=$(sed -n 's/.*clients on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$train/log" | head -1)
  [ -n "$client_port" ] || ! kill -0 "$training" 2>/dev/null || { sleep 0.1; continue; }
  break
done
[ -n "$client_port" ] || { cat "$train/log" >&2; kill -9 "$training" 2>/dev/null; echo "make-release: the training node did not start" >&2; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/$client_port"
printf '*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n' >&3
for _ in 1 2 3 4; do IFS= read -r -t 30 _ <&3; done
exec 3>&-
kill -TERM "$training"
wait "$training" || true
[ -s "$image/lib/ringkv.aot" ] || { cat "$train/log" >&2; echo "make-release: no AOT cache was written" >&2; exit 1; }

tar -C "$target" -czf "$image.tar.gz" "$release"
echo "make-release: $image.tar.gz ($(du -k "$image.tar.gz" | cut -f1) KiB; $(du -sk "$image" | cut -f1) KiB unpacked)"
