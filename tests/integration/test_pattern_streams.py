"""The stream workloads of /work/shared/workloads (000, 002, 003), as their code drives
the server:

(a) event tracking: HTTP events into `events:stream`, 5 workers in group
    `event-processors` reading COUNT 100 BLOCK 1000, acknowledging each batch; one
    worker dies mid-batch without XACK and a survivor takes its entries over with
    XAUTOCLAIM. Every event ends up stored exactly once, nothing is pending, lag is 0.
(b) commerce pipeline: four streams capped with MAXLEN ~ 10000/10000/1000/5000,
    three consumer groups reading COUNT 10 BLOCK 5000, claiming idle pending
    entries, XRANGE/XREVRANGE pages, stream info and pending APIs.
(c) health endpoints: XLEN / XPENDING / XINFO STREAM|GROUPS|CONSUMERS reply shapes
    exactly as go-redis v9 (which refuses unknown keys), ioredis and redis-py read
    them, in RESP2 and RESP3.
"""

import threading
import time

import pytest
import redis

from conftest import timeout

# ------------------------------------------------------------ (a) event tracking

EVENTS = "events:stream"
GROUP = "event-processors"


def test_event_tracking_workers_with_crash_and_autoclaim(r, server):
    total = 20000
    r.xgroup_create(EVENTS, GROUP, id="$", mkstream=True)

    stored = {}  # the "database": event ID -> fields, unique by ID
    store_lock = threading.Lock()
    duplicates = []
    crashed_batch = []
    reclaimed = []
    stop = threading.Event()
    errors = []

    def store(entries):
        with store_lock:
            for eid, fields in entries:
                if eid in stored:
                    duplicates.append(eid)  # a re-delivery: the unique key absorbs it
                else:
                    stored[eid] = fields

    def worker(n):
        client = server.client()
        name = f"worker-{n}"
        try:
            while not stop.is_set():
                reply = client.xreadgroup(GROUP, name, {EVENTS: ">"}, count=100, block=1000)
                if n == 2 and reply:
                    # Killed mid-batch: read, never stored, never acknowledged.
                    crashed_batch.extend(eid for eid, _ in reply[0][1])
                    client.connection_pool.disconnect()
                    return
                if reply:
                    batch = reply[0][1]
                    store(batch)
                    client.xack(EVENTS, GROUP, *[eid for eid, _ in batch])
                elif n == 0:
                    # The survivor takes over entries idle for 300 ms (a dead consumer's).
                    cursor = "0-0"
                    while True:
                        cursor, claimed, deleted = client.xautoclaim(
                            EVENTS, GROUP, name, 300, cursor, count=100)
                        if claimed:
                            reclaimed.extend(eid for eid, _ in claimed)
                            store(claimed)
                            client.xack(EVENTS, GROUP, *[eid for eid, _ in claimed])
                        if cursor == b"0-0":
                            break
        except Exception as e:  # surfaced by the main thread
            errors.append(e)
        finally:
            client.connection_pool.disconnect()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(5)]
    for t in workers:
        t.start()

    produced = []
    pipe = r.pipeline(transaction=False)
    for i in range(total):
        pipe.xadd(EVENTS, {"session_id": f"s{i % 97}", "event_type": "click",
                           "page_url": "http://example.com", "seq": i})
        if len(pipe) == 500:
            produced += pipe.execute()
    produced += pipe.execute()
    assert len(produced) == total

    deadline = time.monotonic() + timeout(60)
    while time.monotonic() < deadline and not errors:
        with store_lock:
            if len(stored) == total:
                break
        time.sleep(0.05)
    stop.set()
    for t in workers:
        t.join(timeout(10))
    assert not errors, errors
    assert len(stored) == total, f"{len(stored)} of {total} stored"
    assert set(stored) == set(produced)
    assert all(stored[eid][b"event_type"] == b"click" for eid in produced[:10])
    assert crashed_batch, "worker-2 never crashed"
    assert set(crashed_batch) <= set(reclaimed)
    assert set(duplicates) <= set(crashed_batch)
    # The health endpoint's figures.
    assert r.xlen(EVENTS) == total
    assert r.xpending(EVENTS, GROUP)["pending"] == 0
    (g,) = r.xinfo_groups(EVENTS)
    assert g["name"] == GROUP.encode() and g["pending"] == 0 and g["lag"] == 0
    assert g["entries-read"] == total and g["last-delivered-id"] == produced[-1]
    consumers = {c["name"]: c for c in r.xinfo_consumers(EVENTS, GROUP)}
    assert set(consumers) == {f"worker-{n}".encode() for n in range(5)}
    assert all(c["pending"] == 0 for c in consumers.values())


