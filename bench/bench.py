#!/usr/bin/python3
"""Weir's own benchmark: Weir against Debian's redis-server, side by side.

Run it with `make bench` (or bench/bench.sh [options]); see bench/README.md.
Standard library only. Needs redis-server, redis-benchmark, redis-cli and taskset.
"""

import argparse
import csv
import hashlib
import io
import json
import os
import pathlib
import platform
import random
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DEFAULT_WEIR_CMD = "build/weir --port {port} --threads 1"
DEFAULT_REDIS_CMD = 'redis-server --port {port} --save "" --appendonly no'

CLIENTS = 50
KEYSPACE = 100000  # redis-benchmark -r; keys are key:%012d in [0, KEYSPACE)
VALUE_SIZES = (3, 1024)
PIPELINES = (1, 16)

# Requests per redis-benchmark run, sized for roughly 1-2 s (quick: ~0.4 s) on a redis-server
# pinned to one core of an ordinary x86 machine. BENCH_SCALE / --scale multiplies them.
REQUESTS = {  # (value size, pipeline) -> (full, quick)
    (3, 1): (150000, 40000),
    (3, 16): (1200000, 320000),
    (1024, 1): (130000, 35000),
    (1024, 16): (600000, 160000),
}

# Data-type rows at -P 16, so the data structure's cost shows rather than the syscalls'.
# redis-benchmark's own tests each use one key (mylist, myset, myhash, myzset) with members
# element:__rand_int__ drawn from -r; XADD is a custom command on one stream (a command given
# after the options replaces -t). RPOP pops what LPUSH pushed, so both send the same count.
TYPE_PIPELINE = 16
TYPE_TESTS = (  # (row, family, redis-benchmark arguments, (full, quick) requests)
    ("LPUSH", "list", ["-t", "lpush"], (1200000, 300000)),
    ("RPOP", "list", ["-t", "rpop"], (1200000, 300000)),
    ("SADD", "set", ["-t", "sadd"], (1200000, 300000)),
    ("HSET", "hash", ["-t", "hset"], (1200000, 300000)),
    ("ZADD", "zset", ["-t", "zadd"], (600000, 150000)),
    ("XADD", "stream", ["XADD", "bench:s", "MAXLEN", "~", "100000", "*", "f", "__rand_int__"],
     (900000, 220000)),
)

# HyperLogLog rows, at -P 16 like the data-type rows, after the "hll" set-up: FLUSHALL, then
# HLL_MERGE_KEYS keys hll:0..hll:9 each given HLL_MERGE_ELEMENTS distinct elements (dense, as
# the daily HLLs a report merges are). PFADD adds element:<random of 100,000> to one key, `hll`
# (dense after its first few thousand distinct elements, as a busy counter is); PFCOUNT then
# counts that key, whose cached count PFADD has marked stale at the start and which every later
# PFCOUNT answers from the cache (as repeated reads of a counter do); the 10-key PFCOUNT merges
# the ten dense keys into a temporary HLL on every call (never cached).
HLL_MERGE_KEYS = ["hll:%d" % i for i in range(10)]
HLL_MERGE_ELEMENTS = 5000
HLL_TESTS = (  # (row, redis-benchmark arguments, (full, quick) requests)
    ("PFADD", ["PFADD", "hll", "element:__rand_int__"], (1200000, 300000)),
    ("PFCOUNT", ["PFCOUNT", "hll"], (1200000, 300000)),
    ("PFCOUNT 10 keys", ["PFCOUNT"] + HLL_MERGE_KEYS, (10000, 3000)),
)

# Stream consumer-group rows, run by bench/streamload (C, hiredis; bench.sh builds it):
# 1 producer XADD MAXLEN ~ 100000 pipelined 50 deep, 5 consumers XREADGROUP COUNT 100
# BLOCK 1000 + one XACK per batch, at most 20000 entries un-acked. Once as fast as it goes,
# once paced; each for a fixed time (x --scale).
STREAM_GROUP_RATES = (0, 10000)  # entries/s; 0 = saturation
STREAM_GROUP_SECONDS = (6.0, 2.0)  # (full, quick)
STREAMLOAD_ARGS = ["-c", "5", "-b", "50", "-n", "100", "-B", "1000", "-m", "100000", "-w", "20000"]
DEFAULT_STREAMLOAD = "build/bench/streamload"

# Pub/Sub rows, run by bench/pubsubload (C, hiredis; bench.sh builds it): one publisher
# pipelining PUBLISH (50 a write, at most 100,000 deliveries outstanding) and 50 subscriber
# connections, all on one epoll thread. Each row: (name, pubsubload arguments, rate). The
# 1000-channel rows split the subscribers into 10 groups of 5: subscriber i listens to the
# 100 channels j with j % 10 == i % 10 (SUBSCRIBE of all 100, or one PSUBSCRIBE bench:ch:*<d>),
# so each message reaches 5 subscribers; the 1-channel rows reach all 50.
PUBSUB_SUBSCRIBERS = 50
PUBSUB_TESTS = (
    ("pubsub 1 ch x50 max", ["-C", "1", "-g", "1"], 0),
    ("pubsub 1000 ch x5 max", ["-C", "1000", "-g", "10"], 0),
    ("pubsub PSUB 1 ch x50 max", ["-C", "1", "-g", "1", "-P"], 0),
    ("pubsub PSUB 1000 ch x5 max", ["-C", "1000", "-g", "10", "-P"], 0),
    ("pubsub 1 ch x50 10k/s", ["-C", "1", "-g", "1"], 10000),
    ("pubsub 1000 ch x5 10k/s", ["-C", "1000", "-g", "10"], 10000),
)
PUBSUB_ARGS = ["-c", str(PUBSUB_SUBSCRIBERS), "-b", "50", "-w", "100000", "-d", "32"]
PUBSUB_SECONDS = (5.0, 2.0)  # (full, quick)
DEFAULT_PUBSUBLOAD = "build/bench/pubsubload"

# Script rows: EVALSHA as redis-benchmark custom commands, of scripts that each server gets by
# SCRIPT LOAD before the group (every round, after FLUSHALL). A server without scripting fails
# SCRIPT LOAD and then these rows (FAIL), and only these.
# The sliding-window rate limiter of tests/integration/test_script_rate_limit.py: one key per
# user (rl:<random of 100,000>), window 1 s, limit 100, so at these rates every request is
# allowed (each call: TIME, ZREMRANGEBYSCORE, ZCARD, ZADD, PEXPIRE) and the work per request
# does not depend on how fast the server goes.
LIMITER_SCRIPT = (pathlib.Path(__file__).resolve().parent.parent / "tests" / "lua" /
                  "sliding_window_limiter.lua").read_text()
# Ten HSETs on keys the script builds from ARGV (declares none): h:<random>:1 .. h:<random>:10.
HSET10_SCRIPT = """\
for i = 1, 10 do
  redis.call('HSET', ARGV[1] .. ':' .. i, 'f', ARGV[2])
end
return 10
"""
SCRIPTS = (LIMITER_SCRIPT, HSET10_SCRIPT)
LIMITER_SHA = hashlib.sha1(LIMITER_SCRIPT.encode()).hexdigest()
HSET10_SHA = hashlib.sha1(HSET10_SCRIPT.encode()).hexdigest()
SCRIPT_TESTS = (  # (row, pipeline, redis-benchmark command, (full, quick) requests)
    ("EVALSHA limiter -P 1", 1,
     ["EVALSHA", LIMITER_SHA, "1", "rl:__rand_int__", "1000", "100", "__rand_int__"],
     (40000, 12000)),
    ("EVALSHA limiter -P 16", 16,
     ["EVALSHA", LIMITER_SHA, "1", "rl:__rand_int__", "1000", "100", "__rand_int__"],
     (160000, 40000)),
    ("EVALSHA 10 HSETs -P 16", 16, ["EVALSHA", HSET10_SHA, "0", "h:__rand_int__", "__rand_int__"],
     (60000, 16000)),
)

