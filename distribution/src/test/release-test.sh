#!/usr/bin/env bash
# The release archive works where no JDK is: unpacks it into an empty folder and, with JAVA_HOME unset and no java
# on PATH, starts a node from it (the sample configuration), answers PING, SET and GET; then a node on the RocksDB
# engine with a conflict resolver dropped into plugins/ (test-plugins/kv-resolver-fixture), which a node without it
# refuses. Prints the archive's size and the time from `bin/ringkv node` to the first answered PING.
#   release-test.sh TARGET_DIR NAME FIXTURE_JAR       (run by `mvn -Prelease verify` in distribution)
set -euo pipefail
target=$1 name=$2 fixture=$3
archives=("$target/$name"-*-*.tar.gz)
[ ${#archives[@]} = 1 ] && [ -f "${archives[0]}" ] || { echo "release-test: no single $name-OS-ARCH.tar.gz in $target" >&2; exit 1; }
archive=${archives[0]}

work=$(mktemp -d)
node_pid=
cleanup() {
  [ -z "$node_pid" ] || kill -9 "$node_pid" 2>/dev/null || true
  rm -rf "$work" /dev/shm/ringkv-release-test-* 2>/dev/null || true
  [ -z "${base_port:-}" ] || rm -rf "/dev/shm/ringkv-node1-$((base_port + 1))" 2>/dev/null || true
}
trap cleanup EXIT
fail() {
  echo "release-test: FAILED: $*" >&2
  [ ! -f "$work/node.log" ] || sed 's/^/  node: /' "$work/node.log" >&2
  exit 1
}

mkdir "$work/install"
tar -xzf "$archive" -C "$work/install"
install=$(echo "$work/install"/*)
# A PATH with what bin/ringkv needs and no java: the node must run on the runtime it ships.
mkdir "$work/tools"
for tool in bash readlink; do ln -s "$(command -v "$tool")" "$work/tools/$tool"; done
if PATH=$work/tools command -v java >/dev/null 2>&1; then fail "java is on the test's PATH"; fi

free_port() { # a port nothing listens on yet, from a range the kernel does not hand out as ephemeral
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

start_node() { # start_node ID ARGS... : runs bin/ringkv node in the installation, as an operator would
  local id=$1
  shift
  client_port=$(free_port)
  http_port=$(free_port)
  (cd "$install" && exec env -u JAVA_HOME PATH="$work/tools" bin/ringkv node --id "$id" \
    --listen "127.0.0.1:$(free_port)" --client-port "$client_port" --http-port "$http_port" \
    --data-dir "$work/data/$id" "$@") \
    >"$work/node.log" 2>&1 &
  node_pid=$!
}

# resp ARGS... : sends one command on fd 3 and prints the reply's first line (and a bulk string's value)
resp() {
  local command="*$#"$'\r\n' arg line
  for arg in "$@"; do command+="\$${#arg}"$'\r\n'"$arg"$'\r\n'; done
  printf '%s' "$command" >&3
  IFS= read -r -t 10 line <&3 || fail "no reply to $*"
  line=${line%$'\r'}
  if [[ $line == \$* && $line != '$-1' ]]; then
    IFS= read -r -t 10 line <&3 || fail "no value in the reply to $*"
    line=${line%$'\r'}
  fi
  printf '%s' "$line"
}

await_ping() { # connects to the node's client port and waits for PONG, for at most 60 s
  local deadline=$((SECONDS + 60)) reply
  while ((SECONDS < deadline)); do
    kill -0 "$node_pid" 2>/dev/null || fail "the node exited"
    if { exec 3<>"/dev/tcp/127.0.0.1/$client_port"; } 2>/dev/null; then
      reply=$(resp PING)
      [ "$reply" = +PONG ] && return
      exec 3>&-
    fi
    sleep 0.01
  done
  fail "no PONG within 60 s"
}

http_get() { # http_get PATH : prints the node's HTTP response to GET PATH, status line and headers included
  local response
  exec 4<>"/dev/tcp/127.0.0.1/$http_port" || fail "no HTTP endpoint on $http_port"
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&4
  response=$(timeout 10 cat <&4) || fail "no HTTP response to GET $1"
  exec 4>&-
  printf '%s' "$response"
}

stop_node() {
  exec 3>&- || true
  kill -TERM "$node_pid"
  wait "$node_pid" || true
  node_pid=
}

# 1. the sample configuration, no plugins
started=$EPOCHREALTIME
start_node release-test-1 --config conf/ringkv.properties
await_ping
ping_ms=$(( (${EPOCHREALTIME/./} - ${started/./}) / 1000 ))
# PING is answered as soon as the client port listens; writes once the node has joined its ring (standalone: its
# own tokens), which on a loaded machine can follow by a moment: retried for at most 60 s
set_deadline=$((SECONDS + 60))
while :; do
  reply=$(resp SET greeting hello)
  [ "$reply" = +OK ] && break
  ((SECONDS < set_deadline)) || fail "SET greeting answered $reply for 60 s"
  [ -n "${set_retried:-}" ] || echo "release-test: SET greeting answered $reply at first; trying again" >&2
  set_retried=1
  sleep 0.1
done
[ "$(resp GET greeting)" = hello ] || fail "GET greeting"
# the HTTP endpoint on the same runtime: readiness, and metrics with the JVM's own (jdk.management in the image)
# ready once the node is NORMAL in its ring, which can follow the first PING on a loaded machine: up to 60 s
ready_deadline=$((SECONDS + 60))
while ((SECONDS < ready_deadline)); do
  http_get /health/ready | grep -q '"status":"UP"' && break
  sleep 0.1
done
ready=$(http_get /health/ready)
head -1 <<<"$ready" | grep -q ' 200 ' || fail "/health/ready is not 200 after 60 s: $(tr -d '\r' <<<"$ready" | tr '\n' ' ')"
metrics=$(http_get /metrics)
grep -q '^ringkv_commands_processed_total ' <<<"$metrics" || fail "/metrics lacks the node's counters"
grep -q '^ringkv_request_duration_seconds_count{command="set"' <<<"$metrics" || fail "/metrics lacks request latency"
grep -q '^jvm_memory_used_bytes' <<<"$metrics" || fail "/metrics lacks the JVM's metrics"
stop_node

# 2. `ringkv cluster` starts its nodes on the same runtime (no module path of its own to hand them)
base_port=$(free_port)
(cd "$install" && exec env -u JAVA_HOME PATH="$work/tools" bin/ringkv cluster --nodes 1 --base-port "$base_port" \
  --base-client-port "$(free_port)" --base-http-port "$(free_port)" --data-dir "$work/cluster") >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 600); do
  grep -q 'cluster ready' "$work/node.log" && break
  kill -0 "$node_pid" 2>/dev/null || fail "ringkv cluster exited"
  sleep 0.1
done
grep -q 'cluster ready' "$work/node.log" || fail "ringkv cluster was not ready within 60 s"
stop_node

# 3. a resolver the runtime does not have: refused until its jar is in plugins/
start_node release-test-2 --resolver largest-value
wait "$node_pid" && fail "a node started with a resolver it does not have" || true
node_pid=
grep -q largest-value "$work/node.log" || fail "the refusal does not name the missing resolver"

cp "$fixture" "$install/plugins/"
start_node release-test-3 --resolver largest-value --engine rocksdb
await_ping
[ "$(resp SET k b)" = +OK ] || fail "SET k b"
[ "$(resp SET k a)" = +OK ] || fail "SET k a"
[ "$(resp GET k)" = b ] || fail "the plugin's largest-value resolver did not keep the greater value"
grep -q 'engine rocksdb' "$work/node.log" || fail "the node did not run the RocksDB engine"
stop_node

echo "release-test: passed: $(basename "$archive") $(du -k "$archive" | cut -f1) KiB, first PING answered ${ping_ms} ms after bin/ringkv node"