# ------------------------------------------------------------ (b) commerce pipeline

STREAMS = {"events.raw": 10000, "events.normalized": 10000,
           "profiles.merge_requests": 1000, "predictions.requests": 5000}
GROUPS = {"events.normalized": "event-processors",
          "profiles.merge_requests": "merge-processors",
          "predictions.requests": "prediction-processors"}


def initialize_consumer_groups(client):
    """Created when workers start; a second start meets BUSYGROUP and carries on."""
    for stream, group in GROUPS.items():
        try:
            client.xgroup_create(stream, group, id="$", mkstream=True)
        except redis.ResponseError as e:
            if not str(e).startswith("BUSYGROUP"):
                raise


def test_commerce_pipeline_capped_streams_and_groups(r, server):
    initialize_consumer_groups(r)
    initialize_consumer_groups(r)  # idempotent
    counts = {"events.raw": 12000, "events.normalized": 12000,
              "profiles.merge_requests": 1500, "predictions.requests": 6000}
    delivered = {s: set() for s in GROUPS}
    acked = {s: 0 for s in GROUPS}
    tally = threading.Lock()
    stop = threading.Event()
    errors = []

    def processor(stream, n):
        client = server.client()
        group = GROUPS[stream]
        try:
            while not stop.is_set():
                reply = client.xreadgroup(group, f"{group}-{n}", {stream: ">"}, count=10, block=5000)
                if not reply:
                    continue
                ids = [eid for eid, fields in reply[0][1] if fields is not None]
                n_acked = client.xack(stream, group, *ids) if ids else 0
                with tally:
                    delivered[stream].update(ids)
                    acked[stream] += n_acked
        except Exception as e:
            errors.append(e)
        finally:
            client.connection_pool.disconnect()

    threads = [threading.Thread(target=processor, args=(s, n)) for s in GROUPS for n in range(2)]
    for t in threads:
        t.start()

    last_ids = {}
    pipe = r.pipeline(transaction=False)
    for i in range(max(counts.values())):
        for stream, n in counts.items():
            if i < n:
                pipe.xadd(stream, {"event_id": f"e{i}", "brand_id": "test-brand",
                                   "event_type": "purchase", "payload": '{"total": 99.99}',
                                   "timestamp": "2024-12-01T10:00:00Z"},
                          maxlen=STREAMS[stream], approximate=True)
        if len(pipe) >= 400:
            pipe.execute()
    pipe.execute()
    for stream in STREAMS:
        last_ids[stream] = r.xrevrange(stream, count=1)[0][0]

    # Drain: every group catches up with its stream.
    deadline = time.monotonic() + timeout(60)
    while time.monotonic() < deadline and not errors:
        if all(r.xinfo_groups(s)[0]["last-delivered-id"] == last_ids[s] for s in GROUPS):
            break
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(timeout(10))
    assert not errors, errors

    for stream, cap in STREAMS.items():
        length = r.xlen(stream)
        # `~` trims whole nodes only: never below the cap, less than a node above it.
        assert cap <= length < cap + 100, (stream, length)
        info = r.xinfo_stream(stream)
        assert info["length"] == length
        assert info["entries-added"] == counts[stream]
        assert info["last-generated-id"] == last_ids[stream]
        assert info["first-entry"][0] == r.xrange(stream, count=1)[0][0]
        assert info["last-entry"][0] == last_ids[stream]
        # Pages through XRANGE / XREVRANGE COUNT 10 as the API's /streams/:name does.
        page = r.xrange(stream, min="-", max="+", count=10)
        assert len(page) == 10 and page[0][0] == info["first-entry"][0]
        rpage = r.xrevrange(stream, max="+", min="-", count=10)
        assert [eid for eid, _ in rpage] == [eid for eid, _ in r.xrange(stream, count=length)[-10:]][::-1]
    for stream, group in GROUPS.items():
        assert r.xpending(stream, group)["pending"] == 0
        (g,) = r.xinfo_groups(stream)
        assert g["name"] == group.encode() and g["pending"] == 0
        # A group that fell behind the trimming never saw the entries trimmed ahead of it;
        # as in Redis, its lag then keeps counting them (at most those skipped).
        skipped = counts[stream] - len(delivered[stream])
        assert 0 <= g["lag"] <= skipped
        if skipped == 0:
            assert g["lag"] == 0
        # Everything still in the stream was delivered (older entries may have been trimmed
        # before the group read them).
        in_stream = {eid for eid, _ in r.xrange(stream, count=counts[stream])}
        assert in_stream <= delivered[stream]
        assert acked[stream] == len(delivered[stream])


