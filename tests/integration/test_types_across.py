"""Keyspace commands over every collection type (list, hash, set, zset,
stream): TYPE, COPY, RENAME, MOVE, SWAPDB, SCAN TYPE, OBJECT, DEL/UNLINK of
big values, WATCH, WRONGTYPE across families, and blocked clients woken by
keys that arrive through RENAME/MOVE/SWAPDB."""

import threading
import time

import pytest
import redis

from conftest import wait_until

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def fill(r, prefix=""):
    """One key of each collection type; returns {type name: key}."""
    keys = {
        "list": prefix + "l",
        "hash": prefix + "h",
        "set": prefix + "s",
        "zset": prefix + "z",
        "stream": prefix + "x",
    }
    r.rpush(keys["list"], "a", "b", "c")
    r.hset(keys["hash"], mapping={"f1": "v1", "f2": "v2"})
    r.sadd(keys["set"], "m1", "m2", "m3")
    r.zadd(keys["zset"], {"a": 1, "b": 2})
    r.xadd(keys["stream"], {"f": "v"}, id="1-1")
    return keys


def snapshot(r, key):
    """The whole value of a key, comparable across keys."""
    t = r.type(key).decode()
    if t == "list":
        return r.lrange(key, 0, -1)
    if t == "hash":
        return r.hgetall(key)
    if t == "set":
        return r.smembers(key)
    if t == "zset":
        return r.zrange(key, 0, -1, withscores=True)
    if t == "stream":
        return r.xrange(key)
    return r.get(key)


def test_type_of_every_collection(r):
    keys = fill(r)
    for name, key in keys.items():
        assert r.type(key) == name.encode()


def test_scan_type_filters_each_collection(r):
    keys = fill(r)
    r.set("str", "1")
    for name, key in keys.items():
        found = set(r.scan_iter(_type=name))
        assert found == {key.encode()}, name
    assert set(r.scan_iter(_type="string")) == {b"str"}


def test_copy_is_deep_for_every_type(r):
    keys = fill(r)
    for name, key in keys.items():
        before = snapshot(r, key)
        assert r.copy(key, key + ":copy") is True
        assert snapshot(r, key + ":copy") == before
        assert r.object("encoding", key + ":copy") == r.object("encoding", key)
    # Changing the source leaves the copy alone, and the other way round.
    r.rpush(keys["list"], "d")
    r.hset(keys["hash"], "f3", "v3")
    r.srem(keys["set"], "m1")
    r.zadd(keys["zset"], {"a": 10})
    r.xadd(keys["stream"], {"g": "w"}, id="2-1")
    assert r.lrange("l:copy", 0, -1) == [b"a", b"b", b"c"]
    assert r.hgetall("h:copy") == {b"f1": b"v1", b"f2": b"v2"}
    assert r.smembers("s:copy") == {b"m1", b"m2", b"m3"}
    assert r.zrange("z:copy", 0, -1, withscores=True) == [(b"a", 1.0), (b"b", 2.0)]
    assert r.xlen("x:copy") == 1
    r.lpop("l:copy")
    assert r.llen(keys["list"]) == 4


def test_copy_big_collections_and_to_other_db(r):
    r.rpush("bigl", *range(5000))
    r.hset("bigh", mapping={f"f{i}": i for i in range(2000)})
    r.sadd("bigs", *[f"m{i}" for i in range(2000)])
    r.zadd("bigz", {f"m{i}": i for i in range(2000)})
    for key in ("bigl", "bigh", "bigs", "bigz"):
        assert r.copy(key, key, destination_db=3) is True
    db3 = redis.Redis(connection_pool=redis.ConnectionPool(
        **{**r.connection_pool.connection_kwargs, "db": 3}))
    try:
        assert db3.llen("bigl") == 5000
        assert db3.hlen("bigh") == 2000
        assert db3.scard("bigs") == 2000
        assert db3.zcard("bigz") == 2000
        assert db3.object("encoding", "bigh") == b"hashtable"
        assert db3.object("encoding", "bigz") == b"skiplist"
        assert db3.lindex("bigl", 4999) == b"4999"
    finally:
        db3.flushdb()
        db3.connection_pool.disconnect()


