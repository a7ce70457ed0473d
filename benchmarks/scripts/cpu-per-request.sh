#!/usr/bin/env bash
# Where a request's CPU goes: runs the compare-redis.sh load (50 % GET / 50 % SET, 1 KiB values, 100,000 keys) against
# Redis 7 (appendfsync everysec), one ringkv node and three ringkv nodes (N=3, R=W=2), one after the other, and while
# each runs reads every thread's CPU time from /proc: the servers' threads grouped by role, the load tool, and the
# whole machine. Prints, per target, microseconds of CPU per request (a figure that moves far less between runs on a
# shared machine than ops/s does) and the share of the machine each group took.
#   benchmarks/scripts/cpu-per-request.sh [seconds] [connections]     # defaults: 20 50
# Linux only (/proc); installs Redis with apt when it is missing, as compare-redis.sh does. KEEP_WORK=1 keeps logs;
# TARGETS="one three" leaves Redis out (any of redis, one, three); WARMUP=60 loads each target for 60 s before
# sampling (default 5, as compare-redis.sh: a fresh JVM is still compiling then); READ_RATIO=0 (SETs only) and
# PIPELINE=16 change the load (defaults 0.5 and 1); SKIP_BUILD=1 measures what was built last. SYSCALLS=1 also
# counts system calls and context switches per request, per group, over the same window (Linux perf, as root:
# perf stat of the raw_syscalls:sys_enter tracepoint and the context-switches event, per thread).
set -euo pipefail
seconds=${1:-20}
connections=${2:-50}
warmup=${WARMUP:-5}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 6 ]; then
  echo "cpu-per-request: the measured seconds must be 6 or more (it samples from 2 s after the warm-up to 3 s" \
    "before the end), got '$seconds'" >&2
  exit 2
fi
targets=" ${TARGETS:-redis one three} "
read_ratio=${READ_RATIO:-0.5}
pipeline=${PIPELINE:-1}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/bin/jdk.sh"
work=$(mktemp -d /tmp/ringkv-cpu.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP_WORK:-0}" = 1 ] && echo "logs kept in $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

source "$root/benchmarks/scripts/lib/servers.sh"

sleep_until() { # the script's second (SECONDS) to wake at; returns at once if it has passed
  local left=$(($1 - SECONDS))
  if [ "$left" -gt 0 ]; then sleep "$left"; fi
}
if [ "${SYSCALLS:-0}" = 1 ] && ! perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1; then
  echo "cpu-per-request: SYSCALLS=1 needs Linux perf able to count the raw_syscalls:sys_enter tracepoint (root;" \
    "Debian: apt-get install linux-perf)" >&2
  exit 2
fi
install_redis
[ "${SKIP_BUILD:-0}" = 1 ] || build_servers

commands() { # ports...: requests the servers answered so far (INFO's total_commands_processed, summed)
  local sum=0 n
  for port in "$@"; do
    n=$(redis-cli -p "$port" info stats 2>/dev/null | tr -d '\r' | sed -n 's/^total_commands_processed://p')
    sum=$((sum + ${n:-0}))
  done
  echo "$sum"
}

# measure LABEL CLIENT_PORT "SERVER_PIDS" PORTS...: the load against CLIENT_PORT; CPU sampled over the measured part
measure() {
  local label=$1 port=$2 servers=$3; shift 3
  # /proc truncates thread names to 15 characters: take the full ones from the JVMs before the load starts
  for pid in $servers; do
    [ "$(cat "/proc/$pid/comm")" = java ] && { jcmd "$pid" Thread.print 2>/dev/null || true; }
  done > "$work/$label.threads"
  local started=$SECONDS
  java -cp "$root/benchmarks/target/benchmarks.jar" io.ringkv.benchmarks.load.LoadTool --label "$label" \
    --port "$port" --connections "$connections" --value-bytes 1024 --keys 100000 --read-ratio "$read_ratio" \
    --pipeline "$pipeline" --seconds "$seconds" --warmup-seconds "$warmup" \
    > "$work/$label.load" 2> "$work/$label.load.err" &
  local load=$!
  # sample inside the load tool's measured part: from a second after its warm-up to a second before its end
  sleep_until $((started + warmup + 2))
  local before after
  before=$(commands "$@")
  python3 "$work/sample.py" snapshot "$work/$label.threads" "$load" $servers > "$work/$label.before"
  local counting=""
  if [ "${SYSCALLS:-0}" = 1 ]; then
    # the same window as the CPU samples, give or take the start of perf itself
    perf stat -x, -e raw_syscalls:sys_enter,context-switches --per-thread -p "$(echo "$load" $servers | tr ' ' ,)" \
      -o "$work/$label.perf" -- sleep $((seconds - 5)) &
    counting=$!
  fi
  # three seconds short of the end: a load tool whose start lagged the script's clock is still driving then
  sleep_until $((started + warmup + seconds - 3))
  python3 "$work/sample.py" snapshot "$work/$label.threads" "$load" $servers > "$work/$label.after"
  after=$(commands "$@")
  [ -n "$counting" ] && wait "$counting"
  wait "$load"
  python3 "$work/sample.py" report "$label" $((after - before)) "$work/$label.before" "$work/$label.after" \
    "$(tail -1 "$work/$label.load")" "$work/$label.perf" | tee -a "$work/report"
}

cat > "$work/sample.py" <<'PY'
import json, os, re, sys