def test_commerce_pipeline_claims_idle_pending(r):
    initialize_consumer_groups(r)
    stream, group = "events.normalized", "event-processors"
    for i in range(25):
        r.xadd(stream, {"event_id": f"e{i}"}, maxlen=10000, approximate=True)
    # A worker fails its batch: messages stay pending.
    batch = r.xreadgroup(group, "worker-1", {stream: ">"}, count=10, block=5000)[0][1]
    assert len(batch) == 10
    time.sleep(0.12)
    # Another worker looks for entries idle over 100 ms and claims them.
    idle = r.xpending_range(stream, group, min="-", max="+", count=10, idle=100)
    assert [p["message_id"] for p in idle] == [eid for eid, _ in batch]
    assert all(p["consumer"] == b"worker-1" and p["times_delivered"] == 1 for p in idle)
    claimed = r.xclaim(stream, group, "worker-2", 100, [p["message_id"] for p in idle])
    assert [eid for eid, _ in claimed] == [eid for eid, _ in batch]
    pend = r.xpending_range(stream, group, min="-", max="+", count=10, consumername="worker-2")
    assert len(pend) == 10 and all(p["times_delivered"] == 2 for p in pend)
    assert r.xack(stream, group, *[eid for eid, _ in claimed]) == 10
    rest = r.xreadgroup(group, "worker-2", {stream: ">"}, count=100, block=5000)[0][1]
    assert len(rest) == 15
    r.xack(stream, group, *[eid for eid, _ in rest])
    summary = r.xpending(stream, group)
    assert summary["pending"] == 0 and summary["consumers"] == []


def test_shopify_job_streams(r, c):
    """003: job, result and notification streams with their groups (ioredis calls: raw
    replies, no parsing)."""
    r = c
    streams = {"betterbundle:data-jobs": "data-processors",
               "betterbundle:ml-training": "ml-processors",
               "betterbundle:user-notifications": "notification-processors"}
    for s, g in streams.items():
        r.call("XGROUP", "CREATE", s, g, "$", "MKSTREAM")
    job = r.call("XADD", "betterbundle:data-jobs", "*", "job_id", "j1", "shop_id", "42",
                            "type", "analysis")
    reply = r.call("XREADGROUP", "GROUP", "data-processors", "py-worker", "COUNT", "1",
                              "BLOCK", "2000", "STREAMS", "betterbundle:data-jobs", ">")
    # ioredis hands back the raw nested arrays.
    assert reply == [[b"betterbundle:data-jobs", [[job, [b"job_id", b"j1", b"shop_id", b"42",
                                                         b"type", b"analysis"]]]]]
    r.call("XADD", "betterbundle:analysis-results", "*", "job_id", "j1", "status", "done")
    assert r.call("XACK", "betterbundle:data-jobs", "data-processors", job) == 1
    assert r.call("XLEN", "betterbundle:analysis-results") == 1
    info = r.call("XINFO", "STREAM", "betterbundle:data-jobs")
    assert info[info.index(b"groups") + 1] == 1
    groups = r.call("XINFO", "GROUPS", "betterbundle:data-jobs")
    assert groups[0][groups[0].index(b"lag") + 1] == 0
    assert r.call("XPENDING", "betterbundle:data-jobs", "data-processors") == [0, None, None, None]


# ------------------------------------------------------------ (c) health endpoints


