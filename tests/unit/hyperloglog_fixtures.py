#!/usr/bin/python3
"""Prints the Redis fixtures of tests/unit/hyperloglog_test.cc (kRedisFixtures...).

Starts Debian's redis-server (/usr/bin/redis-server, 7.0.15: its HLL format and estimator are
7.2's) on a free port with no persistence, and for each fixture PFADDs the elements
"e:<set>:<i>" for i in [0, n) one PFADD per element, runs PFCOUNT, and records what GET returns
then: the value with its cached cardinality. Sparse values are printed as hex; dense ones
(12304 bytes) as their FNV-1a 64-bit digest and a few registers read with PFDEBUG GETREG (after
GET, so the GET bytes are those of the sparse/dense value PFADD left). Also prints PFCOUNT of
the union of some of the sets and the digest of PFMERGE's result.

Usage: tests/unit/hyperloglog_fixtures.py [redis-server]   (paste the output into the test)
"""

import os
import socket
import subprocess
import sys
import tempfile
import time

import redis

SERVER = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/redis-server"
# (set id, elements): sparse up to a few hundred elements, dense beyond ~1500 at the default
# hll-sparse-max-bytes (3000).
SETS = [(0, 0), (1, 1), (2, 10), (3, 100), (4, 300), (5, 1000), (6, 2500), (7, 20000),
        (8, 200000)]
HEX_UP_TO = 700  # bytes: longer values are printed as a digest
REGISTERS = (0, 1, 2, 3, 4, 5, 1000, 8191, 16382, 16383)
UNIONS = [(2, 3, 4), (3, 5, 7), (1, 6, 8)]


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port = free_port()
    d = tempfile.mkdtemp()
    proc = subprocess.Popen([SERVER, "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", d], stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=port)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        version = r.info("server")["redis_version"]
        print("// Made by tests/unit/hyperloglog_fixtures.py against redis-server %s." % version)
        print("const RedisFixture kRedisFixtures[] = {")
        for set_id, n in SETS:
            key = "hll:%d" % set_id
            r.pfadd(key)
            p = r.pipeline(transaction=False)
            for i in range(n):
                p.pfadd(key, "e:%d:%d" % (set_id, i))
            p.execute()
            count = r.pfcount(key)
            value = r.get(key)
            enc = r.execute_command("PFDEBUG", "ENCODING", key).decode()
            hexval = value.hex() if len(value) <= HEX_UP_TO else ""
            regs = []
            if len(value) > HEX_UP_TO:
                all_regs = r.execute_command("PFDEBUG", "GETREG", key)  # converts to dense
                regs = [all_regs[i] for i in REGISTERS]
                r.delete(key)
                r.set(key, value)  # back to what PFADD left, for the unions
            # The hex as adjacent literals of 80 digits, one per line.
            chunks = [hexval[i:i + 80] for i in range(0, len(hexval), 80)] or [""]
            literal = "\n".join('         "%s"' % c for c in chunks)
            print('    {%d, %d, %d, %s,\n%s,\n     0x%016xULL, %d, {%s}},'
                  % (set_id, n, count, "true" if enc == "sparse" else "false", literal,
                     fnv1a64(value), len(value), ", ".join(str(x) for x in regs)))
        print("};")
        print("const RedisUnion kRedisUnions[] = {")
        for u in UNIONS:
            keys = ["hll:%d" % i for i in u]
            count = r.pfcount(*keys)
            r.delete("merged")
            r.pfmerge("merged", *keys)
            merged = r.get("merged")
            print("    {{%s}, %d, 0x%016xULL, %d}," % (", ".join(str(i) for i in u), count,
                                                     fnv1a64(merged), len(merged)))
        print("};")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