# BullMQ rows, run by bench/bullmq_bench.mjs (node; bullmq from tests/node/node_modules, which
# `make node-deps` installs): on an emptied server, add the jobs with addBulk in chunks, then
# process them with one Worker. Each phase is a row; the second needs the first's jobs.
BULLMQ_BENCH = "bench/bullmq_bench.mjs"
BULLMQ_JOBS = (50000, 10000)  # (full, quick)
BULLMQ_CHUNK = 1000
BULLMQ_CONCURRENCY = 50

# GEO rows: GEOADD of GEO_POINTS points, one per command, into one key (loaded with redis-cli
# --pipe from a generated file, so every round adds the same points); then GEOSEARCH around a
# random one of them (FROMMEMBER m:__rand_int__, so the first KEYSPACE points are the
# centres) within GEO_RADIUS_M. The points are uniform over a 54 x 44 km box (a city and its
# surroundings, ~415 points per km^2): a search finds ~50 of them.
GEO_POINTS = 1000000
GEO_BOX = (13.0, 52.3, 13.8, 52.7)  # min lon, min lat, max lon, max lat
GEO_SEED = 15
GEO_KEY = b"bench:geo"
GEO_RADIUS_M = 200
GEO_SEARCH_REQUESTS = (200000, 50000)  # (full, quick), at -P 16

MEMORY_TTL = 86400
FAMILIES = ("string", "list", "set", "hash", "zset", "stream", "hyperloglog", "script",
            "bullmq", "geo", "pubsub")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# A tiny RESP client, enough for PING, INFO and DBSIZE.


class Resp:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.rf = self.sock.makefile("rb")

    def close(self):
        try:
            self.rf.close()
            self.sock.close()
        except OSError:
            pass

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self._read()

    def _read(self):
        line = self.rf.readline()
        if not line.endswith(b"\r\n"):
            raise BenchError("connection closed by server")
        kind, body = line[:1], line[1:-2]
        if kind == b"+":
            return body.decode()
        if kind == b"-":
            raise BenchError("server error: " + body.decode(errors="replace"))
        if kind == b":":
            return int(body)
        if kind in (b"$", b"="):
            n = int(body)
            if n < 0:
                return None
            data = self.rf.read(n + 2)[:-2]
            return data.decode(errors="replace")
        if kind in (b"*", b">", b"~"):
            n = int(body)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise BenchError("unexpected reply %r" % line[:40])


def info_field(text, field):
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1].strip())
    raise BenchError("INFO has no %s field" % field)


# ---------------------------------------------------------------------------------------------
# Servers.


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resolve_argv(template, port):
    argv = shlex.split(template.replace("{port}", str(port)))
    if not argv:
        raise BenchError("empty server command")
    exe = argv[0]
    if "/" in exe:
        if not os.path.isabs(exe):
            exe = os.path.join(REPO, exe)
        if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            raise BenchError(
                "%s not found or not executable%s"
                % (exe, " -- run `make` (or `make bench`) first" if exe.endswith("/weir") else "")
            )
    else:
        found = shutil.which(exe)
        if not found:
            raise BenchError("%s not found on PATH (scripts/deps.sh installs the tools)" % exe)
        exe = found
    argv[0] = exe
    return argv