def typed(data):
    """Parse one RESP reply keeping each value's type byte: (type, value)."""
    pos = 0

    def line():
        nonlocal pos
        end = data.index(b"\r\n", pos)
        out = data[pos:end]
        pos = end + 2
        return out

    def parse():
        nonlocal pos
        ln = line()
        t, rest = chr(ln[0]), ln[1:]
        if t in "+-":
            return (t, rest)
        if t in ":(":
            return (t, int(rest))
        if t == "_":
            return (t, None)
        if t in "$=!":
            n = int(rest)
            if n < 0:
                return (t, None)
            v = data[pos:pos + n]
            pos += n + 2
            return (t, v)
        if t in "*~>":
            n = int(rest)
            return (t, None if n < 0 else [parse() for _ in range(n)])
        if t == "%":
            n = int(rest)
            return (t, [(parse(), parse()) for _ in range(n)])
        raise AssertionError(f"type {t!r}")

    return parse()


def as_pairs(node):
    """A RESP3 map, or a RESP2 flat array of pairs, as [(key, value node)]."""
    t, v = node
    if t == "%":
        return [(k[1], val) for k, val in v]
    assert t == "*" and len(v) % 2 == 0, node
    return [(v[i][1], v[i + 1]) for i in range(0, len(v), 2)]


def is_int(node):
    return node[0] == ":"


def is_bulk(node):
    return node[0] == "$" and node[1] is not None


def is_null(node, resp):
    return node == ("_", None) if resp == 3 else node[0] in "$*" and node[1] is None


def go_redis_strict(pairs_, allowed, what):
    """go-redis v9 fails the call on a key it does not know (readReply's default case)."""
    for key, _ in pairs_:
        if key.decode() not in allowed:
            raise AssertionError(f"redis: unexpected content {key!r} in {what} reply")


XINFO_STREAM_KEYS = ["length", "radix-tree-keys", "radix-tree-nodes", "last-generated-id",
                     "max-deleted-entry-id", "entries-added", "recorded-first-entry-id",
                     "groups", "first-entry", "last-entry"]
XINFO_GROUP_KEYS = ["name", "consumers", "pending", "last-delivered-id", "entries-read", "lag"]
XINFO_CONSUMER_KEYS = ["name", "pending", "idle", "inactive"]


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def proto(request, c):
    if request.param == 3:
        c.call("HELLO", 3)
    return request.param


def check_entry(node):
    assert node[0] == "*" and len(node[1]) == 2
    assert is_bulk(node[1][0])
    fields = node[1][1]
    assert fields[0] == "*" and all(is_bulk(x) for x in fields[1])


def test_health_endpoint_reply_shapes(r, c, proto):
    c.call("XGROUP", "CREATE", EVENTS, GROUP, "$", "MKSTREAM")
    for i in range(5):
        c.call("XADD", EVENTS, "*", "event_type", "click", "n", str(i))
    c.call("XREADGROUP", "GROUP", GROUP, "worker-0", "COUNT", "3", "STREAMS", EVENTS, ">")
    c.call("XGROUP", "CREATECONSUMER", EVENTS, GROUP, "worker-1")

    assert typed(c.call_raw("XLEN", EVENTS)) == (":", 5)

    # XINFO STREAM: exactly go-redis's keys, in Redis's order, with their types.
    info = as_pairs(typed(c.call_raw("XINFO", "STREAM", EVENTS)))
    go_redis_strict(info, XINFO_STREAM_KEYS, "XINFO STREAM")
    assert [k.decode() for k, _ in info] == XINFO_STREAM_KEYS
    d = dict(info)
    for k in ("length", "radix-tree-keys", "radix-tree-nodes", "entries-added", "groups"):
        assert is_int(d[k.encode()]), k
    for k in ("last-generated-id", "max-deleted-entry-id", "recorded-first-entry-id"):
        assert is_bulk(d[k.encode()]), k
    check_entry(d[b"first-entry"])
    check_entry(d[b"last-entry"])
    assert d[b"length"][1] == 5 and d[b"groups"][1] == 1

    # XINFO GROUPS: lag and entries-read are integers here.
    (group,) = typed(c.call_raw("XINFO", "GROUPS", EVENTS))[1]
    g = as_pairs(group)
    go_redis_strict(g, XINFO_GROUP_KEYS, "XINFO GROUPS")
    assert [k.decode() for k, _ in g] == XINFO_GROUP_KEYS
    g = dict(g)
    assert is_bulk(g[b"name"]) and is_bulk(g[b"last-delivered-id"])
    assert (g[b"consumers"], g[b"pending"], g[b"entries-read"], g[b"lag"]) == (
        (":", 2), (":", 3), (":", 3), (":", 2))

    # XINFO CONSUMERS.
    consumers = typed(c.call_raw("XINFO", "CONSUMERS", EVENTS, GROUP))[1]
    assert len(consumers) == 2
    for node in consumers:
        cons = as_pairs(node)
        go_redis_strict(cons, XINFO_CONSUMER_KEYS, "XINFO CONSUMERS")
        assert [k.decode() for k, _ in cons] == XINFO_CONSUMER_KEYS
        cons = dict(cons)
        assert is_bulk(cons[b"name"]) and all(is_int(cons[k]) for k in (b"pending", b"idle", b"inactive"))
    assert dict(as_pairs(consumers[1]))[b"inactive"] == (":", -1)

    # XPENDING summary: go-redis parses the per-consumer count from a bulk string.
    t, summary = typed(c.call_raw("XPENDING", EVENTS, GROUP))
    assert t == "*" and summary[0] == (":", 3) and is_bulk(summary[1]) and is_bulk(summary[2])
    assert summary[3] == ("*", [("*", [("$", b"worker-0"), ("$", b"3")])])
    # ... and its range form: [id, consumer, idle, count].
    rows = typed(c.call_raw("XPENDING", EVENTS, GROUP, "-", "+", "10"))[1]
    assert len(rows) == 3
    for row in rows:
        assert row[0] == "*" and [x[0] for x in row[1]] == ["$", "$", ":", ":"]


