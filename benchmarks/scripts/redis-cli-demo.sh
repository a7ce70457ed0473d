#!/usr/bin/env bash
# Shows redis-cli (Debian's redis-tools) working against a ringkv node: starts a single node on 127.0.0.1, types
# a session into redis-cli as a person would, checks every answer, and stops the node. Exits non-zero on any
# unexpected answer. CI runs it after the test suite.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if ! command -v redis-cli >/dev/null; then
  echo "installing redis-cli (Debian's redis-tools) ..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools >/dev/null
fi
work=$(mktemp -d /tmp/ringkv-redis-cli.XXXXXX)
port=7391
"$root/bin/ringkv" node --id demo --listen 127.0.0.1:7390 --client-port "$port" --data-dir "$work/demo" \
  > "$work/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null || true; wait $node 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done

session=$(redis-cli -p "$port" <<'CLI'
PING
SET greeting hello
GET greeting
MSET a 1 b 2
MGET a b nothing
EXISTS a b nothing
DEL a
GET a
CONSISTENCY QUORUM
CONSISTENCY R=9,W=9
SET big x EX 100
TTL big
PERSIST big
TTL big
SET big y NX
FROBNICATE now
CLI
)
expected='PONG
OK
hello
OK
1
2

2
1

OK'
echo "$session"
if [ "$(printf '%s\n' "$session" | head -n 11)" != "$expected" ]; then
  echo "redis-cli demo: unexpected answers (first 11 lines above should be:)" >&2
  echo "$expected" >&2
  exit 1
fi
expect_line() { # pattern what
  printf '%s\n' "$session" | grep -q -- "$1" || { echo "redis-cli demo: $2" >&2; exit 1; }
}
expect_line '^ERR R must be between 1 and N=1, was 9$' "CONSISTENCY R=9,W=9 was not refused"
printf '%s\n' "$session" | tr '\n' ' ' | grep -Eq ' OK (99|100) 1 -1 ERR SET option NX ' \
  || { echo "redis-cli demo: SET ... EX 100, TTL, PERSIST, TTL did not answer OK, 100, 1, -1" >&2; exit 1; }
expect_line '^ERR SET option NX is not supported' "SET ... NX was not refused by name"
expect_line "^ERR unknown command 'FROBNICATE'" "an unknown command did not get Redis' error"
echo "redis-cli demo: every answer as expected"