class Server:
    def __init__(self, name, template, cpu, workdir):
        self.name = name
        self.template = template
        self.cpu = cpu
        self.workdir = workdir
        self.proc = None
        self.port = None
        self.logpath = None
        self.dead = False
        self.starts = 0

    def start(self):
        self.port = free_port()
        argv = resolve_argv(self.template, self.port)
        self.starts += 1
        rundir = os.path.join(self.workdir, "%s-%d" % (self.name, self.starts))
        os.makedirs(rundir)
        self.logpath = os.path.join(rundir, "server.log")
        logf = open(self.logpath, "wb")
        # taskset execs the server, so proc.pid is the server's pid.
        self.proc = subprocess.Popen(
            ["taskset", "-c", str(self.cpu)] + argv,
            cwd=rundir,
            stdin=subprocess.DEVNULL,
            stdout=logf,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        logf.close()
        self.dead = False
        deadline = time.time() + 20
        while True:
            if self.proc.poll() is not None:
                raise BenchError(
                    "%s exited with status %s at start-up: %s\n%s"
                    % (self.name, self.proc.returncode, " ".join(argv), self.log_tail())
                )
            try:
                c = Resp(self.port, timeout=2)
                try:
                    if c.call("PING") == "PONG":
                        return
                finally:
                    c.close()
            except (OSError, BenchError):
                pass
            if time.time() > deadline:
                raise BenchError("%s did not answer PING within 20 s on port %d\n%s"
                                 % (self.name, self.port, self.log_tail()))
            time.sleep(0.05)

    def log_tail(self, lines=15):
        try:
            with open(self.logpath, "rb") as f:
                data = f.read().decode(errors="replace").splitlines()
            return "\n".join("    | " + l for l in data[-lines:])
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def settle(self, seconds=1.0):
        """After a failed request: gives a crashing server a moment to finish dying."""
        deadline = time.time() + seconds
        while self.alive() and time.time() < deadline:
            time.sleep(0.05)

    def death(self):
        """'' while running, else how the server ended plus the tail of its log."""
        if self.proc is None or self.proc.poll() is None:
            return ""
        rc = self.proc.returncode
        how = "killed by %s" % signal.Signals(-rc).name if rc < 0 else "exited with status %d" % rc
        return "%s %s\n%s" % (self.name, how, self.log_tail())

    def stop(self):
        p = self.proc
        if p is None:
            return
        self.proc = None
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()

    def cpu_ns(self):
        """Server CPU time so far: sum of schedstat run time over all its threads."""
        pid = self.proc.pid
        total = 0
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            raise BenchError("%s is gone" % self.name)
        have_schedstat = False
        for tid in tids:
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[0])
                    have_schedstat = True
            except (OSError, ValueError, IndexError):
                pass
        if have_schedstat:
            return total
        # No schedstat (kernel without CONFIG_SCHED_INFO): utime + stime, in clock ticks.
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        return ticks * 1000000000 // os.sysconf("SC_CLK_TCK")

    def rss_bytes(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise BenchError("no VmRSS for %s" % self.name)

    def call(self, *args):
        c = Resp(self.port, timeout=30)
        try:
            return c.call(*args)
        finally:
            c.close()

    def version(self):
        try:
            text = self.call("INFO", "server")
            for key in ("weir_version", "redis_version"):
                for line in text.splitlines():
                    if line.startswith(key + ":"):
                        return "%s=%s" % (key, line.split(":", 1)[1].strip())
        except (OSError, BenchError):
            pass
        return "?"


# ---------------------------------------------------------------------------------------------
# Load generation.


def run_client(server, argv, what, timeout, stdin=None, stdout=subprocess.PIPE):
    """Runs a load generator against `server`: (exit status, stdout, stderr). Stops it when the
    server dies (redis-benchmark would keep trying to reconnect) or when time runs out."""
    p = subprocess.Popen(argv, stdin=stdin, stdout=stdout,
                         stderr=subprocess.PIPE if stdout == subprocess.PIPE else subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                out, err = p.communicate(timeout=0.25)
                return p.returncode, out or b"", err or b""
            except subprocess.TimeoutExpired:
                if not server.alive():
                    raise BenchError("the server ended during %s" % what)
                if time.monotonic() > deadline:
                    raise BenchError("%s against %s timed out after %d s"
                                     % (what, server.name, timeout))
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()


def run_pipe(server, path, client_cpu, timeout):
    """Feeds a RESP stream file to the server with redis-cli --pipe; returns the reply count."""
    # redis-cli prints every error reply: a server without the command may send a million of
    # them, so its output goes to a file and only the start and the end are read back.
    outpath = path + ".out"
    with open(path, "rb") as f, open(outpath, "wb") as out:
        rc, _, _ = run_client(server, ["taskset", "-c", str(client_cpu), "redis-cli",
                                       "-h", "127.0.0.1", "-p", str(server.port), "--pipe"],
                              "redis-cli --pipe", timeout, stdin=f, stdout=out)
    size = os.path.getsize(outpath)
    with open(outpath, "rb") as out:
        head = out.read(2000).decode(errors="replace")
        out.seek(max(0, size - 2000))
        tail = out.read().decode(errors="replace")
    os.unlink(outpath)
    errors = replies = None
    for line in tail.splitlines():
        if line.startswith("errors:"):
            parts = line.replace(",", " ").split()
            errors, replies = int(parts[1]), int(parts[3])
    if errors:
        raise BenchError("redis-cli --pipe into %s: %d errors in %d replies, the first: %s"
                         % (server.name, errors, replies, head.splitlines()[0][:300]))
    if rc != 0 or errors is None:
        raise BenchError("redis-cli --pipe into %s failed (rc %d):\n%s"
                         % (server.name, rc, tail.strip()))
    return replies


def write_stream(path, records):
    with open(path, "wb") as f:
        batch = []
        for rec in records:
            batch.append(rec)
            if len(batch) >= 10000:
                f.write(b"".join(batch))
                batch = []
        f.write(b"".join(batch))


def resp_cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def prefill_stream(path, size):
    """SET key:%012d for the whole redis-benchmark keyspace, values of `size` bytes."""
    value = b"x" * size
    write_stream(path, (resp_cmd(b"SET", b"key:%012d" % i, value) for i in range(KEYSPACE)))


# Memory workloads: what each loads, one RESP command per item. The shapes follow the company
# yardstick's memory rows, so the per-item figures compare with it.


# A generator yields one command per item. Each builds its constant part once: a million items
# is then seconds, not tens of seconds, of Python.


def bulk(x):
    return b"$%d\r\n%s\r\n" % (len(x), x)


def command_prefix(argc, *args):
    """The start of a RESP command of argc arguments: the array header and `args`."""
    return b"*%d\r\n" % argc + b"".join(bulk(a) for a in args)


def strings_items(ttl):
    head = command_prefix(5 if ttl else 3, b"SET")
    tail = b"".join(bulk(a) for a in (b"EX", b"%d" % MEMORY_TTL)) if ttl else b""
    for i in range(1000000):
        yield b"%s%s%s%s" % (head, bulk(b"key:%07d" % i), bulk(b"value-%010d" % i), tail)


def hash_items():
    head = command_prefix(22, b"HSET")
    for i in range(100000):
        fields = b"".join(bulk(b"f%d" % k) + bulk(b"val%d" % ((i + k) % 1000)) for k in range(10))
        yield head + bulk(b"h:%06d" % i) + fields


def set_items():
    head = command_prefix(12, b"SADD")
    for i in range(100000):
        members = b"".join(bulk(b"%d" % ((i * 7 + k * 131) % 100000)) for k in range(10))
        yield head + bulk(b"s:%06d" % i) + members


def zset_items():
    head = command_prefix(22, b"ZADD")
    for i in range(100000):
        pairs = b"".join(bulk(b"%d" % ((i + k * 17) % 10000)) + bulk(b"m%d" % k) for k in range(10))
        yield head + bulk(b"z:%06d" % i) + pairs


def geo_items(key, points):
    """GEOADD key lon lat m:%012d, one point each, the same seeded points every time."""
    rnd = random.Random(GEO_SEED)
    head = command_prefix(5, b"GEOADD", key)
    min_lon, min_lat, max_lon, max_lat = GEO_BOX
    for i in range(points):
        lon = b"%.7f" % rnd.uniform(min_lon, max_lon)
        lat = b"%.7f" % rnd.uniform(min_lat, max_lat)
        yield head + bulk(lon) + bulk(lat) + bulk(b"m:%012d" % i)


def list_items():
    head = command_prefix(3, b"RPUSH", b"mem:list")
    for i in range(1000000):
        yield head + bulk(b"item:%07d" % i)


def hll_items():
    """10,000 HLL keys of 300 distinct elements each: sparse (about 650 bytes) at the default
    hll-sparse-max-bytes, as most per-page or per-day counters are."""
    head = command_prefix(302, b"PFADD")
    for i in range(10000):
        members = b"".join(bulk(b"u:%d:%d" % (i, k)) for k in range(300))
        yield head + bulk(b"hll:%05d" % i) + members


def stream_items():
    head = command_prefix(9, b"XADD", b"mem:stream", b"*", b"f1")
    middle = b"".join(bulk(a) for a in (b"f2", b"abc", b"f3"))
    for i in range(1000000):
        yield b"%s%s%s%s" % (head, bulk(b"%d" % i), middle, bulk(b"x%d" % (i % 1000)))


MEMORY_WORKLOADS = (
    # name, family, items loaded, unit, DBSIZE after loading, generator, what it loads
    ("strings", "string", 1000000, "key", 1000000, lambda: strings_items(False),
     "SET key:NNNNNNN <16-byte value>"),
    ("strings EX %d" % MEMORY_TTL, "string", 1000000, "key", 1000000,
     lambda: strings_items(True), "SET key:NNNNNNN <16-byte value> EX %d" % MEMORY_TTL),
    ("hash", "hash", 100000, "hash", 100000, hash_items,
     "HSET h:NNNNNN f0 valN .. f9 valN (10 small fields)"),
    ("set", "set", 100000, "set", 100000, set_items,
     "SADD s:NNNNNN <10 integers below 100000>"),
    ("zset", "zset", 100000, "zset", 100000, zset_items,
     "ZADD z:NNNNNN <10 integer scores, members m0..m9>"),
    ("list", "list", 1000000, "item", 1, list_items, "RPUSH mem:list item:NNNNNNN"),
    ("stream", "stream", 1000000, "entry", 1, stream_items,
     "XADD mem:stream * f1 N f2 abc f3 xN"),
    ("hll", "hyperloglog", 10000, "key", 10000, hll_items,
     "PFADD hll:NNNNN <300 distinct elements> (sparse)"),
    ("geo", "geo", GEO_POINTS, "member", 1, lambda: geo_items(b"mem:geo", GEO_POINTS),
     "GEOADD mem:geo <lon> <lat> m:NNNNNNNNNNNN (one key, the GEO rows' points)"),
)


def run_benchmark(server, test, client_cpu, timeout):
    """One redis-benchmark run; ops/s and latency from its CSV, CPU from the server's /proc."""
    argv = (["taskset", "-c", str(client_cpu), "redis-benchmark", "-h", "127.0.0.1",
             "-p", str(server.port), "-n", str(test["requests"]), "-c", str(CLIENTS),
             "-r", str(KEYSPACE), "-P", str(test["pipeline"]), "-d", str(test["size"]), "--csv"]
            + test["args"])
    cpu0 = server.cpu_ns()
    t0 = time.monotonic()
    rc, out, err = run_client(server, argv, "redis-benchmark %s" % test["name"], timeout)
    wall = time.monotonic() - t0
    cpu1 = server.cpu_ns()
    out = out.decode(errors="replace")
    # --csv prints a header row ("test", "rps", ...) and one row per test run.
    rows = [rec for rec in csv.reader(io.StringIO(out)) if rec]
    header = rows[0] if rows and rows[0][0] == "test" else None
    if rc != 0 or header is None or len(rows) != 2:
        # Without the header row, that leaves redis-benchmark's own words, e.g.
        # "Error from server: ERR unknown command ...".
        said = "\n".join(l for l in out.splitlines() if not l.startswith('"test"'))
        said = (said + err.decode(errors="replace")).strip()
        raise BenchError("redis-benchmark %s against %s failed (rc %d): %s"
                         % (test["name"], server.name, rc, said[-1500:]))
    vals = dict(zip(header, rows[1]))
    cpu_s = (cpu1 - cpu0) / 1e9
    return {
        "ops": float(vals["rps"]),
        "p50_ms": float(vals["p50_latency_ms"]),
        "p99_ms": float(vals["p99_latency_ms"]),
        "cpu_s": cpu_s,
        "ops_per_cpu_s": test["requests"] / cpu_s if cpu_s > 0 else None,
        "wall_s": wall,
    }


def run_pipe_load(server, test, client_cpu, timeout):
    """A load row: the test's command file fed with redis-cli --pipe; ops/s are commands per
    second of the whole feed, CPU from the server's /proc. No latency figures."""
    cpu0 = server.cpu_ns()
    t0 = time.monotonic()
    replies = run_pipe(server, test["path"], client_cpu, timeout)
    wall = time.monotonic() - t0
    cpu1 = server.cpu_ns()
    if replies != test["requests"]:
        raise BenchError("redis-cli --pipe into %s: %d replies for %d commands"
                         % (server.name, replies, test["requests"]))
    cpu_s = (cpu1 - cpu0) / 1e9
    return {
        "ops": test["requests"] / wall,
        "p50_ms": None,
        "p99_ms": None,
        "cpu_s": cpu_s,
        "ops_per_cpu_s": test["requests"] / cpu_s if cpu_s > 0 else None,
        "wall_s": wall,
    }


def bullmq_missing():
    """Why the BullMQ rows cannot run here, or None."""
    if not shutil.which("node"):
        return "node not found (scripts/deps.sh installs Debian's nodejs)"
    if not os.path.isdir(os.path.join(REPO, "tests", "node", "node_modules", "bullmq")):
        return "bullmq is not installed in tests/node/node_modules (make node-deps)"
    return None


def run_bullmq(server, test, client_cpu, timeout):
    """One phase of bench/bullmq_bench.mjs: jobs per second, CPU from the server's /proc."""
    missing = bullmq_missing()
    if missing:
        raise BenchError(missing)
    argv = ["taskset", "-c", str(client_cpu), shutil.which("node"),
            os.path.join(REPO, BULLMQ_BENCH), "--port", str(server.port), "--phase", test["phase"],
            "--jobs", str(test["jobs"]), "--chunk", str(BULLMQ_CHUNK),
            "--concurrency", str(BULLMQ_CONCURRENCY), "--timeout", str(timeout)]
    cpu0 = server.cpu_ns()
    t0 = time.monotonic()
    rc, out, err = run_client(server, argv, "bullmq_bench %s" % test["name"], timeout + 15)
    wall = time.monotonic() - t0
    cpu1 = server.cpu_ns()
    try:
        res = json.loads(out.decode(errors="replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise BenchError("bullmq_bench against %s failed (rc %d): %s"
                         % (server.name, rc, err.decode(errors="replace")[-1500:]))
    if not res["ok"]:
        raise BenchError("bullmq_bench %s against %s: %s"
                         % (test["phase"], server.name, res["error"]))
    cpu_s = (cpu1 - cpu0) / 1e9
    return {
        "ops": res["jobs_per_s"],
        "p50_ms": res["p50_ms"],
        "p99_ms": res["p99_ms"],
        "cpu_s": cpu_s,
        "ops_per_cpu_s": test["jobs"] / cpu_s if cpu_s > 0 else None,
        "wall_s": wall,
        "seconds": res["seconds"],
        "info_cpu_s": res["server_cpu_s"],
    }


def run_streamload(server, test, streamload, client_cpu):
    """One bench/streamload run: entries delivered and acked per second, send-to-receipt latency."""
    if not (os.path.isfile(streamload) and os.access(streamload, os.X_OK)):
        raise BenchError("%s is not built (bench/bench.sh builds it; needs libhiredis-dev)"
                         % streamload)
    argv = (["taskset", "-c", str(client_cpu), streamload, "-h", "127.0.0.1",
             "-p", str(server.port), "-s", "%.2f" % test["seconds"], "-r", str(test["rate"])]
            + STREAMLOAD_ARGS)
    timeout = test["seconds"] + 40  # it drains for up to 10 s and may wait on BLOCK timeouts
    cpu0 = server.cpu_ns()
    t0 = time.monotonic()
    rc, out, err = run_client(server, argv, "streamload %s" % test["name"], timeout)
    wall = time.monotonic() - t0
    cpu1 = server.cpu_ns()
    try:
        res = json.loads(out.decode(errors="replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise BenchError("streamload against %s failed (rc %d): %s"
                         % (server.name, rc, err.decode(errors="replace")[-1500:]))
    if not res["ok"]:
        raise BenchError("streamload against %s: %s" % (server.name, res["error"]))
    cpu_s = (cpu1 - cpu0) / 1e9
    return {
        "ops": res["entries_per_s"],
        "p50_ms": res["p50_ms"],
        "p99_ms": res["p99_ms"],
        "cpu_s": cpu_s,
        "ops_per_cpu_s": res["acked"] / cpu_s if cpu_s > 0 else None,
        "wall_s": wall,
        "produced": res["produced"],
        "acked": res["acked"],
        "max_ms": res["max_ms"],
    }


def run_pubsubload(server, test, pubsubload, client_cpu):
    """One bench/pubsubload run: deliveries (messages x receivers) per second, publish-to-receipt
    latency, deliveries per server-CPU-second."""
    if not (os.path.isfile(pubsubload) and os.access(pubsubload, os.X_OK)):
        raise BenchError("%s is not built (bench/bench.sh builds it; needs libhiredis-dev)"
                         % pubsubload)
    argv = (["taskset", "-c", str(client_cpu), pubsubload, "-h", "127.0.0.1",
             "-p", str(server.port), "-s", "%.2f" % test["seconds"], "-r", str(test["rate"])]
            + PUBSUB_ARGS + test["args"])
    timeout = test["seconds"] + 40  # it drains for up to 10 s
    cpu0 = server.cpu_ns()
    t0 = time.monotonic()
    rc, out, err = run_client(server, argv, "pubsubload %s" % test["name"], timeout)
    wall = time.monotonic() - t0
    cpu1 = server.cpu_ns()
    try:
        res = json.loads(out.decode(errors="replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise BenchError("pubsubload against %s failed (rc %d): %s"
                         % (server.name, rc, err.decode(errors="replace")[-1500:]))
    if not res["ok"]:
        raise BenchError("pubsubload against %s: %s" % (server.name, res["error"]))
    cpu_s = (cpu1 - cpu0) / 1e9
    return {
        "ops": res["deliveries_per_s"],
        "p50_ms": res["p50_ms"],
        "p99_ms": res["p99_ms"],
        "cpu_s": cpu_s,
        "ops_per_cpu_s": res["deliveries"] / cpu_s if cpu_s > 0 else None,
        "wall_s": wall,
        "published": res["published"],
        "deliveries": res["deliveries"],
        "messages_per_s": res["messages_per_s"],
        "max_ms": res["max_ms"],
        "client_cpu_s": res["client_cpu_s"],
    }


# ---------------------------------------------------------------------------------------------
# Reporting.


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ratio_median(a, b):
    rs = [x / y for x, y in zip(a, b) if x is not None and y is not None and y != 0]
    return statistics.median(rs) if rs else None


def fmt_num(x):
    if x is None:
        return "FAIL"
    if x >= 100:
        return "{:,.0f}".format(x)
    return "%.1f" % x


def fmt_ms(x):
    return "FAIL" if x is None else "%.3f" % x


def fmt_ratio(x):
    return "-" if x is None else "%.2f" % x


class Results:
    def __init__(self, path):
        self.f = open(path, "w") if path else None

    def write(self, obj):
        if self.f:
            self.f.write(json.dumps(obj, sort_keys=True) + "\n")
            self.f.flush()

    def close(self):
        if self.f:
            self.f.close()


# ---------------------------------------------------------------------------------------------


def env(name, default):
    v = os.environ.get(name)
    return default if v in (None, "") else v


def parse_args():
    p = argparse.ArgumentParser(
        description="Benchmark Weir against redis-server (see bench/README.md).")
    p.add_argument("--quick", action="store_true", default=env("BENCH_QUICK", "0") not in ("0", ""),
                   help="short runs, 3 rounds (env BENCH_QUICK=1)")
    p.add_argument("--rounds", type=int, default=None,
                   help="rounds per test (env BENCH_ROUNDS; default 5, quick 3)")
    p.add_argument("--server-cpu", default=env("BENCH_SERVER_CPU", "0"),
                   help="CPU both servers are pinned to (env BENCH_SERVER_CPU, default 0)")
    p.add_argument("--client-cpu", default=env("BENCH_CLIENT_CPU", "1"),
                   help="CPU the load generator is pinned to (env BENCH_CLIENT_CPU, default 1)")
    p.add_argument("--weir-cmd", default=env("WEIR_CMD", DEFAULT_WEIR_CMD),
                   help="server A command, {port} is replaced (env WEIR_CMD, default %r)"
                   % DEFAULT_WEIR_CMD.replace("%", "%%"))
    p.add_argument("--weir-bin", default=env("WEIR_BIN", ""),
                   help="server A binary in the default command (env WEIR_BIN); a redis-server "
                   "gets redis-server's arguments")
    p.add_argument("--redis-cmd", default=env("REDIS_CMD", DEFAULT_REDIS_CMD),
                   help="server B command (env REDIS_CMD, default %r)" % DEFAULT_REDIS_CMD)
    p.add_argument("--scale", type=float, default=float(env("BENCH_SCALE", "1")),
                   help="multiply request counts (env BENCH_SCALE)")
    p.add_argument("--timeout", type=int, default=int(env("BENCH_TIMEOUT", "120")),
                   help="seconds allowed per redis-benchmark / redis-cli run (env BENCH_TIMEOUT)")
    p.add_argument("--results", default=env("RESULTS", ""),
                   help="write raw results as JSON lines here (env RESULTS)")
    p.add_argument("--streamload", default=env("STREAMLOAD", DEFAULT_STREAMLOAD),
                   help="the stream consumer-group load generator (env STREAMLOAD, default %s; "
                   "bench.sh builds it)" % DEFAULT_STREAMLOAD)
    p.add_argument("--pubsubload", default=env("PUBSUBLOAD", DEFAULT_PUBSUBLOAD),
                   help="the Pub/Sub load generator (env PUBSUBLOAD, default %s; bench.sh "
                   "builds it)" % DEFAULT_PUBSUBLOAD)
    p.add_argument("--only", default=env("BENCH_ONLY", ""),
                   help="comma-separated families whose rows to run: %s (env BENCH_ONLY; "
                   "default all)" % ",".join(FAMILIES))
    p.add_argument("--no-throughput", action="store_true",
                   help="skip the throughput rows (redis-benchmark and stream groups)")
    p.add_argument("--no-memory", action="store_true", help="skip the memory rows")
    a = p.parse_args()
    if a.weir_bin and a.weir_cmd == DEFAULT_WEIR_CMD:
        # WEIR_BIN as the pytest suites take it: Weir, or a real redis-server standing in.
        template = DEFAULT_REDIS_CMD if "redis-server" in os.path.basename(a.weir_bin) \
            else DEFAULT_WEIR_CMD
        a.weir_cmd = shlex.quote(a.weir_bin) + " " + template.split(" ", 1)[1]
    a.only = [f.strip() for f in a.only.split(",") if f.strip()] or list(FAMILIES)
    for f in a.only:
        if f not in FAMILIES:
            p.error("--only: unknown family %r (families: %s)" % (f, ", ".join(FAMILIES)))
    if not os.path.isabs(a.streamload):
        a.streamload = os.path.join(REPO, a.streamload)
    if not os.path.isabs(a.pubsubload):
        a.pubsubload = os.path.join(REPO, a.pubsubload)
    if a.rounds is None:
        a.rounds = int(env("BENCH_ROUNDS", "3" if a.quick else "5"))
    if a.rounds < 1:
        p.error("--rounds must be at least 1")
    return a


def check_environment(args):
    for tool in ("taskset", "redis-benchmark", "redis-cli"):
        if not shutil.which(tool):
            raise BenchError("%s not found on PATH; run scripts/deps.sh (installs redis-tools, "
                             "redis-server; taskset is in util-linux)" % tool)
    allowed = os.sched_getaffinity(0)
    for what, cpu in (("server", args.server_cpu), ("client", args.client_cpu)):
        try:
            n = int(cpu)
        except ValueError:
            raise BenchError("%s CPU must be a single CPU number, got %r" % (what, cpu))
        if n not in allowed:
            raise BenchError("%s CPU %d is not available (this process may use %s); set "
                             "BENCH_SERVER_CPU / BENCH_CLIENT_CPU"
                             % (what, n, ",".join(map(str, sorted(allowed)))))
    if args.server_cpu == args.client_cpu:
        log("warning: servers and load generator share CPU %s; numbers will mean little"
            % args.server_cpu)
    if (not args.no_throughput and "stream" in args.only
            and not (os.path.isfile(args.streamload) and os.access(args.streamload, os.X_OK))):
        log("warning: %s is not built (bench/bench.sh builds it; needs libhiredis-dev): "
            "the stream group rows will fail" % args.streamload)
    if (not args.no_throughput and "pubsub" in args.only
            and not (os.path.isfile(args.pubsubload) and os.access(args.pubsubload, os.X_OK))):
        log("warning: %s is not built (bench/bench.sh builds it; needs libhiredis-dev): "
            "the pubsub rows will fail" % args.pubsubload)
    if not args.no_throughput and "bullmq" in args.only and bullmq_missing():
        log("warning: %s: the BullMQ rows will fail" % bullmq_missing())
    # Fail early and clearly when a server binary is missing.
    resolve_argv(args.weir_cmd, 1)
    resolve_argv(args.redis_cmd, 1)


def make_tests(args):
    """The throughput rows, in run order. Consecutive tests with the same `setup` form a group:
    before a group, each server is prepared once per round (see prepare)."""
    def count(full_quick):
        return max(1000, int(full_quick[1 if args.quick else 0] * args.scale))

    tests = []
    for size in VALUE_SIZES:
        label = "%dB" % size if size < 1024 else "%dKiB" % (size // 1024)
        for pipeline in PIPELINES:
            n = count(REQUESTS[(size, pipeline)])
            for cmd in ("SET", "GET"):
                tests.append({"name": "%s %s -P %d" % (cmd, label, pipeline), "family": "string",
                              "kind": "redis-benchmark", "setup": "prefill %d" % size,
                              "args": ["-t", cmd.lower()], "size": size, "pipeline": pipeline,
                              "requests": n})
    for cmd, family, rb_args, counts in TYPE_TESTS:
        tests.append({"name": "%s -P %d" % (cmd, TYPE_PIPELINE), "family": family,
                      "kind": "redis-benchmark", "setup": "flushall", "args": rb_args,
                      "size": 3, "pipeline": TYPE_PIPELINE, "requests": count(counts)})
    for cmd, rb_args, counts in HLL_TESTS:
        tests.append({"name": "%s -P %d" % (cmd, TYPE_PIPELINE), "family": "hyperloglog",
                      "kind": "redis-benchmark", "setup": "hll", "args": rb_args,
                      "size": 3, "pipeline": TYPE_PIPELINE, "requests": count(counts)})
    seconds = STREAM_GROUP_SECONDS[1 if args.quick else 0] * args.scale
    for rate in STREAM_GROUP_RATES:
        pace = "max" if rate == 0 else ("%gk/s" % (rate / 1000) if rate >= 1000 else "%d/s" % rate)
        tests.append({"name": "stream group %s" % pace, "family": "stream", "kind": "streamload",
                      "setup": None, "rate": rate, "seconds": seconds})
    for name, pipeline, rb_args, counts in SCRIPT_TESTS:
        tests.append({"name": name, "family": "script", "kind": "redis-benchmark",
                      "setup": "scripts", "args": rb_args, "size": 3, "pipeline": pipeline,
                      "requests": count(counts)})
    # Enough points that every FROMMEMBER centre (m:0 .. m:KEYSPACE-1) exists.
    points = max(KEYSPACE, int(GEO_POINTS * args.scale))
    tests.append({"name": "GEOADD %s points" % fmt_count(points), "family": "geo",
                  "kind": "pipe", "setup": "flushall geo", "points": points, "requests": points,
                  "no_latency": True})
    tests.append({"name": "GEOSEARCH BYRADIUS %dm -P %d" % (GEO_RADIUS_M, TYPE_PIPELINE),
                  "family": "geo", "kind": "redis-benchmark", "setup": "flushall geo",
                  "args": ["GEOSEARCH", GEO_KEY.decode(), "FROMMEMBER", "m:__rand_int__",
                           "BYRADIUS", str(GEO_RADIUS_M), "m"],
                  "size": 3, "pipeline": TYPE_PIPELINE, "requests": count(GEO_SEARCH_REQUESTS),
                  "needs_points": points})
    ps_seconds = PUBSUB_SECONDS[1 if args.quick else 0] * args.scale
    for name, ps_args, rate in PUBSUB_TESTS:
        tests.append({"name": name, "family": "pubsub", "kind": "pubsubload", "setup": None,
                      "args": ps_args, "rate": rate, "seconds": ps_seconds})
    jobs = count(BULLMQ_JOBS)
    # The worker row has no latency: "-" in the table (the addBulk row's is per addBulk call).
    tests.append({"name": "BullMQ addBulk %s" % fmt_count(jobs), "family": "bullmq",
                  "kind": "bullmq", "setup": "bullmq", "phase": "add", "jobs": jobs})
    tests.append({"name": "BullMQ worker c=%d" % BULLMQ_CONCURRENCY, "family": "bullmq",
                  "kind": "bullmq", "setup": "bullmq", "phase": "process", "jobs": jobs,
                  "no_latency": True})
    return [t for t in tests if t["family"] in args.only]


def fmt_count(n):
    return "%dk" % (n // 1000) if n % 1000 == 0 else str(n)


def prepare(server, setup, streams, args):
    """Readies a server for a group of tests: loads the SET/GET keyspace or empties the server."""
    if setup is None:
        return
    if setup in ("flushall", "bullmq", "flushall geo"):
        server.call("FLUSHALL")
        return
    if setup == "hll":
        server.call("FLUSHALL")
        for i, key in enumerate(HLL_MERGE_KEYS):
            server.call("PFADD", key, *["m:%d:%d" % (i, k) for k in range(HLL_MERGE_ELEMENTS)])
        return
    if setup == "scripts":
        server.call("FLUSHALL")
        for script in SCRIPTS:
            sha = server.call("SCRIPT", "LOAD", script)
            if sha != hashlib.sha1(script.encode()).hexdigest():
                raise BenchError("SCRIPT LOAD answered %r" % (sha,))
        return
    # "prefill SIZE": GETs then read values of the size under test, and every key exists.
    run_pipe(server, streams[int(setup.split()[1])], args.client_cpu, args.timeout)


def throughput(args, servers, tests, workdir, results):
    """Runs every test on both servers, interleaved, for args.rounds rounds."""
    data = {t["name"]: {s.name: [None] * args.rounds for s in servers} for t in tests}
    streams = {}
    for t in tests:
        if t["setup"] and t["setup"].startswith("prefill") and t["size"] not in streams:
            path = os.path.join(workdir, "prefill-%d.resp" % t["size"])
            prefill_stream(path, t["size"])
            streams[t["size"]] = path
        if t["kind"] == "pipe":
            t["path"] = os.path.join(workdir, "geoadd.resp")
            log("generating %s GEOADD commands" % "{:,}".format(t["points"]))
            write_stream(t["path"], geo_items(GEO_KEY, t["points"]))
    groups = []  # [(setup, [tests])], consecutive tests that share a set-up
    for t in tests:
        if groups and groups[-1][0] == t["setup"]:
            groups[-1][1].append(t)
        else:
            groups.append((t["setup"], [t]))
    for rnd in range(args.rounds):
        order = servers if rnd % 2 == 0 else list(reversed(servers))
        log("round %d/%d (%s first)" % (rnd + 1, args.rounds, order[0].name))
        for setup, group in groups:
            for s in order:
                if s.dead:
                    # A crash in one family should not cost the rows of the next ones.
                    try:
                        log("  %s: restarting it" % s.name)
                        s.start()
                        s.dead = False
                    except BenchError as e:
                        log("  %s: restart failed: %s" % (s.name, e))
                        continue
                try:
                    prepare(s, setup, streams, args)
                except (BenchError, OSError) as e:
                    s.settle(0.5)
                    log("  %s: %s failed: %s%s" % (s.name, setup, e,
                                                   ("; " + s.death()) if s.death() else ""))
                    s.dead = not s.alive()
            for t in group:
                cells = []
                for s in order:
                    if s.dead:
                        cells.append("%s skipped" % s.name)
                        continue
                    try:
                        if t["kind"] == "streamload":
                            r = run_streamload(s, t, args.streamload, args.client_cpu)
                        elif t["kind"] == "pubsubload":
                            r = run_pubsubload(s, t, args.pubsubload, args.client_cpu)
                        elif t["kind"] == "bullmq":
                            r = run_bullmq(s, t, args.client_cpu, args.timeout)
                        elif t["kind"] == "pipe":
                            r = run_pipe_load(s, t, args.client_cpu, args.timeout)
                        else:
                            # GEOSEARCH searches what the GEOADD row loaded: all of it.
                            if t.get("needs_points") and \
                                    s.call("ZCARD", GEO_KEY) != t["needs_points"]:
                                raise BenchError("%s holds %r points, not the %d the GEOADD row "
                                                 "adds" % (GEO_KEY.decode(),
                                                           s.call("ZCARD", GEO_KEY),
                                                           t["needs_points"]))
                            r = run_benchmark(s, t, args.client_cpu, args.timeout)
                    except BenchError as e:
                        s.settle(0.5)
                        log("  %s: %s%s" % (s.name, e, ("; " + s.death()) if s.death() else ""))
                        s.dead = not s.alive()
                        results.write({"kind": "throughput", "server": s.name, "test": t["name"],
                                       "round": rnd + 1, "error": str(e)})
                        cells.append("%s FAIL" % s.name)
                        continue
                    data[t["name"]][s.name][rnd] = r
                    rec = {"kind": "throughput", "server": s.name, "test": t["name"],
                           "round": rnd + 1, "family": t["family"]}
                    if t["kind"] in ("streamload", "pubsubload"):
                        rec.update({"rate": t["rate"], "seconds": t["seconds"]})
                    elif t["kind"] == "bullmq":
                        rec.update({"phase": t["phase"], "jobs": t["jobs"], "chunk": BULLMQ_CHUNK,
                                    "concurrency": BULLMQ_CONCURRENCY})
                    elif t["kind"] == "pipe":
                        rec.update({"requests": t["requests"], "loader": "redis-cli --pipe"})
                    else:
                        rec.update({"requests": t["requests"], "clients": CLIENTS,
                                    "pipeline": t["pipeline"], "value_size": t["size"]})
                    rec.update(r)
                    results.write(rec)
                    cells.append("%s %s ops/s %s ops/cpu-s" % (s.name, fmt_num(r["ops"]),
                                                               fmt_num(r["ops_per_cpu_s"])))
                log("  %-22s %s" % (t["name"], " | ".join(cells)))
    return data


def try_used_memory(server):
    """INFO memory's used_memory, or None when the server cannot answer it."""
    try:
        return info_field(server.call("INFO", "memory"), "used_memory")
    except (BenchError, OSError) as e:
        log("  %s: INFO memory failed: %s" % (server.name, e))
        server.settle()
        return None


def memory_workloads(args):
    return [w for w in MEMORY_WORKLOADS if w[1] in args.only]


def memory(args, a_server, b_server, workdir, results, versions):
    """Bytes per item of each memory workload: a fresh server each, the growth of used_memory
    and of RSS from the empty server to the loaded one, divided by the items loaded."""
    out = {}
    for name, family, items, unit, dbsize_after, generate, what in memory_workloads(args):
        path = os.path.join(workdir, "memory-%s.resp" % name.split()[0])
        log("memory: generating %s x %s" % ("{:,}".format(items), what))
        write_stream(path, generate())
        for s in (a_server, b_server):
            key = (name, s.name)
            step = "start"
            try:
                s.start()
                rss0 = s.rss_bytes()
                step = "INFO memory before loading"
                used0 = try_used_memory(s)
                if used0 is None and not s.alive():
                    log("  %s: INFO memory ended it: %s\n  restarting; RSS only"
                        % (s.name, s.death()))
                    step = "restart"
                    s.start()
                    rss0 = s.rss_bytes()
                step = "redis-cli --pipe"
                cpu0 = s.cpu_ns()
                t0 = time.monotonic()
                run_pipe(s, path, args.client_cpu, max(args.timeout, 300))
                load_s = time.monotonic() - t0
                load_cpu_s = (s.cpu_ns() - cpu0) / 1e9
                time.sleep(0.5)
                step = "DBSIZE"
                dbsize = s.call("DBSIZE")
                if dbsize != dbsize_after:
                    raise BenchError("DBSIZE is %r after loading, expected %d"
                                     % (dbsize, dbsize_after))
                rss1 = s.rss_bytes()
                step = "INFO memory after loading"
                used1 = try_used_memory(s) if used0 is not None else None
                if used1 is None:
                    used0 = None
                if s.name not in versions:
                    versions[s.name] = s.version()
                r = {"used_per_item": None if used0 is None else (used1 - used0) / items,
                     "rss_per_item": (rss1 - rss0) / items,
                     "used_before": used0, "used_after": used1, "rss_before": rss0,
                     "rss_after": rss1, "load_s": load_s, "load_cpu_s": load_cpu_s}
                out[key] = r
                log("  %-6s %-16s used_memory %s B/%s, RSS %.1f B/%s (load %.1f s)"
                    % (s.name, name, "FAIL" if used0 is None else "%.1f" % r["used_per_item"],
                       unit, r["rss_per_item"], unit, load_s))
                rec = {"kind": "memory", "server": s.name, "workload": name, "family": family,
                       "items": items, "unit": unit}
                rec.update(r)
                results.write(rec)
            except (BenchError, OSError) as e:
                s.settle()
                e = "%s: %s%s" % (step, e, ("; " + s.death()) if s.death() else "")
                log("  %s memory (%s) failed at %s" % (s.name, name, e))
                results.write({"kind": "memory", "server": s.name, "workload": name,
                               "family": family, "error": str(e)})
                out[key] = None
            finally:
                s.stop()
        os.unlink(path)
    return out


def report(args, servers, tests, data, mem, versions):
    a, b = servers
    lines = []
    lines.append("## Weir benchmark: %s vs %s" % (a.name, b.name))
    lines.append("")
    lines.append("- %s: `%s` (%s)" % (a.name, args.weir_cmd, versions.get(a.name, "?")))
    lines.append("- %s: `%s` (%s)" % (b.name, args.redis_cmd, versions.get(b.name, "?")))
    lines.append("- servers pinned to CPU %s, redis-benchmark to CPU %s; %d clients, -r %d; "
                 "%d round(s)%s, medians; ratio = median of per-round %s/%s"
                 % (args.server_cpu, args.client_cpu, CLIENTS, KEYSPACE, args.rounds,
                    " (quick)" if args.quick else "", a.name, b.name))
    lines.append("- host: %s, %d CPUs, load average %s"
                 % (platform.node(), os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
    summary = []
    if data is not None:
        lines.append("")
        lines.append("| workload | %s ops/s | %s ops/s | ratio | %s p50 ms | %s p50 ms | "
                     "%s p99 ms | %s p99 ms | %s ops/CPU-s | %s ops/CPU-s | CPU ratio |"
                     % (a.name, b.name, a.name, b.name, a.name, b.name, a.name, b.name))
        lines.append("|---|" + "---:|" * 10)
        for t in tests:
            d = data[t["name"]]

            def col(srv, field):
                return [r[field] if r else None for r in d[srv.name]]

            row = {
                "kind": "summary", "test": t["name"], "family": t["family"],
                "requests": t.get("requests"),
                "a": a.name, "b": b.name,
                "a_ops": median(col(a, "ops")), "b_ops": median(col(b, "ops")),
                "ops_ratio": ratio_median(col(a, "ops"), col(b, "ops")),
                "a_p50_ms": median(col(a, "p50_ms")), "b_p50_ms": median(col(b, "p50_ms")),
                "a_p99_ms": median(col(a, "p99_ms")), "b_p99_ms": median(col(b, "p99_ms")),
                "a_ops_per_cpu_s": median(col(a, "ops_per_cpu_s")),
                "b_ops_per_cpu_s": median(col(b, "ops_per_cpu_s")),
                "cpu_ratio": ratio_median(col(a, "ops_per_cpu_s"), col(b, "ops_per_cpu_s")),
            }
            latency = ("a_p50_ms", "b_p50_ms", "a_p99_ms", "b_p99_ms")
            if t.get("no_latency"):
                # Not measured for this row: "-", and not a failure.
                for k in latency:
                    del row[k]
            lat = [fmt_ms(row[k]) if k in row else "-" for k in latency]
            # Rounds that failed on one side are left out of the medians; say so.
            missing = ["%s %d/%d" % (srv.name, n, args.rounds)
                       for srv, n in ((srv, d[srv.name].count(None)) for srv in (a, b))
                       if 0 < n < args.rounds]
            row["failed_rounds"] = {srv.name: d[srv.name].count(None) for srv in (a, b)}
            summary.append(row)
            name = t["name"] + (" (rounds failed: %s)" % ", ".join(missing) if missing else "")
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, fmt_num(row["a_ops"]), fmt_num(row["b_ops"]),
                fmt_ratio(row["ops_ratio"]), lat[0], lat[1], lat[2], lat[3],
                fmt_num(row["a_ops_per_cpu_s"]), fmt_num(row["b_ops_per_cpu_s"]),
                fmt_ratio(row["cpu_ratio"])))
        if any(t["kind"] == "streamload" for t in tests):
            lines.append("")
            lines.append("stream group rows: ops = stream entries delivered by XREADGROUP and "
                         "acknowledged by XACK; p50/p99 from the producer's XADD to the "
                         "consumer's receipt (bench/README.md).")
        if any(t["kind"] == "pubsubload" for t in tests):
            lines.append("")
            lines.append("pubsub rows: ops = deliveries (messages x receivers, counted by the "
                         "%d subscribers); p50/p99 from PUBLISH to the subscriber's read; "
                         "x50 = each message reaches all 50, x5 = 1000 channels in 10 groups, "
                         "each message reaches 5; PSUB = PSUBSCRIBE instead of SUBSCRIBE "
                         "(bench/README.md)." % PUBSUB_SUBSCRIBERS)
        if any(t["family"] == "script" for t in tests):
            lines.append("")
            lines.append("EVALSHA rows: ops = script calls (limiter: 5 commands each; 10 HSETs: "
                         "10 each), scripts loaded with SCRIPT LOAD beforehand.")
        if any(t["kind"] == "bullmq" for t in tests):
            lines.append("")
            lines.append("BullMQ rows: ops = jobs (bench/bullmq_bench.mjs); addBulk p50/p99 = one "
                         "addBulk call of %d jobs; the worker row processes the jobs the addBulk "
                         "row added, %d at a time." % (BULLMQ_CHUNK, BULLMQ_CONCURRENCY))
    if mem is not None:
        lines.append("")
        lines.append("| memory workload | loads | per | %s used_memory B | %s used_memory B | "
                     "ratio | %s RSS B | %s RSS B | RSS ratio |" % (a.name, b.name, a.name, b.name))
        lines.append("|---|---|---|" + "---:|" * 6)
        for name, family, items, unit, _, _, what in memory_workloads(args):
            ra, rb = mem.get((name, a.name)), mem.get((name, b.name))
            cells = []
            for field, label in (("used_per_item", "used_memory"), ("rss_per_item", "RSS")):
                va = ra[field] if ra else None
                vb = rb[field] if rb else None
                ratio = va / vb if va is not None and vb else None
                summary.append({"kind": "summary", "test": "memory %s %s" % (label, name),
                                "family": family, "unit": unit, "a": a.name, "b": b.name,
                                "a_bytes_per_item": va, "b_bytes_per_item": vb, "ratio": ratio})
                cells += ["FAIL" if va is None else "%.1f" % va,
                          "FAIL" if vb is None else "%.1f" % vb, fmt_ratio(ratio)]
            lines.append("| %s | %s x %s | %s | %s |"
                         % (name, "{:,}".format(items), what, unit, " | ".join(cells)))
    return "\n".join(lines), summary


def main():
    args = parse_args()
    check_environment(args)
    # Let SIGTERM / SIGHUP unwind through the finally blocks that stop the servers.
    def on_signal(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    results = Results(args.results)
    workdir = tempfile.mkdtemp(prefix="weir-bench-")
    a = Server("weir", args.weir_cmd, args.server_cpu, workdir)
    b = Server("redis", args.redis_cmd, args.server_cpu, workdir)
    servers = [a, b]
    tests = make_tests(args)
    failed = False
    try:
        results.write({"kind": "meta", "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                       "weir_cmd": args.weir_cmd, "redis_cmd": args.redis_cmd,
                       "server_cpu": args.server_cpu, "client_cpu": args.client_cpu,
                       "rounds": args.rounds, "quick": args.quick, "scale": args.scale,
                       "families": args.only,
                       "clients": CLIENTS, "keyspace": KEYSPACE, "host": platform.node(),
                       "cpus": os.cpu_count(), "loadavg": os.getloadavg()})
        versions = {}
        data = None
        if not args.no_throughput:
            for s in servers:
                s.start()
                versions[s.name] = s.version()
                s.settle(0.3)
                if not s.alive():
                    log("warning: INFO server ended it: %s\nrestarting it" % s.death())
                    s.start()
                log("%s: pid %d, port %d, %s" % (s.name, s.proc.pid, s.port, versions[s.name]))
            data = throughput(args, servers, tests, workdir, results)
            for s in servers:
                s.stop()
        mem = None
        if not args.no_memory:
            mem = memory(args, a, b, workdir, results, versions)
        table, summary = report(args, servers, tests, data, mem, versions)
        for row in summary:
            results.write(row)
            vals = [v for k, v in row.items() if k.startswith(("a_", "b_"))]
            if any(v is None for v in vals) or any(row.get("failed_rounds", {}).values()):
                failed = True
        print(table, flush=True)
        if args.results:
            log("raw results: %s" % args.results)
    except BenchError as e:
        log("bench: error: %s" % e)
        return 2
    except KeyboardInterrupt:
        log("bench: interrupted")
        return 130
    finally:
        for s in servers:
            s.stop()
        results.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        log("bench: some measurements failed (FAIL in the table)")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log("bench: error: %s" % e)
        sys.exit(2)