def test_health_endpoint_nulls(r, c, proto):
    """Empty groups and unknown lag: the nulls go-redis maps to zero values."""
    c.call("XGROUP", "CREATE", EVENTS, GROUP, "$", "MKSTREAM")
    d = dict(as_pairs(typed(c.call_raw("XINFO", "STREAM", EVENTS))))
    assert is_null(d[b"first-entry"], 2 if proto == 2 else 3)
    assert is_null(d[b"last-entry"], proto)
    t, summary = typed(c.call_raw("XPENDING", EVENTS, GROUP))
    assert summary[0] == (":", 0) and all(is_null(x, proto) for x in summary[1:])
    for i in range(3):
        c.call("XADD", EVENTS, f"{i + 1}-0", "f", "v")
    c.call("XGROUP", "CREATE", EVENTS, "fresh", "0")
    c.call("XDEL", EVENTS, "2-0")
    groups = {dict(as_pairs(n))[b"name"][1]: dict(as_pairs(n)) for n in typed(c.call_raw("XINFO", "GROUPS", EVENTS))[1]}
    # A deletion ahead of both groups: their lag cannot be known.
    for name in (b"fresh", GROUP.encode()):
        assert is_null(groups[name][b"entries-read"], proto)
        assert is_null(groups[name][b"lag"], proto)
    c.call("XREADGROUP", "GROUP", GROUP, "w", "STREAMS", EVENTS, ">")
    g = dict(as_pairs(typed(c.call_raw("XINFO", "GROUPS", EVENTS))[1][0]))
    assert g[b"name"] == ("$", GROUP.encode()) and g[b"entries-read"] == (":", 3) and g[b"lag"] == (":", 0)


def test_health_endpoint_redis_py(r):
    """What the /health handlers compute with redis-py."""
    r.xgroup_create(EVENTS, GROUP, id="$", mkstream=True)
    for i in range(7):
        r.xadd(EVENTS, {"n": i})
    r.xreadgroup(GROUP, "worker-0", {EVENTS: ">"}, count=4)
    health = {
        "queue_depth": r.xlen(EVENTS),
        "queue_pending": r.xpending(EVENTS, GROUP)["pending"],
        "lag": r.xinfo_groups(EVENTS)[0]["lag"],
    }
    assert health == {"queue_depth": 7, "queue_pending": 4, "lag": 3}
    s = r.xinfo_stream(EVENTS)
    assert s["length"] == 7 and s["groups"] == 1 and s["first-entry"][1] == {b"n": b"0"}
    full = r.xinfo_stream(EVENTS, full=True)
    assert full["length"] == 7 and len(full["entries"]) == 7
    assert full["groups"][0]["pel-count"] == 4
