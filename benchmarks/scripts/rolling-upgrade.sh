#!/usr/bin/env bash
# A rolling upgrade of three nodes (N=3, R=2, W=2) from an earlier build of this repository to this checkout, one
# node at a time on its own data, with writes, deletes and changes of expiry through old and new nodes at every step:
#   benchmarks/scripts/rolling-upgrade.sh [EARLIER_COMMIT] [KEYS]
# EARLIER_COMMIT (default 8e29f83, a build from before changes of expiry were marked in their versions) is built in
# a git worktree of its own; KEYS (default 120, a multiple of 6) keys are written. After each step it prints, per
# node, what GET answered for every key (a value, nothing, or an error), and each old node's dropped malformed
# replication messages. Once every node runs this build it reads every key through every node at ALL and checks it
# against what the clients were told: an acknowledged value, a delete, or an expiry. Exits 1 when a key reads wrong
# at the end, or a node stopped. Listens on 127.0.0.1 ports 7611-7613 and 7621-7623 only; takes a few minutes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
earlier=${1:-8e29f83}
keys=${2:-120}
if ! [[ "$keys" =~ ^[0-9]+$ ]] || [ "$keys" -lt 6 ] || [ $((keys % 6)) != 0 ] || [ "$keys" -gt 6000 ]; then
  echo "usage: $0 [EARLIER_COMMIT] [KEYS: a multiple of 6, 6-6000]" >&2
  exit 2
fi
for port in 7611 7612 7613 7621 7622 7623; do
  if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "something listens on 127.0.0.1:$port already (another run of this script?): stop it first" >&2
    exit 1
  fi
done
work=$(mktemp -d /tmp/ringkv-upgrade.XXXXXX)
declare -A node_pid=()
cleanup() {
  local status=$1
  for pid in "${node_pid[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  git -C "$root" worktree remove --force "$work/earlier" >/dev/null 2>&1 || true
  if [ "$status" != 0 ] && compgen -G "$work/n?.log" >/dev/null; then
    local kept
    kept=$(mktemp -d /tmp/ringkv-upgrade-logs.XXXXXX)
    cp "$work"/n?.log "$kept"/
    echo "the nodes' logs are kept in $kept" >&2
  fi
  rm -rf "$work"
}
trap 'cleanup $?' EXIT
source "$root/bin/jdk.sh"
source "$root/benchmarks/scripts/lib/servers.sh"
install_redis

echo "building $earlier (in a worktree) and this checkout ..." >&2
git -C "$root" worktree add -q --detach "$work/earlier" "$earlier"
for tree in "$work/earlier" "$root"; do
  (cd "$tree" && mvn -B -ntp -q -DskipTests -pl distribution -am package) >&2
  touch "$tree/distribution/target/ringkv/.built"
done
this=$(git -C "$root" rev-parse --short HEAD)

start_node() { # i tree label
  local i=$1 tree=$2 label=$3
  RINGKV_SKIP_BUILD=1 "$tree/bin/ringkv" node --id "n$i" --listen "127.0.0.1:$((7610 + i))" \
    --client-port "$((7620 + i))" --seeds 127.0.0.1:7611,127.0.0.1:7612,127.0.0.1:7613 --n 3 --r 2 --w 2 \
    --data-dir "$work/n$i" >> "$work/n$i.log" 2>&1 &
  node_pid[$i]=$!
  echo "n$i runs $label" >&2
  wait_port "$((7620 + i))"
}

stop_node() { # i
  kill "${node_pid[$1]}" 2>/dev/null || echo "n$1 had stopped before it was upgraded" >&2
  wait "${node_pid[$1]}" 2>/dev/null || true
  unset "node_pid[$1]"
}

# returns once every node's ring holds all three, sees them ALIVE, and serves (a restarted node answers LOADING
# until a member told it it is still one)
await_ring() {
  local i ringed info
  for _ in $(seq 1 120); do
    ringed=0
    for i in 1 2 3; do
      info=$(redis-cli -p "$((7620 + i))" info cluster 2>/dev/null || true)
      grep -q '^cluster_ring_nodes:3' <<< "$info" && [ "$(grep -c 'liveness=ALIVE' <<< "$info")" = 3 ] \
        && [ -z "$(echo 'GET k-probe' | run_on "$i")" ] && ringed=$((ringed + 1))
    done
    [ "$ringed" = 3 ] && return 0
    sleep 1
  done
  echo "the ring did not settle with all three ALIVE and serving" >&2
  return 1
}

