"""redis-py against one ringkv node, used as its users use it; prints one line per check and exits 1 on the first
failure. Usage: python redis_py_client.py PORT"""
import sys

import redis
from redis.exceptions import ResponseError

port = int(sys.argv[1])


def check(name, condition, detail=""):
    if not condition:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
check("ping (default handshake)", r.ping() is True)

binary_key, binary_value = b"bin\x00key\xff", bytes(range(256)) * 4
check("set binary", r.set(binary_key, binary_value) is True)
check("get binary", r.get(binary_key) == binary_value)
check("get missing", r.get(b"no-such-key") is None)

check("mset", r.mset({"a": "1", "b": "2", "c": "3"}) is True)
check("mget with a missing key", r.mget(["a", "missing", "c"]) == [b"1", None, b"3"])

pipe = r.pipeline(transaction=False)
for i in range(200):
    pipe.set(f"p{i}", f"v{i}")
for i in range(200):
    pipe.get(f"p{i}")
results = pipe.execute()
check("pipeline of 400 answered in order", results[:200] == [True] * 200
      and results[200:] == [f"v{i}".encode() for i in range(200)], str(results[:3]))

scanned = set(r.scan_iter(match="p*", count=50))
check("SCAN iteration with MATCH and COUNT", scanned == {f"p{i}".encode() for i in range(200)}, str(len(scanned)))
try:
    r.keys("*")
    check("KEYS is refused", False)
except ResponseError as e:
    check("KEYS is refused with a pointer to SCAN", "SCAN" in str(e), str(e))

check("set with ex", r.set("ttl-key", "v", ex=100) is True)
check("ttl counts down from ex", 98 <= r.ttl("ttl-key") <= 100, str(r.ttl("ttl-key")))
check("pexpire", r.pexpire("ttl-key", 50_000) is True)
check("pttl after pexpire", 48_000 < r.pttl("ttl-key") <= 50_000, str(r.pttl("ttl-key")))
check("expire gt refuses an earlier expiry", r.expire("ttl-key", 10, gt=True) is False)
check("persist", r.persist("ttl-key") is True)
check("ttl without expiry is -1", r.ttl("ttl-key") == -1)
check("ttl of a missing key is -2", r.ttl("no-such-key") == -2)
check("getex with px", r.getex("ttl-key", px=300) == b"v")
check("setex", r.setex("short", 1, "gone soon") is True)
check("psetex", r.psetex("shorter", 300, "gone sooner") is True)
import time
time.sleep(1.6)
check("expired keys read as absent", r.get("ttl-key") is None and r.get("short") is None
      and r.get("shorter") is None and r.exists("ttl-key", "short") == 0)
try:
    r.set("bad-ttl", "v", ex=0)
    check("a zero expiry is an error", False)
except ResponseError as e:
    check("a zero expiry is an error", "invalid expire time" in str(e), str(e))

check("exists", r.exists("a", "b", "missing") == 2)
check("delete", r.delete("a", "missing") == 1)
check("deleted reads as absent", r.get("a") is None)

try:
    r.execute_command("GET")
    check("wrong arity is an error", False)
except ResponseError as e:
    check("wrong arity is an error", "wrong number of arguments" in str(e), str(e))

try:
    r.execute_command("NOSUCHCOMMAND", "x")
    check("unknown command is an error", False)
except ResponseError as e:
    check("unknown command is an error", "unknown command" in str(e), str(e))

check("consistency per connection", r.execute_command("CONSISTENCY", "ONE") in (b"OK", "OK", True))

info = r.info()
check("INFO parses", isinstance(info, dict) and "redis_version" in info, str(list(info)[:5]))
check("INFO does not claim cluster mode", info.get("cluster_enabled", 0) == 0, str(info.get("cluster_enabled")))

r3 = redis.Redis(host="127.0.0.1", port=port, protocol=3, socket_timeout=10)
check("RESP3 set", r3.set("r3", b"three") is True)
check("RESP3 get", r3.get("r3") == b"three")

try:
    from redis.cluster import RedisCluster
    RedisCluster(host="127.0.0.1", port=port, socket_timeout=5)
    check("a cluster-mode client gets a clear error", False, "RedisCluster connected")
except Exception as e:  # redis-py raises RedisClusterException or ResponseError
    check("a cluster-mode client gets a clear error", "cluster mode is not enabled" in str(e).lower(),
          f"{type(e).__name__}: {e}")

print("redis-py compatible:", redis.__version__)