def test_copy_replace_and_existing_target(r):
    keys = fill(r)
    r.set("target", "x")
    assert r.copy(keys["zset"], "target") is False
    assert r.copy(keys["zset"], "target", replace=True) is True
    assert r.type("target") == b"zset"


def test_rename_keeps_value_and_ttl(r):
    keys = fill(r)
    for name, key in keys.items():
        r.expire(key, 1000)
        before = snapshot(r, key)
        r.rename(key, key + ":new")
        assert r.exists(key) == 0
        assert snapshot(r, key + ":new") == before
        assert 0 < r.ttl(key + ":new") <= 1000
        assert r.type(key + ":new") == name.encode()


def test_move_and_swapdb_carry_collections(r):
    keys = fill(r)
    db1 = redis.Redis(connection_pool=redis.ConnectionPool(
        **{**r.connection_pool.connection_kwargs, "db": 1}))
    try:
        assert r.move(keys["hash"], 1) is True
        assert db1.hgetall("h") == {b"f1": b"v1", b"f2": b"v2"}
        r.swapdb(0, 1)
        assert r.hgetall("h") == {b"f1": b"v1", b"f2": b"v2"}
        assert db1.lrange("l", 0, -1) == [b"a", b"b", b"c"]
        assert db1.type("x") == b"stream"
    finally:
        db1.flushall()
        db1.connection_pool.disconnect()


def test_object_subcommands_on_collections(r):
    keys = fill(r)
    for key in keys.values():
        assert r.object("refcount", key) == 1
        assert r.object("idletime", key) >= 0
    assert r.object("encoding", keys["list"]) == b"listpack"
    assert r.object("encoding", keys["hash"]) == b"listpack"
    assert r.object("encoding", keys["set"]) == b"listpack"
    assert r.object("encoding", keys["zset"]) == b"listpack"
    assert r.object("encoding", keys["stream"]) == b"stream"
    r.sadd("ints", 1, 2, 3)
    assert r.object("encoding", "ints") == b"intset"


def test_del_and_unlink_big_values(r):
    r.rpush("bl", *range(20000))
    r.hset("bh", mapping={f"f{i}": i for i in range(5000)})
    r.sadd("bs", *range(5000))
    r.zadd("bz", {f"m{i}": i for i in range(5000)})
    for i in range(2000):
        r.xadd("bx", {"f": i})
    assert r.unlink("bl", "bh", "missing") == 2
    assert r.delete("bs", "bz", "bx") == 3
    assert r.dbsize() == 0
    for key in ("bl", "bh", "bs", "bz", "bx"):
        assert r.exists(key) == 0
    # The server keeps serving while the lazy-free thread works.
    assert r.ping() is True


def test_wrongtype_across_families(r):
    keys = fill(r)
    r.set("str", "1")
    cases = [
        ("GET", keys["list"]),
        ("LPUSH", "str", "x"),
        ("HSET", keys["set"], "f", "v"),
        ("SADD", keys["hash"], "m"),
        ("ZADD", keys["list"], 1, "m"),
        ("XADD", keys["zset"], "*", "f", "v"),
        ("LLEN", keys["stream"]),
        ("INCR", keys["hash"]),
        ("APPEND", keys["set"], "x"),
    ]
    for args in cases:
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command(*args)
        assert str(e.value) == WRONGTYPE, args
    # Nothing changed.
    assert snapshot(r, keys["list"]) == [b"a", b"b", b"c"]
    assert r.get("str") == b"1"


@pytest.mark.parametrize("write", [
    ("LPUSH", "w", "x"),
    ("HSET", "w", "f", "v"),
    ("SADD", "w", "m"),
    ("ZADD", "w", 1, "m"),
    ("XADD", "w", "*", "f", "v"),
])
def test_watch_sees_writes_of_every_type(r, connect, write):
    other = connect()
    seed = {"LPUSH": ("RPUSH", "w", "0"), "HSET": ("HSET", "w", "f0", "0"),
            "SADD": ("SADD", "w", "m0"), "ZADD": ("ZADD", "w", 0, "m0"),
            "XADD": ("XADD", "w", "*", "f0", "0")}[write[0]]
    r.execute_command(*seed)
    with r.pipeline() as p:
        p.watch("w")
        other.execute_command(*write)
        p.multi()
        p.set("done", 1)
        with pytest.raises(redis.WatchError):
            p.execute()
    assert r.exists("done") == 0