# every command on one connection to node i, one reply per line: a string as it is, an integer as its digits, nil
# as an empty line, an error as its text
run_on() { # i, commands on stdin
  redis-cli --no-raw -p "$((7620 + $1))" 2>&1 | sed -E 's/^"(.*)"$/\1/; s/^\(integer\) //; s/^\(nil\)$//; s/^\(error\) //; /^\([0-9.]+s\)$/d'
}

# what the clients were told, per key: the value that reads (empty when deleted, ? when unknown) and its expiry:
# none, set, or either (a request that failed may still be written)
declare -A value expiry
# per key whose last change of expiry failed: what it asked for (-1 for PERSIST, else the seconds of EXPIRE)
declare -A failed_change

# a reply line as a kind: a value (every value written matches [a-d][0-9]), nothing, or the error's first word
kind() {
  awk '{ if ($0 == "") print "nothing"; else if ($0 ~ /^[a-d][0-9]+$/) print "a value"; else print "error " $1 }'
}

count() { # prefix: counts the kinds on stdin
  sort | uniq -c | sed -E "s/^ *([0-9]+) (.*)/  $1: \1 \2/" >&2
}

# runs COMMAND KEY [ARGS] for every key k<i> with i % 6 == class through node n, and records what the clients heard
apply() { # node class op [args...]
  local node=$1 class=$2 op=$3
  shift 3
  local i replies=() cmds=""
  for ((i = class; i < keys; i += 6)); do cmds+="$op k$i $*"$'\n'; done
  mapfile -t replies < <(printf '%s' "$cmds" | run_on "$node")
  local j=0 reply heard=""
  for ((i = class; i < keys; i += 6)); do
    reply=${replies[$j]:-no reply}
    j=$((j + 1))
    heard+="$reply"$'\n'
    # a write or delete that answered replaces every change of expiry before it; a change that answered an
    # error may still land, so the key's expiry is unknown until the next write
    local known=${value[k$i]-?} pending=${failed_change[k$i]:-}
    case "$op:$reply" in
      SET:OK) value[k$i]="$1"; expiry[k$i]=none; pending="" ;;
      SET:*) value[k$i]="?"; expiry[k$i]=either; pending="" ;;
      DEL:1) value[k$i]=""; expiry[k$i]=none; pending="" ;;
      DEL:*) value[k$i]="?"; expiry[k$i]=either; pending="" ;;
      EXPIRE:1) expiry[k$i]=set ;;
      PERSIST:1) expiry[k$i]=none ;;
      # a key the clients were told holds a value, and had no expiry (PERSIST answers 0 then)
      PERSIST:0) if [ "${expiry[k$i]}" = set ] && [ -z "$pending" ]; then wrong_answer "$op k$i" "$reply"; fi ;;
      EXPIRE:0) if [ -n "$known" ] && [ "$known" != "?" ]; then wrong_answer "$op k$i" "$reply"; fi ;;
      EXPIRE:*) expiry[k$i]=either; pending=$1 ;;
      PERSIST:*) expiry[k$i]=either; pending=-1 ;;
    esac
    if [ -n "$pending" ]; then
      expiry[k$i]=either
      failed_change[k$i]=$pending
    else
      unset "failed_change[k$i]"
    fi
  done
  printf '%s' "$heard" | count "$op through n$node"
}

# an answer no state the clients were told of allows (EXPIRE 0 on a key that holds a value, say)
wrong_answers=0
wrong_answer() { # request reply
  echo "  $1 answered '$2', which what its clients were told does not allow" >&2
  wrong_answers=$((wrong_answers + 1))
}

# GET of every key through every node: per node, how many read a value, nothing, or an error
reads() { # consistency
  local node i
  for node in 1 2 3; do
    {
      echo "CONSISTENCY $1"
      for ((i = 0; i < keys; i++)); do echo "GET k$i"; done
    } | run_on "$node" | tail -n +2 | kind | count "GET at $1 through n$node"
  done
}

# per node, whether it marks the changes of expiry it coordinates (cluster_expiry_marks; an earlier build says nothing)
marks() {
  local node
  for node in 1 2 3; do
    echo "  n$node: cluster_expiry_marks:$(redis-cli -p "$((7620 + node))" info cluster 2>/dev/null \
      | grep '^cluster_expiry_marks:' | cut -d: -f2 | tr -d '\r' || true)" >&2
  done
}

malformed() {
  local node
  for node in "$@"; do
    echo "  n$node dropped $(redis-cli -p "$((7620 + node))" info replication 2>/dev/null \
      | grep '^replication_dropped_malformed:' | cut -d: -f2 | tr -d '\r' || true) malformed replication messages" >&2
  done
}

