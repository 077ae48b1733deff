"""Keyspace commands: DEL UNLINK EXISTS TYPE RENAME RENAMENX COPY SCAN KEYS
RANDOMKEY DBSIZE SELECT SWAPDB MOVE FLUSHDB FLUSHALL TOUCH OBJECT."""

import random
import time

import pytest

NOT_INT = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"
NO_SUCH_KEY = "ERR no such key"
DB_RANGE = "ERR DB index is out of range"
SAME = "ERR source and destination objects are the same"


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def full_scan(c, *extra):
    """Run a complete SCAN iteration; return (list of keys, #calls)."""
    cursor = b"0"
    keys = []
    calls = 0
    while True:
        reply = c.call("SCAN", cursor, *extra)
        assert isinstance(reply, list) and len(reply) == 2, reply
        cursor, batch = reply
        assert isinstance(cursor, bytes) and cursor.isdigit(), cursor
        keys.extend(batch)
        calls += 1
        if cursor == b"0":
            return keys, calls
        assert calls < 100000, "SCAN never finished"


# ------------------------------------------------------------ DEL UNLINK EXISTS


def test_del_unlink(r, c):
    c.call("MSET", "a", 1, "b", 2, "c", 3, "d", 4)
    assert c.call("DEL", "a") == 1
    assert c.call("DEL", "a") == 0
    assert c.call("DEL", "b", "c", "missing", "b") == 2
    assert c.call("UNLINK", "d", "missing") == 1
    assert c.call("DBSIZE") == 0
    assert c.error("DEL") == arity("del")
    assert c.error("UNLINK") == arity("unlink")


def test_unlink_big_value(r, c):
    c.call("SET", "big", "x" * 2_000_000)
    assert c.call("UNLINK", "big") == 1
    assert c.call("EXISTS", "big") == 0


def test_exists_counts_repeats(r, c):
    c.call("SET", "a", 1)
    assert c.call("EXISTS", "a") == 1
    assert c.call("EXISTS", "missing") == 0
    assert c.call("EXISTS", "a", "a", "missing", "a") == 3
    assert c.error("EXISTS") == arity("exists")


def test_type(r, c):
    c.call("SET", "s", "v")
    c.call("SET", "n", 1)
    assert c.call("TYPE", "s") == b"string"
    assert c.call("TYPE", "n") == b"string"
    assert c.call("TYPE", "missing") == b"none"
    assert c.error("TYPE") == arity("type")


def test_type_list(r, c):
    c.call("LPUSH", "l", "a")
    assert c.call("TYPE", "l") == b"list"


# ------------------------------------------------------------ RENAME RENAMENX


def test_rename(r, c):
    c.call("SET", "a", "1")
    assert c.call("RENAME", "a", "b") == b"OK"
    assert c.call("EXISTS", "a") == 0
    assert c.call("GET", "b") == b"1"
    c.call("SET", "c", "3", "EX", 100)
    assert c.call("RENAME", "b", "c") == b"OK"  # overwrites, drops dest's TTL
    assert c.call("GET", "c") == b"1"
    assert c.call("TTL", "c") == -1
    assert c.call("DBSIZE") == 1


def test_rename_moves_ttl(r, c):
    c.call("SET", "a", "1", "EX", 100)
    c.call("RENAME", "a", "b")
    assert 90 <= c.call("TTL", "b") <= 100


def test_rename_same_name(r, c):
    c.call("SET", "a", "1", "EX", 100)
    assert c.call("RENAME", "a", "a") == b"OK"
    assert c.call("GET", "a") == b"1"
    assert c.call("TTL", "a") > 0
    assert c.call("RENAMENX", "a", "a") == 0
    assert c.error("RENAME", "missing", "missing") == NO_SUCH_KEY


def test_rename_errors(r, c):
    assert c.error("RENAME", "missing", "b") == NO_SUCH_KEY
    assert c.error("RENAMENX", "missing", "b") == NO_SUCH_KEY
    assert c.error("RENAME", "a") == arity("rename")
    assert c.error("RENAMENX", "a") == arity("renamenx")
    assert c.call("EXISTS", "b") == 0