def blocked_count(r):
    return int(r.info("clients")["blocked_clients"])


def start_blpop(connect, *args):
    client = connect()
    result = {}

    def run():
        result["reply"] = client.execute_command(*args)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, result


def test_blpop_woken_by_rename_into_place(r, connect):
    t, result = start_blpop(connect, "BLPOP", "dst{t}", 5)
    wait_until(lambda: blocked_count(r) == 1, msg="client blocked")
    r.rpush("src{t}", "v")
    r.rename("src{t}", "dst{t}")
    t.join(5)
    assert list(result["reply"]) == [b"dst{t}", b"v"]
    assert r.exists("dst{t}") == 0


def test_blpop_woken_by_swapdb(r, connect):
    db1 = redis.Redis(connection_pool=redis.ConnectionPool(
        **{**r.connection_pool.connection_kwargs, "db": 1}))
    try:
        t, result = start_blpop(connect, "BLPOP", "k", 5)
        wait_until(lambda: blocked_count(r) == 1, msg="client blocked")
        db1.rpush("k", "from-db1")
        r.swapdb(0, 1)
        t.join(5)
        assert list(result["reply"]) == [b"k", b"from-db1"]
    finally:
        db1.flushall()
        db1.connection_pool.disconnect()


def test_blpop_not_woken_by_key_of_other_type(r, connect):
    t, result = start_blpop(connect, "BLPOP", "k", 5)
    wait_until(lambda: blocked_count(r) == 1, msg="client blocked")
    p = r.pipeline(transaction=True)
    p.lpush("k", "a").delete("k").set("k", "str")
    p.execute()
    time.sleep(0.1)
    assert blocked_count(r) == 1
    r.delete("k")
    r.rpush("k", "b")
    t.join(5)
    assert list(result["reply"]) == [b"k", b"b"]


def test_blmove_across_shards_is_atomic(r, connect):
    # Keys in different hash slots: on a threaded server they live in different shards.
    t, result = start_blpop(connect, "BLMOVE", "from-key", "to-key", "LEFT", "RIGHT", 5)
    wait_until(lambda: blocked_count(r) == 1, msg="client blocked")
    r.rpush("from-key", "v")
    t.join(5)
    assert result["reply"] == b"v"
    assert r.lrange("to-key", 0, -1) == [b"v"]
    assert r.exists("from-key") == 0


def test_many_waiters_on_many_threads_each_served_once(r, connect):
    n = 20
    threads = [start_blpop(connect, "BRPOP", "q", 10) for _ in range(n)]
    wait_until(lambda: blocked_count(r) == n, msg="all clients blocked")
    for i in range(n):
        connect().rpush("q", f"v{i}")
    got = []
    for t, result in threads:
        t.join(10)
        got.append(result["reply"][1])
    assert sorted(got) == sorted(f"v{i}".encode() for i in range(n))
    assert blocked_count(r) == 0
    assert r.exists("q") == 0


def test_xreadgroup_wait_ends_when_its_stream_expires(r, connect):
    # Active expiry deletes the key outside any command; the waiter still hears of it.
    r.xgroup_create("s", "g", id="$", mkstream=True)
    r.pexpire("s", 200)
    client = connect()
    start = time.monotonic()
    with pytest.raises(redis.ResponseError) as e:
        client.xreadgroup("g", "c", {"s": ">"}, block=5000)
    assert str(e.value).startswith("NOGROUP")
    assert time.monotonic() - start < 4


def test_idle_timeout_spares_blocked_clients(server_factory):
    srv = server_factory("--timeout", "1")
    client = srv.client()
    start = time.monotonic()
    assert client.blpop(["k"], timeout=2.5) is None
    assert time.monotonic() - start >= 2.4
    assert client.ping() is True
    client.connection_pool.disconnect()