for i in 1 2 3; do start_node "$i" "$work/earlier" "$earlier"; done
await_ring
echo "step 0: all three run $earlier" >&2
for class in 0 1 2 3 4 5; do apply $((class % 3 + 1)) "$class" SET "a$class"; done
apply 1 0 EXPIRE 3600
apply 2 1 EXPIRE 3600

echo "step 1: n3 runs this build ($this), n1 and n2 $earlier" >&2
stop_node 3
start_node 3 "$root" "$this"
await_ring
apply 3 0 PERSIST
apply 3 1 EXPIRE 7200
apply 1 2 SET b2
apply 2 3 DEL
apply 3 4 SET c4
apply 3 5 EXPIRE 7200
reads QUORUM
malformed 1 2
marks

echo "step 2: n2 and n3 run this build, n1 $earlier" >&2
stop_node 2
start_node 2 "$root" "$this"
await_ring
apply 2 2 EXPIRE 9000
apply 1 4 EXPIRE 9000
apply 2 5 PERSIST
reads QUORUM
malformed 1
marks

echo "step 3: all three run this build" >&2
stop_node 1
start_node 1 "$root" "$this"
await_ring
apply 1 3 SET d3
# hints held for the nodes that ran the earlier build are handed over once they run this one
sleep 20
reads ALL

# the final check: every node marks changes of expiry again, and every key reads through every node at ALL
wrong=0
for node in 1 2 3; do
  marks=$(redis-cli -p "$((7620 + node))" info cluster 2>/dev/null | grep '^cluster_expiry_marks:' | cut -d: -f2 \
    | tr -d '\r' || true)
  if [ "$marks" != 1 ]; then
    echo "  n$node does not mark changes of expiry (cluster_expiry_marks:$marks)" >&2
    wrong=$((wrong + 1))
  fi
done
written=0
not_written=0
for node in 1 2 3; do
  for ((i = 0; i < keys; i++)); do
    mapfile -t got < <(printf 'CONSISTENCY ALL\nGET k%d\nTTL k%d\n' "$i" "$i" | run_on "$node")
    got_value=${got[1]:-}
    got_ttl=${got[2]:-}
    want=${value[k$i]}
    if [ "$want" = "?" ]; then
      continue
    fi
    if [ -z "$want" ]; then
      [ "$got_ttl" = "-2" ] || { echo "  k$i through n$node: deleted, but reads '$got_value' (TTL $got_ttl)" >&2; wrong=$((wrong + 1)); }
      continue
    fi
    if [ "$got_value" != "$want" ]; then
      echo "  k$i through n$node: want $want, reads '$got_value' (TTL $got_ttl)" >&2
      wrong=$((wrong + 1))
      continue
    fi
    asked=${failed_change[k$i]:-}
    if [ "$node" = 1 ] && [ -n "$asked" ]; then
      # a failed EXPIRE of S seconds asked for more than the expiry it would replace (3600 s, set a few minutes ago)
      if { [ "$asked" = -1 ] && [ "$got_ttl" = -1 ]; } || { [ "$asked" != -1 ] && [ "$got_ttl" -gt 3600 ]; }; then
        written=$((written + 1))
      else
        not_written=$((not_written + 1))
      fi
    fi
    case "${expiry[k$i]}:$got_ttl" in
      none:-1 | either:* ) ;;
      set:-1 | set:-2 | none:*)
        echo "  k$i through n$node: expiry ${expiry[k$i]}, TTL reads $got_ttl" >&2
        wrong=$((wrong + 1)) ;;
    esac
  done
done
echo "keys whose last change of expiry answered an error (it may still be written): $written written, $not_written" \
  "not" >&2
for i in 1 2 3; do
  kill -0 "${node_pid[$i]}" 2>/dev/null || { echo "n$i stopped (its log: $work/n$i.log)" >&2; wrong=$((wrong + 1)); }
done
echo "lines naming an exception or ERROR in the nodes' logs: $(grep -c -E 'Exception|ERROR' "$work"/n?.log \
  | sed 's#.*/##' | tr '\n' ' ')" >&2
wrong=$((wrong + wrong_answers))
if [ "$wrong" -gt 0 ]; then
  echo "rolling upgrade from $earlier to $this: $wrong reads or answers wrong" >&2
  exit 1
fi
echo "rolling upgrade from $earlier to $this: every key reads as its clients were told through every node" >&2
