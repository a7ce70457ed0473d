#!/usr/bin/env bash
# Time from `bin/ringkv node` to the first answered PING for unpacked release images, started in turn ROUNDS times
# each (default 5), so two builds are compared side by side in one run; prints one line per start and the range.
#   benchmarks/scripts/release-start.sh [ROUNDS] IMAGE_DIR [IMAGE_DIR ...]
# (an image: distribution/target/ringkv-VERSION-OS-ARCH after `mvn -Prelease -DskipTests package`, or an archive
# unpacked). Each node is a fresh single-node cluster on 127.0.0.1 (peers 7590, clients 7591, HTTP 9591) with its
# data in a scratch folder. Linux (date +%s%N) and bash 4 or later.
set -euo pipefail
rounds=5
if [[ ${1:-} =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
[ $# -ge 1 ] || { echo "usage: release-start.sh [ROUNDS] IMAGE_DIR [IMAGE_DIR ...]" >&2; exit 2; }
work=$(mktemp -d /tmp/ringkv-start.XXXXXX)
pid=
# a node stopped with SIGTERM removes its media driver folder; one killed here does not
trap '[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null; rm -rf "$work" /dev/shm/ringkv-start-7590' EXIT
declare -A times
for round in $(seq "$rounds"); do
  for image in "$@"; do
    rm -rf "$work/data"
    start=$(date +%s%N)
    "$image/bin/ringkv" node --id start --listen 127.0.0.1:7590 --client-port 7591 \
      --data-dir "$work/data" > "$work/log" 2>&1 &
    pid=$!
    answered=
    for _ in $(seq 1000); do
      if exec 3<>/dev/tcp/127.0.0.1/7591 2>/dev/null; then
        printf '*1\r\n$4\r\nPING\r\n' >&3
        if IFS= read -r -t 5 line <&3 && [[ $line == +PONG* ]]; then answered=1; fi
        exec 3>&-
        [ -z "$answered" ] || break
      fi
      sleep 0.01
    done
    end=$(date +%s%N)
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
    [ -n "$answered" ] || { cat "$work/log" >&2; echo "no PONG from $image" >&2; exit 1; }
    ms=$(( (end - start) / 1000000 ))
    times[$image]="${times[$image]:-} $ms"
    echo "$image round $round: $ms ms"
  done
done
for image in "$@"; do
  echo "$image: $(tr ' ' '\n' <<< "${times[$image]}" | sed '/^$/d' | sort -n | paste -sd' ') ms"
done