def test_renamenx(r, c):
    c.call("MSET", "a", "1", "b", "2")
    assert c.call("RENAMENX", "a", "b") == 0
    assert c.call("MGET", "a", "b") == [b"1", b"2"]
    assert c.call("RENAMENX", "a", "c") == 1
    assert c.call("MGET", "a", "c") == [None, b"1"]


# ------------------------------------------------------------ COPY


def test_copy(r, c):
    c.call("SET", "a", "hello", "EX", 100)
    assert c.call("COPY", "a", "b") == 1
    assert c.call("GET", "b") == b"hello"
    assert 90 <= c.call("TTL", "b") <= 100
    # copies are independent
    c.call("APPEND", "b", "!")
    assert c.call("GET", "a") == b"hello"
    assert c.call("COPY", "a", "b") == 0
    assert c.call("GET", "b") == b"hello!"
    assert c.call("COPY", "a", "b", "REPLACE") == 1
    assert c.call("GET", "b") == b"hello"
    assert c.call("COPY", "missing", "x") == 0
    assert c.call("EXISTS", "x") == 0


def test_copy_replace_drops_dest_ttl(r, c):
    c.call("SET", "a", "1")
    c.call("SET", "b", "2", "EX", 100)
    assert c.call("COPY", "a", "b", "REPLACE") == 1
    assert c.call("TTL", "b") == -1


def test_copy_to_other_db(r, c):
    c.call("SET", "a", "v")
    assert c.call("COPY", "a", "a", "DB", 1) == 1
    assert c.call("COPY", "a", "b", "DB", 1) == 1
    assert c.call("COPY", "a", "a", "DB", 1) == 0
    c.call("SET", "a", "w")
    assert c.call("COPY", "a", "a", "DB", 1, "REPLACE") == 1
    assert c.call("COPY", "a", "z", "REPLACE", "DB", 2) == 1
    c.call("SELECT", 1)
    assert c.call("MGET", "a", "b") == [b"w", b"v"]
    c.call("SELECT", 2)
    assert c.call("GET", "z") == b"w"
    c.call("SELECT", 0)
    assert c.call("GET", "a") == b"w"


def test_copy_errors(r, c):
    c.call("SET", "a", "v")
    assert c.error("COPY", "a", "a") == SAME
    assert c.error("COPY", "a", "a", "DB", 0) == SAME
    assert c.error("COPY", "a", "b", "DB", 16) == DB_RANGE
    assert c.error("COPY", "a", "b", "DB", -1) == DB_RANGE
    assert c.error("COPY", "a", "b", "DB", "x") == NOT_INT
    assert c.error("COPY", "a", "b", "FOO") == SYNTAX
    assert c.error("COPY", "a", "b", "DB") == SYNTAX
    assert c.error("COPY", "a") == arity("copy")
    assert c.call("EXISTS", "b") == 0


# ------------------------------------------------------------ SCAN


def test_scan_small(r, c):
    c.call("MSET", "a", 1, "b", 2, "c", 3)
    keys, _ = full_scan(c)
    assert sorted(keys) == [b"a", b"b", b"c"]
    cursor, batch = c.call("SCAN", 0)
    assert cursor == b"0" and sorted(batch) == [b"a", b"b", b"c"]


def test_scan_empty_db(r, c):
    assert c.call("SCAN", 0) == [b"0", []]


def test_scan_full_iteration_no_duplicates_when_static(r):
    n = 1000
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        pipe.set(f"key:{i}", i)
    pipe.execute()
    keys = set()
    cursor = 0
    calls = 0
    while True:
        cursor, batch = r.scan(cursor=cursor, count=10)
        keys.update(batch)
        calls += 1
        if cursor == 0:
            break
    assert keys == {f"key:{i}".encode() for i in range(n)}
    assert calls > 5  # COUNT is honoured roughly, not one huge batch


