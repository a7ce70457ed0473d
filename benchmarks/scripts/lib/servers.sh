# Shared by the scripts that start ringkv nodes (compare-redis.sh, cpu-per-request.sh, ab-three-nodes.sh,
# aot-cache.sh): sourced
# after they set root (the checkout), work (a scratch directory) and pids=() (what their EXIT trap kills).
# Everything listens on 127.0.0.1. NODE_ARGS adds options to every ringkv node they start (e.g.
# NODE_ARGS=--engine-options=data-reads=positional, to compare a setting on one build).

# Installs Redis (and redis-cli) with apt when it is missing.
install_redis() {
  if ! command -v redis-server >/dev/null; then
    echo "installing Redis (Debian's redis-server) ..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
  fi
}

# Builds the launcher and the load tool.
build_servers() {
  (cd "$root" && mvn -B -ntp -q -DskipTests -pl distribution,benchmarks -am package) >&2
  touch "$root/distribution/target/ringkv/.built"
}

wait_port() { # port
  for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "nothing listens on 127.0.0.1:$1" >&2; return 1
}

stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

# Redis 7 on port 6390, appending every write and forcing once a second.
start_redis() {
  redis-server --port 6390 --bind 127.0.0.1 --appendonly yes --appendfsync everysec --save "" --dir "$work" \
    --logfile "$work/redis.log" &
  pids+=($!)
  wait_port 6390
}

# One ringkv node, clients on port 7501.
start_one_node() {
  RINGKV_SKIP_BUILD=1 "$root/bin/ringkv" node --id solo --listen 127.0.0.1:7500 --client-port 7501 \
    --data-dir "$work/solo" ${NODE_ARGS:-} > "$work/solo.log" 2>&1 &
  pids+=($!)
  wait_port 7501
}

# Three ringkv nodes (N=3, R=2, W=2), clients on ports 7521-7523; returns once every node's ring holds all three.
# FIRST_NODE_JAVA_OPTS adds JVM options to the first node only (e.g. the one that records an AOT cache).
start_three_nodes() {
  local seeds="127.0.0.1:7511,127.0.0.1:7512,127.0.0.1:7513" i ringed opts
  for i in 1 2 3; do
    opts=${RINGKV_JAVA_OPTS:-}
    [ "$i" = 1 ] && opts="$opts ${FIRST_NODE_JAVA_OPTS:-}"
    RINGKV_SKIP_BUILD=1 RINGKV_JAVA_OPTS="$opts" "$root/bin/ringkv" node --id "n$i" --listen "127.0.0.1:$((7510 + i))" \
      --client-port "$((7520 + i))" --seeds "$seeds" --n 3 --r 2 --w 2 --data-dir "$work/n$i" ${NODE_ARGS:-} \
      > "$work/n$i.log" 2>&1 &
    pids+=($!)
  done
  for i in 1 2 3; do wait_port "$((7520 + i))"; done
  # every node joins by gossip; the load starts once the ring holds all three
  for _ in $(seq 1 60); do
    ringed=0
    for i in 1 2 3; do
      redis-cli -p "$((7520 + i))" info cluster 2>/dev/null | grep -q '^cluster_ring_nodes:3' && ringed=$((ringed + 1))
    done
    [ "$ringed" = 3 ] && return 0
    sleep 1
  done
}
