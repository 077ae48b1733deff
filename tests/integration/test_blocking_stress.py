"""Concurrency stress: blocked clients served from other threads while transactions, expiry,
RENAME/MOVE/SWAPDB/FLUSHDB, CLIENT UNBLOCK and disconnects race them.

Every item pushed to a conserved key is accounted for at the end exactly once: popped by a
transaction, handed to a blocked client, moved by BLMOVE, or still stored. A waiter whose
wait ends empty must not have outlived its timeout by more than the slack below.

Runs WEIR_STRESS_SECONDS (default 8) against a fresh server at --threads 4; `make stress`
runs it for 3 minutes. The tsan target runs it against the ThreadSanitizer build.
"""

import os
import random
import socket
import threading
import time

import pytest
import redis

from conftest import IS_WEIR, SLOW, encode_command, timeout

SECONDS = float(os.environ.get("WEIR_STRESS_SECONDS", "8"))
# How long past its timeout a waiter may take to get its empty reply (scheduling, sanitizers).
TIMEOUT_SLACK = 3.0 if SLOW else 1.0
LIST_KEYS = [f"q:{i}" for i in range(5)]  # q:3 and q:4 are also renamed and moved
ZSET_KEYS = ["z:0", "z:1"]
STREAM = "s"


@pytest.fixture(scope="module", params=[4] if IS_WEIR else [None],
                ids=lambda t: "redis" if t is None else f"threads{t}")
def threads(request):
    return request.param