@pytest.mark.parametrize("count", [1, 5, 100, 10000])
def test_scan_count_variants(r, c, count):
    pipe = r.pipeline(transaction=False)
    for i in range(300):
        pipe.set(f"k{i}", i)
    pipe.execute()
    keys, calls = full_scan(c, "COUNT", count)
    assert set(keys) == {f"k{i}".encode() for i in range(300)}
    if count >= 10000:
        assert calls == 1
    if count == 1:
        assert calls > 30


def test_scan_guarantee_with_concurrent_writes(r, c):
    """Keys present for the whole iteration are returned at least once, even
    while other keys are added (forcing table growth) and removed."""
    rnd = random.Random(3)
    stable = {f"stable:{i}".encode() for i in range(500)}
    pipe = r.pipeline(transaction=False)
    for k in stable:
        pipe.set(k, 1)
    for i in range(500):
        pipe.set(f"temp:{i}", 1)
    pipe.execute()
    seen = set()
    cursor = b"0"
    added = 0
    for step in range(100000):
        cursor, batch = c.call("SCAN", cursor, "COUNT", 20)
        seen.update(batch)
        # churn: add 40 new keys, delete some temp keys
        pipe = r.pipeline(transaction=False)
        for _ in range(40):
            pipe.set(f"new:{added}", 1)
            added += 1
        for _ in range(10):
            pipe.delete(f"temp:{rnd.randrange(500)}")
        pipe.execute()
        if cursor == b"0":
            break
    assert stable <= seen, f"missing {len(stable - seen)} keys"
    assert not {k for k in seen if not (k.startswith(b"stable:") or k.startswith(b"temp:") or k.startswith(b"new:"))}


def test_scan_match(r, c):
    pipe = r.pipeline(transaction=False)
    for i in range(200):
        pipe.set(f"user:{i}", i)
        pipe.set(f"item:{i}", i)
    pipe.execute()
    keys, _ = full_scan(c, "MATCH", "user:1*", "COUNT", 50)
    expected = {f"user:{i}".encode() for i in range(200) if str(i).startswith("1")}
    assert set(keys) == expected
    keys, _ = full_scan(c, "MATCH", "nothing*")
    assert keys == []
    keys, _ = full_scan(c, "COUNT", 7, "MATCH", "item:?")
    assert set(keys) == {f"item:{i}".encode() for i in range(10)}


def test_scan_type_filter(r, c):
    c.call("MSET", "s1", "a", "s2", "b")
    keys, _ = full_scan(c, "TYPE", "string")
    assert sorted(keys) == [b"s1", b"s2"]
    keys, _ = full_scan(c, "TYPE", "STRING")
    assert sorted(keys) == [b"s1", b"s2"]
    # Redis 7.2: an unknown type name just matches nothing
    keys, _ = full_scan(c, "TYPE", "nosuchtype")
    assert keys == []


def test_scan_type_filter_with_lists(r, c):
    c.call("MSET", "s1", "a", "s2", "b")
    c.call("LPUSH", "l1", "x")
    c.call("LPUSH", "l2", "x")
    keys, _ = full_scan(c, "TYPE", "list")
    assert sorted(keys) == [b"l1", b"l2"]
    keys, _ = full_scan(c, "TYPE", "string", "MATCH", "*1")
    assert keys == [b"s1"]


def test_scan_errors(r, c):
    assert c.error("SCAN", "x") == "ERR invalid cursor"
    assert c.error("SCAN", "18446744073709551616") == "ERR invalid cursor"
    assert c.error("SCAN", 0, "COUNT", 0) == SYNTAX
    assert c.error("SCAN", 0, "COUNT", -1) == SYNTAX
    assert c.error("SCAN", 0, "COUNT", "x") == NOT_INT
    assert c.error("SCAN", 0, "MATCH") == SYNTAX
    assert c.error("SCAN", 0, "FOO", "bar") == SYNTAX
    assert c.error("SCAN") == arity("scan")


def test_scan_skips_expired_keys(r, c):
    c.call("SET", "live", 1)
    pipe = r.pipeline(transaction=False)
    for i in range(50):
        pipe.set(f"dead:{i}", 1, px=1)
    pipe.execute()
    time.sleep(0.05)
    keys, _ = full_scan(c)
    assert keys == [b"live"]