TICK = os.sysconf("SC_CLK_TCK")

def group(process, thread):
    """The role a thread plays, from its name."""
    if process == "load":
        return "load tool"
    if process == "redis":
        return "redis (all threads)"
    if thread.startswith("ringkv-resp") or thread.startswith(("HTTP", "ringkv-http")):
        return "front door"
    if thread.startswith("ringkv-node"):
        return "agent (protocol, Aeron)"
    if "hints" in thread:
        return "hint stage"
    if thread.endswith("-storage"):
        return "storage applier"
    if thread.endswith("-sync"):
        return "storage syncer (fsync)"
    if thread.startswith("lsm-") or thread.startswith("rocksdb"):
        return "engine background (flush, compaction)"
    if thread.startswith(("GC ", "G1 ")):
        return "JVM: garbage collection"
    if "CompilerThread" in thread:
        return "JVM: JIT compilers"
    if thread.startswith("VM "):
        return "JVM: VM thread (safepoints)"
    return "other"

def threads(pid):
    out = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out  # the process ended
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        out.append((tid, name, int(fields[11]), int(fields[12])))
    return out

def machine():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    return sum(cpu), cpu[3] + cpu[4]

if sys.argv[1] == "snapshot":
    names_file, load, servers = sys.argv[2], sys.argv[3], sys.argv[4:]
    full = {}
    with open(names_file) as f:
        for line in f:
            m = re.match(r'^"(.*)" .*nid=(0x[0-9a-f]+|[0-9]+)', line)
            if m:
                full[str(int(m.group(2), 0))] = m.group(1)
    rows = {}
    for kind, pid in [("load", load)] + [("server", p) for p in servers]:
        try:
            with open(f"/proc/{pid}/comm") as f:
                process = "redis" if f.read().startswith("redis") else kind
        except OSError:
            print(f"process {pid} ({kind}) ended before it was sampled", file=sys.stderr)
            continue
        for tid, name, user, system in threads(pid):
            rows[f"{pid}/{tid}"] = [group(process, full.get(tid, name)), user, system]
    total, idle = machine()
    print(json.dumps({"threads": rows, "machine": [total, idle]}))
else:
    label, requests = sys.argv[2], int(sys.argv[3])
    before, after = (json.load(open(p)) for p in sys.argv[4:6])
    load = json.loads(sys.argv[6])
    # per group: [system calls, context switches], from perf stat -x, --per-thread ("comm-tid,count,,event,...")
    counted = {}
    if len(sys.argv) > 7 and os.path.exists(sys.argv[7]):
        groups_by_tid = {key.split("/")[1]: g for key, (g, _, _) in after["threads"].items()}
        for line in open(sys.argv[7]):
            fields = line.strip().split(",")
            if len(fields) < 4 or not fields[1].isdigit():
                continue
            tid = fields[0].rsplit("-", 1)[-1]
            c = counted.setdefault(groups_by_tid.get(tid, "other"), [0, 0])
            c[0 if fields[3].startswith("raw_syscalls") else 1] += int(fields[1])
    elapsed = (after["machine"][0] - before["machine"][0]) / os.cpu_count()
    groups = {}
    for key, (name, user, system) in after["threads"].items():
        u0, s0 = before["threads"].get(key, [name, 0, 0])[1:]
        g = groups.setdefault(name, [0, 0])
        g[0] += user - u0
        g[1] += system - s0
    busy = (after["machine"][0] - before["machine"][0]) - (after["machine"][1] - before["machine"][1])
    per = lambda ticks: ticks / TICK * 1e6 / max(1, requests)
    share = lambda ticks: 100.0 * ticks / max(1, after["machine"][0] - before["machine"][0])
    print(f"## {label}: {load['ops_per_second']:.0f} ops/s (load tool), {requests} requests in the sampled "
          f"{elapsed / TICK:.1f} s, p50 {load['p50_us']:.0f} µs, p99 {load['p99_us']:.0f} µs")
    print()
    # perf counted over its own window (seconds - 5): per request at the sampled window's rate
    window = max(1, (int(load["seconds"]) - 5) / max(1e-9, elapsed / TICK))
    calls = lambda name, i: f" {counted[name][i] / window / max(1, requests):.2f} |" if name in counted else " |"
    extra = " system calls per request | context switches per request |" if counted else ""
    print("| threads | CPU µs per request | of which kernel | share of the machine |" + extra)
    print("| --- | --- | --- | --- |" + (" --- | --- |" if counted else ""))
    for name, (user, system) in sorted(groups.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
        if user + system > 0:
            print(f"| {name} | {per(user + system):.1f} | {per(system):.1f} | {share(user + system):.0f} % |"
                  + (calls(name, 0) + calls(name, 1) if counted else ""))
    print(f"| the whole machine (busy) | {per(busy):.1f} | | {share(busy):.0f} % |" + (" | |" if counted else ""))
    print()
PY

if [[ $targets == *" redis "* ]]; then
  start_redis
  measure redis 6390 "${pids[*]}" 6390
  stop_all
fi

if [[ $targets == *" one "* ]]; then
  start_one_node
  measure ringkv-1-node 7501 "${pids[*]}" 7501
  stop_all
fi

if [[ $targets == *" three "* ]]; then
  start_three_nodes
  # requests counted where clients sent them (the first node); the other two nodes' CPU is the replicas' share
  measure ringkv-3-nodes 7521 "${pids[*]}" 7521
  stop_all
fi