class Ledger:
    """What the workers did, merged under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pushed = []
        self.taken = []  # popped items (by transactions and blocked pops)
        self.zadded = []
        self.ztaken = []
        self.late_waits = []
        self.errors = []

    def add(self, name, items):
        with self.lock:
            getattr(self, name).extend(items)


def worker(ledger, stop, fn):
    def run():
        try:
            while not stop.is_set():
                fn()
        except Exception as e:  # noqa: BLE001 - reported as a test failure below
            ledger.add("errors", [repr(e)])
    return run


def timed_wait(ledger, what, seconds, call):
    start = time.monotonic()
    reply = call()
    elapsed = time.monotonic() - start
    if reply is None and elapsed > seconds + TIMEOUT_SLACK:
        ledger.add("late_waits", [f"{what}: {elapsed:.3f}s for a {seconds}s timeout"])
    return reply


def test_nothing_lost_or_duplicated_under_racing_wakeups(server_factory):
    srv = server_factory()
    ledger = Ledger()
    stop = threading.Event()
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def next_item(prefix):
        with counter_lock:
            return f"{prefix}{next(counter)}"

    def client(db=0):
        return srv.client(db=db, socket_timeout=timeout(30))

    def transactional_pusher():
        c = client()
        def step():
            item = next_item("i")
            p = c.pipeline(transaction=True)
            p.rpush(random.choice(LIST_KEYS), item)
            p.execute()
            ledger.add("pushed", [item])
        return step

    def transactional_popper():
        c = client()
        def step():
            p = c.pipeline(transaction=True)
            p.lpop(random.choice(LIST_KEYS), 2)
            p.rpop(random.choice(LIST_KEYS))
            many, one = p.execute()
            got = list(many or []) + ([one] if one is not None else [])
            ledger.add("taken", [x.decode() for x in got])
        return step

    def blocking_mover(i):
        c = client()
        def step():
            src = random.choice(LIST_KEYS)
            if random.random() < 0.5:
                timed_wait(ledger, "BLMOVE", 0.1,
                           lambda: c.blmove(src, f"done:{i}", 0.1, "LEFT", "RIGHT"))
            else:
                reply = timed_wait(ledger, "BLPOP", 0.1, lambda: c.blpop(LIST_KEYS, 0.1))
                if reply is not None:
                    ledger.add("taken", [reply[1].decode()])
        return step

    def zset_pusher():
        c = client()
        def step():
            member = next_item("m")
            p = c.pipeline(transaction=True)
            p.zadd(random.choice(ZSET_KEYS), {member: random.randint(0, 100)})
            p.execute()
            ledger.add("zadded", [member])
        return step

    def zset_waiter():
        c = client()
        def step():
            reply = timed_wait(ledger, "BZPOPMIN", 0.1, lambda: c.bzpopmin(ZSET_KEYS, 0.1))
            if reply is not None:
                ledger.add("ztaken", [reply[1].decode()])
        return step

    def stream_producer():
        c = client()
        def step():
            p = c.pipeline(transaction=True)
            p.xadd(STREAM, {"f": "v"})
            p.xadd(STREAM, {"f": "w"})
            p.execute()
        return step

    delivered = []

    def stream_consumer(i):
        c = client()
        def step():
            reply = c.xreadgroup("g", f"c{i}", {STREAM: ">"}, count=10, block=100)
            for _key, entries in reply or []:
                ids = [eid for eid, _ in entries]
                with ledger.lock:
                    delivered.extend(ids)
                if ids:
                    c.xack(STREAM, "g", *ids)
        return step

    def renamer():
        c = client()
        other = client(db=1)
        def step():
            r = random.random()
            try:
                if r < 0.4:
                    c.renamenx("q:3", "q:4") if random.random() < 0.5 else c.renamenx("q:4", "q:3")
                elif r < 0.7:
                    c.move("q:4", 1)
                else:
                    other.move("q:4", 0)
            except redis.ResponseError as e:
                assert "no such key" in str(e), e
            time.sleep(0.002)
        return step

    def expiring_pusher():
        # Keys that expire 1-5 ms after they are filled, under waiters (not conserved).
        c = client(db=2)
        def step():
            key = f"e:{random.randint(0, 2)}"
            p = c.pipeline(transaction=True)
            p.rpush(key, "x", "y")
            p.pexpire(key, random.randint(1, 5))
            p.execute()
            time.sleep(0.001)
        return step

    def expiring_waiter():
        c = client(db=2)
        def step():
            timed_wait(ledger, "BLPOP e", 0.05, lambda: c.blpop(["e:0", "e:1", "e:2"], 0.05))
        return step

    def chaos_db():
        # SWAPDB and FLUSHDB under waiters of databases 3 and 4 (not conserved).
        c = client(db=3)
        def step():
            r = random.random()
            if r < 0.4:
                c.rpush(f"c:{random.randint(0, 2)}", "x")
            elif r < 0.7:
                c.swapdb(3, 4)
            elif r < 0.85:
                c.flushdb()
            else:
                c.lmove("c:0", "c:1")
            time.sleep(0.001)
        return step

    def chaos_waiter(db):
        c = client(db=db)
        def step():
            c.blmove(f"c:{random.randint(0, 2)}", "c:9", 0.05, "LEFT", "RIGHT")
        return step

    def disconnecting_waiter():
        # Waits on a non-conserved key, then hangs up while (maybe) being served.
        def step():
            s = socket.create_connection((srv.host, srv.port))
            s.sendall(encode_command("SELECT", "3") + encode_command("BLPOP", "c:0", "c:1", "1"))
            time.sleep(random.random() * 0.01)
            s.close()
        return step

    unblock_targets = []

    def unblocker():
        c = client()
        def step():
            with ledger.lock:
                ids = list(unblock_targets)
            if ids:
                c.client_unblock(random.choice(ids), error=random.random() < 0.5)
            time.sleep(0.005)
        return step

    def unblockable_mover(i):
        c = client()
        with ledger.lock:
            unblock_targets.append(c.client_id())
        def step():
            try:
                c.blmove(random.choice(LIST_KEYS), f"done:u{i}", 0.2, "RIGHT", "LEFT")
            except redis.ResponseError as e:
                assert str(e).startswith("UNBLOCKED"), e
        return step

    client().xgroup_create(STREAM, "g", id="0", mkstream=True)
    steps = (
        [transactional_pusher() for _ in range(2)]
        + [transactional_popper() for _ in range(2)]
        + [blocking_mover(i) for i in range(6)]
        + [zset_pusher(), zset_waiter(), zset_waiter()]
        + [stream_producer(), stream_consumer(0), stream_consumer(1)]
        + [renamer(), expiring_pusher(), expiring_waiter(), expiring_waiter()]
        + [chaos_db(), chaos_waiter(3), chaos_waiter(4), disconnecting_waiter()]
        + [unblocker(), unblockable_mover(0), unblockable_mover(1)]
    )
    threads_ = [threading.Thread(target=worker(ledger, stop, s), daemon=True) for s in steps]
    for t in threads_:
        t.start()
    time.sleep(SECONDS)
    stop.set()
    for t in threads_:
        t.join(timeout(60))
    assert not any(t.is_alive() for t in threads_), "a worker hung"
    assert srv.alive(), srv.log()
    assert ledger.errors == [], ledger.errors[:5]
    assert ledger.late_waits == [], ledger.late_waits[:5]

    c = client()
    db1 = client(db=1)
    remaining = []
    for conn in (c, db1):
        for key in conn.keys("q:*") + conn.keys("done:*"):
            remaining += [x.decode() for x in conn.lrange(key, 0, -1)]
    accounted = ledger.taken + remaining
    assert len(ledger.pushed) > 100, "the pushers made too little progress"
    assert len(accounted) == len(set(accounted)), "an item was delivered twice"
    assert sorted(accounted) == sorted(ledger.pushed), (
        f"lost {len(set(ledger.pushed) - set(accounted))}, "
        f"unknown {len(set(accounted) - set(ledger.pushed))}")

    zremaining = [m.decode() for k in ZSET_KEYS for m in c.zrange(k, 0, -1)]
    zaccounted = ledger.ztaken + zremaining
    assert len(zaccounted) == len(set(zaccounted))
    assert sorted(zaccounted) == sorted(ledger.zadded)

    # Every stream entry was delivered to exactly one consumer (and acknowledged).
    reply = c.xreadgroup("g", "drain", {STREAM: ">"}, count=10**6)
    delivered += [eid for _key, entries in reply or [] for eid, _ in entries]
    all_ids = [eid for eid, _ in c.xrange(STREAM)]
    assert len(delivered) == len(set(delivered))
    assert sorted(delivered) == sorted(all_ids)
    assert srv.alive(), srv.log()
    print(f"\nstress: {SECONDS:.0f}s, {len(ledger.pushed)} list items pushed "
          f"({len(ledger.taken)} popped, {len(remaining)} moved or left), "
          f"{len(ledger.zadded)} zset members, {len(all_ids)} stream entries, none lost or "
          "duplicated")