# ------------------------------------------------------------ KEYS


def test_keys_patterns(r, c):
    c.call("MSET", "hello", 1, "hallo", 1, "hxllo", 1, "hllo", 1, "heeeello", 1,
           "a*b", 1, "a?b", 1, "axb", 1, "h[x]llo", 1)
    assert sorted(c.call("KEYS", "*")) == sorted(
        [b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello", b"a*b", b"a?b", b"axb", b"h[x]llo"])
    assert sorted(c.call("KEYS", "h?llo")) == [b"hallo", b"hello", b"hxllo"]
    assert sorted(c.call("KEYS", "h*llo")) == [b"h[x]llo", b"hallo", b"heeeello", b"hello", b"hllo", b"hxllo"]
    assert sorted(c.call("KEYS", "h[ae]llo")) == [b"hallo", b"hello"]
    assert sorted(c.call("KEYS", "h[^e]llo")) == [b"hallo", b"hxllo"]
    assert sorted(c.call("KEYS", "h[a-e]llo")) == [b"hallo", b"hello"]
    assert c.call("KEYS", r"a\*b") == [b"a*b"]
    assert c.call("KEYS", r"a\?b") == [b"a?b"]
    assert c.call("KEYS", r"h\[x\]llo") == [b"h[x]llo"]
    assert sorted(c.call("KEYS", "a?b")) == [b"a*b", b"a?b", b"axb"]
    assert c.call("KEYS", "hello") == [b"hello"]
    assert c.call("KEYS", "nomatch*") == []
    assert c.error("KEYS") == arity("keys")


def test_keys_skips_expired(r, c):
    c.call("SET", "live", 1)
    c.call("SET", "dead", 1, "PX", 1)
    time.sleep(0.05)
    assert c.call("KEYS", "*") == [b"live"]


# ------------------------------------------------------------ RANDOMKEY DBSIZE


def test_randomkey_dbsize(r, c):
    assert c.call("RANDOMKEY") is None
    assert c.call("DBSIZE") == 0
    c.call("SET", "only", 1)
    assert c.call("RANDOMKEY") == b"only"
    c.call("MSET", "a", 1, "b", 2)
    assert c.call("DBSIZE") == 3
    seen = {c.call("RANDOMKEY") for _ in range(200)}
    assert seen <= {b"only", b"a", b"b"}
    assert len(seen) >= 2
    assert c.error("DBSIZE", "x") == arity("dbsize")


def test_randomkey_skips_expired(r, c):
    c.call("SET", "live", 1)
    pipe = r.pipeline(transaction=False)
    for i in range(20):
        pipe.set(f"dead:{i}", 1, px=1)
    pipe.execute()
    time.sleep(0.05)
    for _ in range(20):
        assert c.call("RANDOMKEY") == b"live"


# ------------------------------------------------------------ SELECT SWAPDB MOVE


def test_select_isolates_databases(r, c):
    c.call("SET", "k", "db0")
    assert c.call("SELECT", 1) == b"OK"
    assert c.call("GET", "k") is None
    c.call("SET", "k", "db1")
    assert c.call("DBSIZE") == 1
    assert c.call("SELECT", 15) == b"OK"
    assert c.call("DBSIZE") == 0
    c.call("SELECT", 0)
    assert c.call("GET", "k") == b"db0"


def test_select_errors(r, c):
    assert c.error("SELECT", 16) == DB_RANGE
    assert c.error("SELECT", -1) == DB_RANGE
    assert c.error("SELECT", "x") == NOT_INT
    assert c.error("SELECT") == arity("select")


def test_select_is_per_connection(r, raw):
    a, b = raw(), raw()
    a.call("SELECT", 3)
    a.call("SET", "k", "3")
    assert b.call("GET", "k") is None
    b.call("SELECT", 3)
    assert b.call("GET", "k") == b"3"


def test_swapdb(r, c, raw):
    other = raw()
    other.call("SELECT", 1)
    c.call("MSET", "a", "0", "only0", "x")
    other.call("SET", "a", "1")
    other.call("SET", "t", "v", "EX", 100)
    assert c.call("SWAPDB", 0, 1) == b"OK"
    # connections stay on their db index, which now holds the other data
    assert c.call("GET", "a") == b"1"
    assert c.call("TTL", "t") > 0
    assert c.call("EXISTS", "only0") == 0
    assert other.call("GET", "a") == b"0"
    assert other.call("GET", "only0") == b"x"
    assert c.call("SWAPDB", 1, 0) == b"OK"
    assert c.call("GET", "a") == b"0"
    assert c.call("SWAPDB", 0, 0) == b"OK"
    assert c.call("GET", "a") == b"0"


def test_swapdb_errors(r, c):
    assert c.error("SWAPDB", 0, 16) == DB_RANGE
    assert c.error("SWAPDB", -1, 0) == DB_RANGE
    assert c.error("SWAPDB", "x", 1) == "ERR invalid first DB index"
    assert c.error("SWAPDB", 0, "y") == "ERR invalid second DB index"
    assert c.error("SWAPDB", 0) == arity("swapdb")


def test_move(r, c):
    c.call("SET", "a", "v", "EX", 100)
    assert c.call("MOVE", "a", 1) == 1
    assert c.call("EXISTS", "a") == 0
    assert c.call("MOVE", "missing", 1) == 0
    c.call("SET", "a", "new")
    assert c.call("MOVE", "a", 1) == 0  # exists in target: not moved
    assert c.call("GET", "a") == b"new"
    c.call("SELECT", 1)
    assert c.call("GET", "a") == b"v"
    assert 90 <= c.call("TTL", "a") <= 100


def test_move_errors(r, c):
    c.call("SET", "a", "v")
    assert c.error("MOVE", "a", 0) == SAME
    assert c.error("MOVE", "a", 16) == DB_RANGE
    assert c.error("MOVE", "a", "x") == NOT_INT
    assert c.error("MOVE", "a") == arity("move")
    assert c.call("GET", "a") == b"v"


# ------------------------------------------------------------ FLUSHDB FLUSHALL


@pytest.mark.parametrize("mode", [[], ["ASYNC"], ["SYNC"], ["async"]])
def test_flushdb(r, c, mode):
    c.call("MSET", "a", 1, "b", 2)
    c.call("SELECT", 1)
    c.call("SET", "c", 3)
    c.call("SELECT", 0)
    assert c.call("FLUSHDB", *mode) == b"OK"
    assert c.call("DBSIZE") == 0
    assert c.call("KEYS", "*") == []
    c.call("SELECT", 1)
    assert c.call("GET", "c") == b"3"


@pytest.mark.parametrize("mode", [[], ["ASYNC"], ["SYNC"]])
def test_flushall(r, c, mode):
    c.call("MSET", "a", 1, "b", 2)
    c.call("SELECT", 7)
    c.call("SET", "c", 3)
    assert c.call("FLUSHALL", *mode) == b"OK"
    assert c.call("DBSIZE") == 0
    c.call("SELECT", 0)
    assert c.call("DBSIZE") == 0


def test_flush_large_async_then_write(r, c):
    pipe = r.pipeline(transaction=False)
    for i in range(20000):
        pipe.set(f"k{i}", "x" * 20)
    pipe.execute()
    assert c.call("FLUSHALL", "ASYNC") == b"OK"
    assert c.call("DBSIZE") == 0
    c.call("SET", "k1", "fresh")
    assert c.call("GET", "k1") == b"fresh"
    assert c.call("DBSIZE") == 1


def test_flush_errors(r, c):
    assert c.error("FLUSHDB", "FOO") == SYNTAX
    assert c.error("FLUSHALL", "FOO") == SYNTAX
    assert c.error("FLUSHALL", "ASYNC", "SYNC") == SYNTAX


# ------------------------------------------------------------ TOUCH OBJECT


def test_touch(r, c):
    c.call("MSET", "a", 1, "b", 2)
    assert c.call("TOUCH", "a", "b", "missing", "a") == 3
    assert c.call("TOUCH", "missing") == 0
    assert c.error("TOUCH") == arity("touch")


def test_object_encoding(r, c):
    cases = {
        "12345": b"int",
        "-1": b"int",
        "9223372036854775807": b"int",
        "01": b"embstr",
        " 1": b"embstr",
        "1.5": b"embstr",
        "12345678901234567890": b"embstr",
        "x" * 44: b"embstr",
        "x" * 45: b"raw",
        "hello": b"embstr",
    }
    for value, enc in cases.items():
        c.call("SET", "k", value)
        assert c.call("OBJECT", "ENCODING", "k") == enc, value
    assert c.call("OBJECT", "ENCODING", "missing") is None


def test_object_encoding_after_modification(r, c):
    c.call("SET", "n", 123)
    assert c.call("OBJECT", "ENCODING", "n") == b"int"
    c.call("INCR", "n")
    assert c.call("OBJECT", "ENCODING", "n") == b"int"
    c.call("APPEND", "n", "4")
    assert c.call("OBJECT", "ENCODING", "n") == b"raw"
    c.call("SET", "s", "abc")
    c.call("SETRANGE", "s", 0, "x")
    assert c.call("OBJECT", "ENCODING", "s") == b"raw"
    c.call("SET", "f", "1.5")
    c.call("INCRBYFLOAT", "f", 1)
    assert c.call("OBJECT", "ENCODING", "f") == b"embstr"


def test_object_refcount(r, c):
    c.call("SET", "k", "some string value")
    assert c.call("OBJECT", "REFCOUNT", "k") == 1
    assert c.call("OBJECT", "REFCOUNT", "missing") is None


def test_object_idletime_and_touch(r, c, raw):
    c.call("MSET", "a", "va", "b", "vb", "t", "vt")
    # the idle time has a one-second granularity
    assert c.call("OBJECT", "IDLETIME", "a") <= 1
    time.sleep(2.2)
    idle = c.call("OBJECT", "IDLETIME", "a")
    assert 2 <= idle <= 5
    # OBJECT itself does not count as an access
    assert c.call("OBJECT", "IDLETIME", "a") >= 2
    c.call("GET", "a")
    c.call("TOUCH", "t")
    assert c.call("OBJECT", "IDLETIME", "a") <= 1
    assert c.call("OBJECT", "IDLETIME", "t") <= 1
    assert c.call("OBJECT", "IDLETIME", "b") >= 2
    assert c.call("OBJECT", "IDLETIME", "missing") is None


def test_object_freq_needs_lfu_policy(r, c):
    c.call("SET", "k", "abc")
    assert c.error("OBJECT", "FREQ", "k") == (
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
        "Please note that when switching between policies at runtime LRU and LFU data "
        "will take some time to adjust.")


def test_object_freq_with_lfu(r, c, set_config):
    set_config("maxmemory-policy", "allkeys-lfu")
    set_config("lfu-decay-time", "0")
    c.call("SET", "k", "abc")
    assert c.call("OBJECT", "FREQ", "k") == 5  # new keys start at LFU_INIT_VAL
    c.call("GET", "k")
    assert c.call("OBJECT", "FREQ", "k") == 6
    assert c.call("OBJECT", "FREQ", "missing") is None
    assert c.error("OBJECT", "IDLETIME", "k") == (
        "ERR An LFU maxmemory policy is selected, idle time not tracked. "
        "Please note that when switching between policies at runtime LRU and LFU data "
        "will take some time to adjust.")


def test_object_errors(r, c):
    assert c.error("OBJECT", "FOO", "k") == "ERR unknown subcommand 'FOO'. Try OBJECT HELP."
    assert c.error("OBJECT", "ENCODING") == "ERR wrong number of arguments for 'object|encoding' command"
    help_lines = c.call("OBJECT", "HELP")
    assert isinstance(help_lines, list) and len(help_lines) > 5
    assert any(line.startswith(b"ENCODING") for line in help_lines)
