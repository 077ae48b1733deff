"""Stream commands: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD XSETID XINFO,
and consumer groups: XGROUP XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM.
Every option and error of Redis 7.2, through redis-py and raw RESP2/RESP3.
Blocking reads that really wait are in test_streams_blocking.py."""

import time

import pytest

from conftest import IS_REDIS, IS_WEIR, RespError

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INT = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"
INVALID_ID = "ERR Invalid stream ID specified as stream command argument"
NO_SUCH_KEY = "ERR no such key"
TOO_SMALL = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
MAX_ID = "18446744073709551615-18446744073709551615"


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def nogroup(key, group):
    return f"NOGROUP No such key '{key}' or consumer group '{group}'"


def nogroup_for_key(group, key):
    return f"NOGROUP No such consumer group '{group}' for key name '{key}'"


def pairs(flat):
    """[k1, v1, k2, v2...] -> dict (RESP2 maps)."""
    assert isinstance(flat, list) and len(flat) % 2 == 0, flat
    return dict(zip(flat[::2], flat[1::2]))


def ids(entries):
    return [e[0] for e in entries]


def fill(c, key, n, start=1):
    """n entries with IDs start-0.. (ms increasing), fields f <i>."""
    for i in range(start, start + n):
        assert c.call("XADD", key, f"{i}-0", "f", str(i)) == f"{i}-0".encode()


@pytest.fixture
def c3(c):
    """A raw connection switched to RESP3."""
    assert isinstance(c.call("HELLO", 3), dict)
    return c


# ------------------------------------------------------------ XADD


def test_xadd_auto_ids_increase(r, c):
    first = c.call("XADD", "s", "*", "a", "1")
    ms, seq = map(int, first.split(b"-"))
    assert abs(ms - time.time() * 1000) < 60000
    last = first
    for _ in range(50):
        nxt = c.call("XADD", "s", "*", "a", "1")
        assert tuple(map(int, nxt.split(b"-"))) > tuple(map(int, last.split(b"-")))
        last = nxt
    assert c.call("XLEN", "s") == 51
    assert c.call("TYPE", "s") == b"stream"
    assert c.call("OBJECT", "ENCODING", "s") == b"stream"


def test_xadd_redis_py_roundtrip(r):
    eid = r.xadd("s", {"name": "ann", "n": "7"})
    assert r.xrange("s") == [(eid, {b"name": b"ann", b"n": b"7"})]
    eid2 = r.xadd("s", {"x": "y"}, id="99999999999999-5")
    assert eid2 == b"99999999999999-5"
    assert r.xlen("s") == 2


def test_xadd_explicit_and_partial_ids(r, c):
    assert c.call("XADD", "s", "5-3", "a", "1") == b"5-3"
    assert c.error("XADD", "s", "5-3", "a", "1") == TOO_SMALL
    assert c.error("XADD", "s", "5-2", "a", "1") == TOO_SMALL
    assert c.error("XADD", "s", "4", "a", "1") == TOO_SMALL
    # "<ms>-*": the next sequence in the same ms, 0 in a later one.
    assert c.call("XADD", "s", "5-*", "a", "1") == b"5-4"
    assert c.call("XADD", "s", "7-*", "a", "1") == b"7-0"
    assert c.call("XADD", "s", "7-*", "a", "1") == b"7-1"
    assert c.error("XADD", "s", "6-*", "a", "1") == TOO_SMALL
    # "<ms>" alone means <ms>-0.
    assert c.call("XADD", "s", "8", "a", "1") == b"8-0"
    # A '*' after options and an ID given after NOMKSTREAM.
    assert c.call("XADD", "s", "NOMKSTREAM", "9-1", "a", "1") == b"9-1"


def test_xadd_zero_ids(r, c):
    assert c.error("XADD", "s", "0-0", "a", "1") == "ERR The ID specified in XADD must be greater than 0-0"
    assert c.error("XADD", "s", "0", "a", "1") == "ERR The ID specified in XADD must be greater than 0-0"
    assert c.call("EXISTS", "s") == 0  # refused before the key is created
    assert c.call("XADD", "s", "0-*", "a", "1") == b"0-1"
    assert c.call("XADD", "s", "0-*", "a", "1") == b"0-2"


def test_xadd_last_possible_ids(r, c):
    assert c.call("XADD", "s", "1-18446744073709551615", "a", "1") == b"1-18446744073709551615"
    assert c.error("XADD", "s", "1-*", "a", "1") == TOO_SMALL
    assert c.call("XADD", "s", "2-*", "a", "1") == b"2-0"
    assert c.call("XADD", "s", MAX_ID, "a", "1") == MAX_ID.encode()
    assert c.error("XADD", "s", "*", "a", "1") == (
        "ERR The stream has exhausted the last possible ID, unable to add more items")
    assert c.error("XADD", "s", "18446744073709551615-*", "a", "1") == (
        "ERR The stream has exhausted the last possible ID, unable to add more items")
    assert c.call("XLEN", "s") == 3


def test_xadd_invalid_ids(r, c):
    for bad in ["-", "+", "abc", "1-", "-1", "1-2-3", "1-x", "18446744073709551616",
                "1-18446744073709551616", "*-1", "x" * 200]:
        assert c.error("XADD", "s", bad, "a", "1") == INVALID_ID, bad
    assert c.call("EXISTS", "s") == 0


def test_xadd_arity_and_fields(r, c):
    assert c.error("XADD", "s") == arity("xadd")
    assert c.error("XADD", "s", "*") == arity("xadd")
    assert c.error("XADD", "s", "*", "a") == arity("xadd")
    assert c.error("XADD", "s", "*", "a", "1", "b") == arity("xadd")
    assert c.error("XADD", "s", "MAXLEN", "5", "*", "a") == arity("xadd")
    assert c.error("XADD", "s", "NOMKSTREAM", "MAXLEN", "5") == arity("xadd")
    assert c.call("EXISTS", "s") == 0


def test_xadd_wrongtype(r, c):
    c.call("SET", "str", "x")
    assert c.error("XADD", "str", "*", "a", "1") == WRONGTYPE
    assert c.error("XADD", "str", "NOMKSTREAM", "*", "a", "1") == WRONGTYPE
    assert c.call("GET", "str") == b"x"


def test_xadd_nomkstream(r, c):
    assert c.call("XADD", "s", "NOMKSTREAM", "*", "a", "1") is None
    assert c.call("EXISTS", "s") == 0
    c.call("XADD", "s", "1-1", "a", "1")
    assert c.call("XADD", "s", "NOMKSTREAM", "2-1", "a", "2") == b"2-1"
    assert c.call("XLEN", "s") == 2
    assert r.xadd("t", {"a": 1}, nomkstream=True) is None


def test_xadd_binary_safe_and_value_shapes(r, c):
    values = [b"", b"0", b"-0", b"+1", b"007", b"123", b"-123", b"9223372036854775807",
              b"-9223372036854775808", b"9223372036854775808", b"4611686018427387904",
              b"-4611686018427387904", b"1.5", b" 1", b"1 ", b"\x00\xff\r\n",
              bytes(range(256)), b"x" * 5000]
    for i, v in enumerate(values):
        c.call("XADD", "s", f"{i + 1}-0", b"f\x00" + str(i).encode(), v, b"", v)
    got = c.call("XRANGE", "s", "-", "+")
    assert len(got) == len(values)
    for i, (eid, fields) in enumerate(got):
        assert eid == f"{i + 1}-0".encode()
        assert fields == [b"f\x00" + str(i).encode(), values[i], b"", values[i]]


def test_xadd_changing_field_sets(r, c, set_config):
    set_config("stream-node-max-entries", "4")
    shapes = [["a", "1", "b", "2"], ["a", "1", "b", "2"], ["b", "2", "a", "1"],
              ["a", "1"], ["a", "1", "b", "2", "c", "3"], ["a", "x", "b", "2"],
              ["a", "1", "b", "2"], ["q", "q"]]
    for i, fv in enumerate(shapes * 3):
        c.call("XADD", "s", f"{i + 1}-0", *fv)
    got = c.call("XRANGE", "s", "-", "+")
    assert [e[1] for e in got] == [[x.encode() for x in fv] for fv in shapes * 3]
    rev = c.call("XREVRANGE", "s", "+", "-")
    assert rev == list(reversed(got))


def test_xadd_maxlen(r, c):
    for i in range(1, 11):
        c.call("XADD", "s", "MAXLEN", "5", f"{i}-0", "f", str(i))
    assert c.call("XLEN", "s") == 5
    assert ids(c.call("XRANGE", "s", "-", "+")) == [f"{i}-0".encode() for i in range(6, 11)]
    c.call("XADD", "s", "MAXLEN", "=", "3", "11-0", "f", "11")
    assert ids(c.call("XRANGE", "s", "-", "+")) == [b"9-0", b"10-0", b"11-0"]
    c.call("XADD", "s", "MAXLEN", "0", "12-0", "f", "12")
    assert c.call("XLEN", "s") == 0
    assert c.call("EXISTS", "s") == 1  # an empty stream stays
    r.xadd("t", {"a": 1})
    assert r.xadd("t", {"a": 2}, maxlen=1, approximate=False) is not None
    assert r.xlen("t") == 1


def test_xadd_maxlen_approx_trims_whole_nodes(r, c, set_config):
    set_config("stream-node-max-entries", "10")
    for i in range(1, 101):
        c.call("XADD", "s", "MAXLEN", "~", "55", f"{i}-0", "f", str(i))
    # Only whole nodes of 10 go: the length never drops below 55 and stays under 65.
    assert 55 <= c.call("XLEN", "s") < 65
    assert c.call("XADD", "s", "MAXLEN", "~", "0", "101-0", "f", "x") == b"101-0"
    assert c.call("XLEN", "s") < 11


def test_xadd_minid(r, c):
    fill(c, "s", 10)
    c.call("XADD", "s", "MINID", "6", "11-0", "f", "11")
    assert ids(c.call("XRANGE", "s", "-", "+")) == [f"{i}-0".encode() for i in range(6, 12)]
    c.call("XADD", "s", "MINID", "=", "9-0", "12-0", "f", "12")
    assert ids(c.call("XRANGE", "s", "-", "+"))[0] == b"9-0"
    assert c.error("XADD", "s", "MINID", "-", "13-0", "f", "1") == INVALID_ID
    assert c.error("XADD", "s", "MINID", "+", "13-0", "f", "1") == INVALID_ID
    assert c.error("XADD", "s", "MINID", "bad", "13-0", "f", "1") == INVALID_ID


def test_xadd_trim_errors(r, c):
    assert c.error("XADD", "s", "MAXLEN", "-1", "*", "f", "v") == "ERR The MAXLEN argument must be >= 0."
    assert c.error("XADD", "s", "MAXLEN", "x", "*", "f", "v") == NOT_INT
    assert c.error("XADD", "s", "MAXLEN", "~", "*", "f", "v") == NOT_INT
    assert c.error("XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v") == (
        "ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
    assert c.error("XADD", "s", "MINID", "1", "MAXLEN", "1", "*", "f", "v") == (
        "ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
    assert c.error("XADD", "s", "MAXLEN", "1", "LIMIT", "10", "*", "f", "v") == (
        "ERR syntax error, LIMIT cannot be used without the special ~ option")
    assert c.error("XADD", "s", "LIMIT", "10", "*", "f", "v") == (
        "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
    assert c.error("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "*", "f", "v") == (
        "ERR The LIMIT argument must be >= 0.")
    assert c.error("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "x", "*", "f", "v") == NOT_INT
    assert c.call("EXISTS", "s") == 0
    # Even LIMIT 0 needs `~`.
    assert c.error("XADD", "s", "LIMIT", "0", "1-1", "f", "v") == (
        "ERR syntax error, LIMIT cannot be used without the special ~ option")


def test_xadd_limit(r, c, set_config):
    set_config("stream-node-max-entries", "10")
    fill(c, "s", 100)
    # ~ with LIMIT 30: at most 30 entries go, in whole nodes.
    c.call("XADD", "s", "MAXLEN", "~", "0", "LIMIT", "30", "101-0", "f", "x")
    assert c.call("XLEN", "s") == 71
    # A LIMIT smaller than a node removes nothing.
    c.call("XADD", "s", "MAXLEN", "~", "0", "LIMIT", "5", "102-0", "f", "x")
    assert c.call("XLEN", "s") == 72
    # LIMIT 0 with ~ means no limit.
    c.call("XADD", "s", "MAXLEN", "~", "0", "LIMIT", "0", "103-0", "f", "x")
    assert c.call("XLEN", "s") < 10


# ------------------------------------------------------------ XLEN / XRANGE / XREVRANGE


def test_xlen(r, c):
    assert c.call("XLEN", "missing") == 0
    fill(c, "s", 3)
    assert c.call("XLEN", "s") == 3
    c.call("SET", "str", "x")
    assert c.error("XLEN", "str") == WRONGTYPE
    assert c.error("XLEN") == arity("xlen")


def test_xrange_bounds(r, c):
    for ms in (1, 2, 3):
        for seq in (0, 1, 2):
            c.call("XADD", "s", f"{ms}-{seq}", "f", f"{ms}.{seq}")
    assert len(c.call("XRANGE", "s", "-", "+")) == 9
    # A bare ms is seq 0 as a start and the last seq as an end.
    assert ids(c.call("XRANGE", "s", "2", "2")) == [b"2-0", b"2-1", b"2-2"]
    assert ids(c.call("XRANGE", "s", "1-2", "2-1")) == [b"1-2", b"2-0", b"2-1"]
    assert ids(c.call("XREVRANGE", "s", "2-1", "1-2")) == [b"2-1", b"2-0", b"1-2"]
    assert ids(c.call("XRANGE", "s", "(1-2", "(2-1")) == [b"2-0"]
    # A bare ms end is <ms>-<max seq>: "(3" still takes 3-0..3-2, "(1" as a start skips 1-0 only.
    assert ids(c.call("XRANGE", "s", "(1", "(3")) == [b"1-1", b"1-2", b"2-0", b"2-1", b"2-2",
                                                       b"3-0", b"3-1", b"3-2"]
    assert ids(c.call("XREVRANGE", "s", "(3", "(1")) == [b"3-2", b"3-1", b"3-0", b"2-2", b"2-1",
                                                          b"2-0", b"1-2", b"1-1"]
    assert ids(c.call("XRANGE", "s", "(1-2", "(3-0")) == [b"2-0", b"2-1", b"2-2"]
    assert c.call("XRANGE", "s", "3-0", "2-0") == []
    assert c.call("XREVRANGE", "s", "2-0", "3-0") == []
    assert ids(c.call("XRANGE", "s", "(0-0", "+")) == ids(c.call("XRANGE", "s", "-", "+"))
    assert ids(c.call("XRANGE", "s", "-", f"({MAX_ID}")) == ids(c.call("XRANGE", "s", "-", "+"))
    assert c.call("XRANGE", "s", "4", "+") == []


def test_xrange_interval_errors(r, c):
    fill(c, "s", 2)
    assert c.error("XRANGE", "s", f"({MAX_ID}", "+") == "ERR invalid start ID for the interval"
    assert c.error("XRANGE", "s", "-", "(0-0") == "ERR invalid end ID for the interval"
    assert c.error("XREVRANGE", "s", "(0-0", "-") == "ERR invalid end ID for the interval"
    assert c.error("XRANGE", "s", "(-", "+") == INVALID_ID
    assert c.error("XRANGE", "s", "-", "(+") == INVALID_ID
    assert c.error("XRANGE", "s", "x", "+") == INVALID_ID
    assert c.error("XRANGE", "s", "-", "1-x") == INVALID_ID
    # A lone "(" is not exclusive: it is an invalid ID.
    assert c.error("XRANGE", "s", "(", "+") == INVALID_ID


def test_xrange_count(r, c):
    fill(c, "s", 10)
    assert ids(c.call("XRANGE", "s", "-", "+", "COUNT", "3")) == [b"1-0", b"2-0", b"3-0"]
    assert ids(c.call("XREVRANGE", "s", "+", "-", "COUNT", "2")) == [b"10-0", b"9-0"]
    assert ids(c.call("XRANGE", "s", "-", "+", "count", "100")) == [f"{i}-0".encode() for i in range(1, 11)]
    # COUNT 0 or negative: a null reply.
    assert c.call_raw("XRANGE", "s", "-", "+", "COUNT", "0") == b"*-1\r\n"
    assert c.call("XRANGE", "s", "-", "+", "COUNT", "-5") is None
    # Several COUNTs: the last wins.
    assert len(c.call("XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "4")) == 4
    assert c.error("XRANGE", "s", "-", "+", "COUNT") == SYNTAX
    assert c.error("XRANGE", "s", "-", "+", "LIMIT", "1") == SYNTAX
    assert c.error("XRANGE", "s", "-", "+", "COUNT", "x") == NOT_INT
    assert r.xrange("s", count=2) == [(b"1-0", {b"f": b"1"}), (b"2-0", {b"f": b"2"})]
    assert r.xrevrange("s", count=1) == [(b"10-0", {b"f": b"10"})]


def test_xrange_missing_and_wrongtype(r, c):
    assert c.call("XRANGE", "missing", "-", "+") == []
    assert c.call("XREVRANGE", "missing", "+", "-") == []
    # Argument errors come before the key lookup.
    assert c.error("XRANGE", "missing", "x", "+") == INVALID_ID
    c.call("SET", "str", "x")
    assert c.error("XRANGE", "str", "-", "+") == WRONGTYPE
    assert c.error("XRANGE", "s", "-") == arity("xrange")


def test_xrange_across_many_nodes(r, c, set_config):
    set_config("stream-node-max-entries", "7")
    pipe = r.pipeline(transaction=False)
    for i in range(1, 501):
        pipe.xadd("s", {"i": i}, id=f"{i}-{i % 3}")
    pipe.execute()
    all_ids = ids(c.call("XRANGE", "s", "-", "+"))
    assert len(all_ids) == 500
    assert ids(c.call("XREVRANGE", "s", "+", "-")) == list(reversed(all_ids))
    # Iterate with COUNT and exclusive starts as clients page through a stream.
    seen, start = [], "-"
    while True:
        page = c.call("XRANGE", "s", start, "+", "COUNT", "33")
        if not page:
            break
        seen += ids(page)
        start = "(" + page[-1][0].decode()
    assert seen == all_ids
    assert ids(c.call("XRANGE", "s", "100", "110")) == [f"{i}-{i % 3}".encode() for i in range(100, 111)]
    assert ids(c.call("XREVRANGE", "s", "110", "100")) == [f"{i}-{i % 3}".encode() for i in range(110, 99, -1)]


# ------------------------------------------------------------ XDEL / XTRIM


def test_xdel(r, c):
    fill(c, "s", 5)
    assert c.call("XDEL", "s", "2-0", "4-0", "4-0", "9-0") == 2
    assert ids(c.call("XRANGE", "s", "-", "+")) == [b"1-0", b"3-0", b"5-0"]
    assert c.call("XLEN", "s") == 3
    assert c.call("XDEL", "s", "2-0") == 0
    # All IDs are checked before anything is deleted.
    assert c.error("XDEL", "s", "1-0", "bad") == INVALID_ID
    assert c.error("XDEL", "s", "1-0", "+") == INVALID_ID
    assert c.call("XLEN", "s") == 3
    assert c.call("XDEL", "missing", "1-0") == 0
    assert c.call("XDEL", "missing", "bad") == 0  # a missing key is checked first
    c.call("SET", "str", "x")
    assert c.error("XDEL", "str", "1-0") == WRONGTYPE
    assert c.error("XDEL", "s") == arity("xdel")
    # Deleting every entry leaves an empty stream (streams are not deleted when empty).
    assert c.call("XDEL", "s", "1-0", "3-0", "5-0") == 3
    assert c.call("EXISTS", "s") == 1 and c.call("XLEN", "s") == 0
    assert r.xdel("s", "1-0") == 0


def test_xdel_updates_first_and_max_deleted(r, c):
    fill(c, "s", 5)
    c.call("XDEL", "s", "3-0")
    info = pairs(c.call("XINFO", "STREAM", "s"))
    assert info[b"max-deleted-entry-id"] == b"3-0"
    assert info[b"recorded-first-entry-id"] == b"1-0"
    c.call("XDEL", "s", "1-0")
    info = pairs(c.call("XINFO", "STREAM", "s"))
    assert info[b"max-deleted-entry-id"] == b"3-0"
    assert info[b"recorded-first-entry-id"] == b"2-0"
    c.call("XDEL", "s", "2-0", "5-0", "4-0")
    info = pairs(c.call("XINFO", "STREAM", "s"))
    assert info[b"max-deleted-entry-id"] == b"5-0"
    assert info[b"recorded-first-entry-id"] == b"0-0"
    assert info[b"length"] == 0 and info[b"entries-added"] == 5
    assert info[b"first-entry"] is None and info[b"last-entry"] is None
    assert info[b"last-generated-id"] == b"5-0"
    # New entries still go after the last generated ID.
    assert c.error("XADD", "s", "5-0", "f", "v") == TOO_SMALL


def test_xdel_random_order_many_nodes(r, c, set_config):
    set_config("stream-node-max-entries", "5")
    pipe = r.pipeline(transaction=False)
    for i in range(1, 301):
        pipe.xadd("s", {"i": i}, id=f"{i}-0")
    pipe.execute()
    import random
    rnd = random.Random(5)
    order = list(range(1, 301))
    rnd.shuffle(order)
    left = set(order)
    for n, i in enumerate(order):
        assert c.call("XDEL", "s", f"{i}-0") == 1
        left.discard(i)
        if n % 37 == 0:
            assert ids(c.call("XRANGE", "s", "-", "+")) == [f"{x}-0".encode() for x in sorted(left)]
            assert ids(c.call("XREVRANGE", "s", "+", "-")) == [f"{x}-0".encode() for x in sorted(left, reverse=True)]
    assert c.call("XLEN", "s") == 0
    assert pairs(c.call("XINFO", "STREAM", "s"))[b"radix-tree-keys"] == 0


def test_xtrim(r, c):
    fill(c, "s", 10)
    assert c.call("XTRIM", "s", "MAXLEN", "7") == 3
    assert c.call("XTRIM", "s", "MAXLEN", "=", "7") == 0
    assert c.call("XTRIM", "s", "MINID", "6") == 2
    assert ids(c.call("XRANGE", "s", "-", "+"))[0] == b"6-0"
    assert c.call("XTRIM", "s", "MINID", "=", "100") == 5
    assert c.call("XLEN", "s") == 0 and c.call("EXISTS", "s") == 1
    assert c.call("XTRIM", "missing", "MAXLEN", "0") == 0
    assert r.xtrim("s", maxlen=0) == 0


def test_xtrim_errors(r, c):
    fill(c, "s", 3)
    assert c.error("XTRIM", "s") == arity("xtrim")
    assert c.error("XTRIM", "s", "MAXLEN") == arity("xtrim")
    assert c.error("XTRIM", "s", "FOO", "1") == SYNTAX
    assert c.error("XTRIM", "s", "LIMIT", "1") == (
        "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
    assert c.error("XTRIM", "s", "LIMIT", "0") == (
        "ERR syntax error, XTRIM must be called with a trimming strategy")
    assert c.error("XTRIM", "s", "MAXLEN", "1", "LIMIT", "1") == (
        "ERR syntax error, LIMIT cannot be used without the special ~ option")
    assert c.error("XTRIM", "s", "MAXLEN", "-1") == "ERR The MAXLEN argument must be >= 0."
    assert c.error("XTRIM", "s", "MINID", "x") == INVALID_ID
    assert c.error("XTRIM", "s", "MAXLEN", "1", "MINID", "1") == (
        "ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
    assert c.error("XTRIM", "s", "NOMKSTREAM", "MAXLEN", "1") == SYNTAX
    assert c.error("XTRIM", "s", "MAXLEN", "1", "*") == SYNTAX
    # Argument errors come before the type check.
    c.call("SET", "str", "x")
    assert c.error("XTRIM", "str", "MAXLEN", "x") == NOT_INT
    assert c.error("XTRIM", "str", "MAXLEN", "1") == WRONGTYPE
    assert c.call("XLEN", "s") == 3


def test_xtrim_approx_and_limit(r, c, set_config):
    set_config("stream-node-max-entries", "10")
    fill(c, "s", 95)
    assert c.call("XTRIM", "s", "MAXLEN", "~", "52") == 40
    assert c.call("XTRIM", "s", "MAXLEN", "~", "52") == 0
    assert c.call("XTRIM", "s", "MAXLEN", "52") == 3
    assert c.call("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "15") == 7
    assert c.call("XLEN", "s") == 45
    # A node goes only when its last ID is below MINID.
    assert c.call("XTRIM", "s", "MINID", "~", "60") == 0
    assert c.call("XTRIM", "s", "MINID", "~", "61") == 10
    assert c.call("XTRIM", "s", "MINID", "~", "71", "LIMIT", "1") == 0
    assert c.call("XTRIM", "s", "MINID", "60") == 0
    assert c.call("XTRIM", "s", "MINID", "65") == 4
    assert ids(c.call("XRANGE", "s", "-", "+", "COUNT", "1")) == [b"65-0"]
    info = pairs(c.call("XINFO", "STREAM", "s"))
    assert info[b"recorded-first-entry-id"] == b"65-0"
    assert info[b"entries-added"] == 95


def test_xtrim_default_approx_limit_is_100_nodes(r, c, set_config):
    set_config("stream-node-max-entries", "1")
    pipe = r.pipeline(transaction=False)
    for i in range(1, 251):
        pipe.xadd("s", {"f": i}, id=f"{i}-0")
    pipe.execute()
    # Without LIMIT, ~ trims at most 100 * stream-node-max-entries entries per call.
    assert c.call("XTRIM", "s", "MAXLEN", "~", "0") == 100
    # Exact trimming is not limited.
    assert c.call("XTRIM", "s", "MAXLEN", "0") == 150


def test_exact_trim_keeps_a_node_of_tombstones(r, c, set_config):
    """An exact MINID trim that flags a node's last live entries keeps the node (as Redis
    keeps the listpack), and the next entries go into it: node counts stay Redis's."""
    set_config("stream-node-max-entries", "5")
    fill(c, "s", 8)
    c.call("XDEL", "s", "8-0")
    assert c.call("XTRIM", "s", "MINID", "8") == 7
    info = pairs(c.call("XINFO", "STREAM", "s"))
    assert (info[b"length"], info[b"radix-tree-keys"]) == (0, 1)
    assert info[b"recorded-first-entry-id"] == b"0-0" and info[b"first-entry"] is None
    c.call("XADD", "s", "9-0", "f", "9")
    info = pairs(c.call("XINFO", "STREAM", "s"))
    assert (info[b"length"], info[b"radix-tree-keys"]) == (1, 1)
    assert info[b"first-entry"] == [b"9-0", [b"f", b"9"]]
    assert ids(c.call("XREVRANGE", "s", "+", "-")) == [b"9-0"]
    c.call("XADD", "s", "10-0", "f", "10")
    assert pairs(c.call("XINFO", "STREAM", "s"))[b"radix-tree-keys"] == 1
    c.call("XADD", "s", "11-0", "f", "11")  # the node now holds 5 (3 of them deleted)
    assert pairs(c.call("XINFO", "STREAM", "s"))[b"radix-tree-keys"] == 2
    assert c.call("XTRIM", "s", "MAXLEN", "~", "1") == 2
    assert ids(c.call("XRANGE", "s", "-", "+")) == [b"11-0"]


# ------------------------------------------------------------ XSETID


def test_xsetid(r, c):
    fill(c, "s", 3)
    assert c.call("XSETID", "s", "10-5") == b"OK"
    assert c.error("XADD", "s", "10-5", "f", "v") == TOO_SMALL
    assert c.call("XADD", "s", "10-*", "f", "v") == b"10-6"
    assert c.call("XSETID", "s", "100-0", "ENTRIESADDED", "50", "MAXDELETEDID", "20-0") == b"OK"
    info = pairs(c.call("XINFO", "STREAM", "s"))
    assert info[b"last-generated-id"] == b"100-0"
    assert info[b"entries-added"] == 50
    assert info[b"max-deleted-entry-id"] == b"20-0"


def test_xsetid_errors(r, c):
    assert c.error("XSETID", "s", "1-1") == NO_SUCH_KEY
    assert c.error("XSETID", "s", "1-1", "0") == SYNTAX
    assert c.error("XSETID", "s", "1-1", "ENTRIESADDED") == SYNTAX
    assert c.error("XSETID", "s", "1-1", "ENTRIESADDED", "-1", "MAXDELETEDID", "0-0") == (
        "ERR entries_added must be positive")
    assert c.error("XSETID", "s", "1-1", "ENTRIESADDED", "x") == NOT_INT
    assert c.error("XSETID", "s", "-") == INVALID_ID
    assert c.error("XSETID", "s") == arity("xsetid")
    c.call("XADD", "x", "1-0", "a", "b")
    assert c.error("XSETID", "x", "1-0", "ENTRIESADDED", "1", "MAXDELETEDID", "2-0") == (
        "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
    assert c.error("XSETID", "x", "1-0", "ENTRIESADDED", "0", "MAXDELETEDID", "0-0") == (
        "ERR The entries_added specified in XSETID is smaller than the target stream length")
    assert c.error("XSETID", "x", "0-5") == (
        "ERR The ID specified in XSETID is smaller than the target stream top item")
    c.call("XADD", "y", "1-1", "a", "1")
    c.call("XADD", "y", "1-2", "b", "2")
    c.call("XDEL", "y", "1-2")
    assert c.error("XSETID", "y", "1-1") == (
        "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")
    c.call("SET", "str", "x")
    assert c.error("XSETID", "str", "1-1") == WRONGTYPE


def test_xsetid_on_empty_stream_after_deletes(r, c):
    c.call("XADD", "s", "5-0", "f", "v")
    c.call("XDEL", "s", "5-0")
    # With no entries left, any ID not below the max deleted one is accepted.
    assert c.call("XSETID", "s", "5-0") == b"OK"
    assert c.call("XSETID", "s", "7-0", "ENTRIESADDED", "0") == b"OK"
    assert pairs(c.call("XINFO", "STREAM", "s"))[b"entries-added"] == 0


# ------------------------------------------------------------ XREAD


def test_xread_basic(r, c):
    fill(c, "a", 3)
    fill(c, "b", 2)
    got = c.call("XREAD", "STREAMS", "a", "b", "1-0", "0")
    assert got == [[b"a", [[b"2-0", [b"f", b"2"]], [b"3-0", [b"f", b"3"]]]],
                   [b"b", [[b"1-0", [b"f", b"1"]], [b"2-0", [b"f", b"2"]]]]]
    got = c.call("XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0")
    assert got == [[b"a", [[b"1-0", [b"f", b"1"]]]], [b"b", [[b"1-0", [b"f", b"1"]]]]]
    # Only streams with something newer are in the reply; none at all: a null reply.
    assert c.call("XREAD", "STREAMS", "a", "b", "3-0", "0") == [[b"b", [[b"1-0", [b"f", b"1"]], [b"2-0", [b"f", b"2"]]]]]
    assert c.call_raw("XREAD", "STREAMS", "a", "b", "3-0", "2-0") == b"*-1\r\n"
    assert c.call("XREAD", "STREAMS", "missing", "a", "0", "2") == [[b"a", [[b"3-0", [b"f", b"3"]]]]]
    assert c.call("XREAD", "STREAMS", "missing", "0") is None
    assert c.call("XREAD", "STREAMS", "a", "$") is None
    assert c.call("XREAD", "COUNT", "-1", "STREAMS", "a", "2") == [[b"a", [[b"3-0", [b"f", b"3"]]]]]
    assert c.call("XREAD", "COUNT", "0", "STREAMS", "a", "0")[0][1][2][0] == b"3-0"
    # The same stream named twice is served twice.
    assert c.call("XREAD", "STREAMS", "a", "a", "2", "2") == [[b"a", [[b"3-0", [b"f", b"3"]]]]] * 2
    assert r.xread({"a": "2-0"}) == [[b"a", [(b"3-0", {b"f": b"3"})]]]


def test_xread_errors(r, c):
    fill(c, "a", 1)
    assert c.error("XREAD", "STREAMS", "a") == arity("xread")
    assert c.error("XREAD", "STREAMS", "a", "b", "0") == (
        "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.")
    assert c.error("XREAD", "COUNT", "1", "a", "0") == SYNTAX
    assert c.error("XREAD", "COUNT", "x", "STREAMS", "a", "0") == NOT_INT
    assert c.error("XREAD", "BLOCK", "x", "STREAMS", "a", "0") == "ERR timeout is not an integer or out of range"
    assert c.error("XREAD", "BLOCK", "-1", "STREAMS", "a", "0") == "ERR timeout is negative"
    assert c.error("XREAD", "BLOCK", "1.5", "STREAMS", "a", "0") == "ERR timeout is not an integer or out of range"
    assert c.error("XREAD", "GROUP", "g", "c", "STREAMS", "a", "0") == (
        "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
    assert c.error("XREAD", "NOACK", "STREAMS", "a", "0") == (
        "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
    assert c.error("XREAD", "STREAMS", "a", ">") == (
        "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
    assert c.error("XREAD", "STREAMS", "a", "-") == INVALID_ID
    assert c.error("XREAD", "STREAMS", "a", "x") == INVALID_ID
    assert c.error("XREAD", "STREAMS", "a", "1-*") == INVALID_ID
    c.call("SET", "str", "x")
    assert c.error("XREAD", "STREAMS", "a", "str", "0", "0") == WRONGTYPE
    # The key is checked before its ID.
    assert c.error("XREAD", "STREAMS", "str", "x") == WRONGTYPE


def test_xread_block_with_data_returns_at_once(r, c):
    fill(c, "a", 2)
    t0 = time.monotonic()
    assert c.call("XREAD", "BLOCK", "5000", "STREAMS", "a", "1") == [[b"a", [[b"2-0", [b"f", b"2"]]]]]
    assert time.monotonic() - t0 < 2


def test_xread_block_in_multi_does_not_block(r, c):
    fill(c, "a", 1)
    c.call("MULTI")
    assert c.call("XREAD", "BLOCK", "0", "STREAMS", "a", "$") == b"QUEUED"
    assert c.call("XREAD", "BLOCK", "0", "STREAMS", "a", "0") == b"QUEUED"
    t0 = time.monotonic()
    assert c.call("EXEC") == [None, [[b"a", [[b"1-0", [b"f", b"1"]]]]]]
    assert time.monotonic() - t0 < 2


def test_xread_block_times_out(r, c):
    t0 = time.monotonic()
    assert c.call("XREAD", "BLOCK", "100", "STREAMS", "a", "$") is None
    assert time.monotonic() - t0 < 3


def test_xread_resp3_shape(r, c3):
    fill(c3, "a", 2)
    fill(c3, "b", 1)
    got = c3.call("XREAD", "STREAMS", "a", "b", "0", "0")
    assert got == {b"a": [[b"1-0", [b"f", b"1"]], [b"2-0", [b"f", b"2"]]],
                   b"b": [[b"1-0", [b"f", b"1"]]]}
    assert c3.call_raw("XREAD", "STREAMS", "a", "9") == b"_\r\n"
    raw = c3.call_raw("XREAD", "COUNT", "1", "STREAMS", "b", "0")
    assert raw == b"%1\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n"


@pytest.mark.skipif(IS_REDIS, reason="XREAD + (the last entry) is Redis 7.4; Weir takes it")
def test_xread_plus_reads_last_entry(r, c):
    fill(c, "a", 3)
    assert c.call("XREAD", "STREAMS", "a", "+") == [[b"a", [[b"3-0", [b"f", b"3"]]]]]
    assert c.call("XREAD", "COUNT", "5", "STREAMS", "a", "missing", "+", "+") == [[b"a", [[b"3-0", [b"f", b"3"]]]]]
    c.call("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM")
    assert c.error("XREAD", "STREAMS", "empty", "+") == "ERR the stream last element ID is 0-0"


# ------------------------------------------------------------ XGROUP


def test_xgroup_create(r, c):
    fill(c, "s", 3)
    assert c.call("XGROUP", "CREATE", "s", "g1", "0") == b"OK"
    assert c.call("XGROUP", "CREATE", "s", "g2", "$") == b"OK"
    assert c.call("XGROUP", "CREATE", "s", "g3", "2-0", "ENTRIESREAD", "2") == b"OK"
    assert c.error("XGROUP", "CREATE", "s", "g1", "0") == "BUSYGROUP Consumer Group name already exists"
    groups = {g[1]: pairs(g) for g in c.call("XINFO", "GROUPS", "s")}
    assert groups[b"g1"][b"last-delivered-id"] == b"0-0"
    assert groups[b"g1"][b"entries-read"] is None
    assert groups[b"g1"][b"lag"] == 3
    assert groups[b"g2"][b"last-delivered-id"] == b"3-0"
    assert groups[b"g2"][b"lag"] == 0
    assert groups[b"g3"][b"entries-read"] == 2 and groups[b"g3"][b"lag"] == 1
    # Groups are listed in name order.
    assert [g[1] for g in c.call("XINFO", "GROUPS", "s")] == [b"g1", b"g2", b"g3"]
    assert r.xgroup_create("s", "g4", id="0") is True


def test_xgroup_create_mkstream_and_errors(r, c):
    assert c.error("XGROUP", "CREATE", "s", "g", "$") == (
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
        "to use the MKSTREAM option to create an empty stream automatically.")
    assert c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM") == b"OK"
    assert c.call("TYPE", "s") == b"stream" and c.call("XLEN", "s") == 0
    assert c.error("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM") == "BUSYGROUP Consumer Group name already exists"
    assert c.error("XGROUP", "CREATE", "t", "g", "x", "MKSTREAM") == INVALID_ID
    assert c.error("XGROUP", "CREATE", "t", "g", "-", "MKSTREAM") == INVALID_ID
    assert c.call("EXISTS", "t") == 0
    assert c.error("XGROUP", "CREATE", "s", "g2", "0", "FOO") == (
        "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.")
    assert c.error("xgroup", "create", "s", "g2", "0", "ENTRIESREAD") == (
        "ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.")
    assert c.error("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "x") == NOT_INT
    assert c.error("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-2") == (
        "ERR value for ENTRIESREAD must be positive or -1")
    assert c.call("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "-1") == b"OK"
    assert c.error("XGROUP", "CREATE", "s", "g3", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM") == (
        "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.")
    assert c.error("XGROUP", "CREATE", "s", "g") == arity("xgroup|create")
    c.call("SET", "str", "x")
    assert c.error("XGROUP", "CREATE", "str", "g", "$", "MKSTREAM") == WRONGTYPE
    assert c.error("XGROUP", "FOO", "s", "g") == "ERR unknown subcommand 'FOO'. Try XGROUP HELP."
    assert c.error("XGROUP") == arity("xgroup")


def test_xgroup_setid(r, c):
    fill(c, "s", 5)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    assert c.call("XGROUP", "SETID", "s", "g", "3-0") == b"OK"
    g = pairs(c.call("XINFO", "GROUPS", "s")[0])
    assert g[b"last-delivered-id"] == b"3-0" and g[b"entries-read"] is None and g[b"lag"] is None
    assert c.call("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "5") == b"OK"
    g = pairs(c.call("XINFO", "GROUPS", "s")[0])
    assert g[b"last-delivered-id"] == b"5-0" and g[b"entries-read"] == 5 and g[b"lag"] == 0
    # SETID takes "-" and "+" (not CREATE).
    assert c.call("XGROUP", "SETID", "s", "g", "-") == b"OK"
    assert pairs(c.call("XINFO", "GROUPS", "s")[0])[b"last-delivered-id"] == b"0-0"
    assert c.call("XGROUP", "SETID", "s", "g", "+") == b"OK"
    assert pairs(c.call("XINFO", "GROUPS", "s")[0])[b"last-delivered-id"] == MAX_ID.encode()
    assert c.error("XGROUP", "SETID", "s", "nog", "0") == nogroup_for_key("nog", "s")
    assert c.error("XGROUP", "SETID", "missing", "g", "0") == (
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
        "to use the MKSTREAM option to create an empty stream automatically.")
    assert c.error("XGROUP", "SETID", "s", "g", "0", "MKSTREAM") == (
        "ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.")
    assert c.error("XGROUP", "SETID", "s", "g", "x") == INVALID_ID
    assert c.error("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "-3") == (
        "ERR value for ENTRIESREAD must be positive or -1")
    assert r.xgroup_setid("s", "g", id="0") is True


def test_xgroup_destroy(r, c):
    fill(c, "s", 2)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert c.call("XGROUP", "DESTROY", "s", "g") == 1
    assert c.call("XGROUP", "DESTROY", "s", "g") == 0
    assert c.call("XINFO", "GROUPS", "s") == []
    assert c.error("XGROUP", "DESTROY", "missing", "g").startswith("ERR The XGROUP subcommand requires the key to exist")
    assert c.error("XGROUP", "DESTROY", "s") == arity("xgroup|destroy")
    assert c.call("XLEN", "s") == 2


def test_xgroup_consumers(r, c):
    fill(c, "s", 3)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    assert c.call("XGROUP", "CREATECONSUMER", "s", "g", "alice") == 1
    assert c.call("XGROUP", "CREATECONSUMER", "s", "g", "alice") == 0
    assert c.call("XGROUP", "CREATECONSUMER", "s", "g", "bob") == 1
    c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    assert [pairs(x)[b"name"] for x in c.call("XINFO", "CONSUMERS", "s", "g")] == [b"alice", b"bob"]
    assert c.call("XGROUP", "DELCONSUMER", "s", "g", "alice") == 2
    assert c.call("XGROUP", "DELCONSUMER", "s", "g", "alice") == 0
    assert c.call("XPENDING", "s", "g")[0] == 0
    assert c.error("XGROUP", "CREATECONSUMER", "s", "nog", "x") == nogroup_for_key("nog", "s")
    assert c.error("XGROUP", "DELCONSUMER", "s", "nog", "x") == nogroup_for_key("nog", "s")
    assert c.error("XGROUP", "CREATECONSUMER", "s", "g") == arity("xgroup|createconsumer")
    assert r.xgroup_createconsumer("s", "g", "carol") == 1
    assert r.xgroup_delconsumer("s", "g", "carol") == 0


def test_xgroup_help(r, c):
    help_lines = c.call("XGROUP", "HELP")
    assert help_lines[0] == b"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert b"CREATE <key> <groupname> <id|$> [option]" in help_lines
    assert b"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]" in help_lines
    assert help_lines[-2:] == [b"HELP", b"    Print this help."]
    assert len(help_lines) == 17
    assert c.error("XGROUP", "HELP", "x") == arity("xgroup|help")
    info_lines = c.call("XINFO", "HELP")
    assert info_lines[0] == b"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert info_lines[1:7] == [b"CONSUMERS <key> <groupname>", b"    Show consumers of <groupname>.",
                               b"GROUPS <key>", b"    Show the stream consumer groups.",
                               b"STREAM <key> [FULL [COUNT <count>]", b"    Show information about the stream."]
    assert c.error("XINFO", "HELP", "x") == arity("xinfo|help")


# ------------------------------------------------------------ XREADGROUP


def test_xreadgroup_new_entries(r, c):
    fill(c, "s", 5)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    got = c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    assert got == [[b"s", [[b"1-0", [b"f", b"1"]], [b"2-0", [b"f", b"2"]]]]]
    got = c.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    assert ids(got[0][1]) == [b"3-0", b"4-0", b"5-0"]
    assert c.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">") is None
    g = pairs(c.call("XINFO", "GROUPS", "s")[0])
    assert g[b"last-delivered-id"] == b"5-0" and g[b"pending"] == 5
    assert g[b"entries-read"] == 5 and g[b"lag"] == 0 and g[b"consumers"] == 2
    assert c.call("XPENDING", "s", "g") == [5, b"1-0", b"5-0", [[b"alice", b"2"], [b"bob", b"3"]]]


def test_xreadgroup_history(r, c):
    fill(c, "s", 4)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">")
    # An explicit ID reads the consumer's own pending entries after it.
    got = c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    assert ids(got[0][1]) == [b"1-0", b"2-0", b"3-0"]
    got = c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "1-0")
    assert got == [[b"s", [[b"2-0", [b"f", b"2"]]]]]
    # Another consumer has no history; the stream is still in the reply, with no entries.
    assert c.call("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0") == [[b"s", []]]
    # Each history read counts as a delivery.
    pend = {e[0]: e[3] for e in c.call("XPENDING", "s", "g", "-", "+", "10")}
    assert pend == {b"1-0": 2, b"2-0": 3, b"3-0": 2}
    c.call("XACK", "s", "g", "2-0")
    assert ids(c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")[0][1]) == [b"1-0", b"3-0"]


def test_xreadgroup_history_of_deleted_entry_is_nil(r, c):
    fill(c, "s", 3)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    c.call("XDEL", "s", "2-0")
    got = c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    assert got == [[b"s", [[b"1-0", [b"f", b"1"]], [b"2-0", None], [b"3-0", [b"f", b"3"]]]]]
    raw = c.call_raw("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "1-0")
    assert raw == b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*-1\r\n"
    # A deleted entry's delivery count is not bumped by a history read.
    pend = {e[0]: e[3] for e in c.call("XPENDING", "s", "g", "-", "+", "10")}
    assert pend[b"2-0"] == 1 and pend[b"1-0"] == 2


def test_xreadgroup_history_nil_resp3(r, c3):
    fill(c3, "s", 2)
    c3.call("XGROUP", "CREATE", "s", "g", "0")
    c3.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    c3.call("XDEL", "s", "1-0")
    raw = c3.call_raw("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "0")
    assert raw == b"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n_\r\n"


def test_xreadgroup_noack(r, c):
    fill(c, "s", 3)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    got = c.call("XREADGROUP", "GROUP", "g", "alice", "NOACK", "STREAMS", "s", ">")
    assert ids(got[0][1]) == [b"1-0", b"2-0", b"3-0"]
    assert c.call("XPENDING", "s", "g") == [0, None, None, None]
    g = pairs(c.call("XINFO", "GROUPS", "s")[0])
    assert g[b"last-delivered-id"] == b"3-0" and g[b"lag"] == 0
    # NOACK reads do not make the consumer active.
    cons = pairs(c.call("XINFO", "CONSUMERS", "s", "g")[0])
    assert cons[b"inactive"] == -1 and cons[b"pending"] == 0


def test_xreadgroup_multiple_streams_and_resp3(r, c, c3):
    fill(c, "a", 2)
    fill(c, "b", 2)
    for k in ("a", "b"):
        c.call("XGROUP", "CREATE", k, "g", "0")
    got = c3.call("XREADGROUP", "GROUP", "g", "x", "COUNT", "1", "STREAMS", "a", "b", ">", ">")
    assert got == {b"a": [[b"1-0", [b"f", b"1"]]], b"b": [[b"1-0", [b"f", b"1"]]]}
    got = c3.call("XREADGROUP", "GROUP", "g", "x", "STREAMS", "a", "b", ">", "0")
    assert got == {b"a": [[b"2-0", [b"f", b"2"]]], b"b": [[b"1-0", [b"f", b"1"]]]}
    assert c3.call_raw("XREADGROUP", "GROUP", "g", "x", "STREAMS", "a", ">") == b"_\r\n"


def test_xreadgroup_errors(r, c):
    fill(c, "s", 1)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    assert c.error("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s") == arity("xreadgroup")
    assert c.error("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">") == (
        "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.")
    assert c.error("XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "s", ">") == (
        "ERR Missing GROUP option for XREADGROUP")
    assert c.error("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "s", ">") == SYNTAX
    assert c.error("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$") == (
        "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
        "of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ "
        "ID would just return an empty result set.")
    assert c.error("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "x") == INVALID_ID
    assert c.error("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">") == (
        "NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option")
    assert c.error("XREADGROUP", "GROUP", "g", "c", "STREAMS", "missing", ">") == (
        "NOGROUP No such key 'missing' or consumer group 'g' in XREADGROUP with GROUP option")
    # NOGROUP for a key comes before the ID of that key is parsed.
    assert c.error("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", "x") == (
        "NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option")
    c.call("SET", "str", "x")
    assert c.error("XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">") == WRONGTYPE
    assert c.error("XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">") == "ERR timeout is negative"
    # Nothing was created by the failed calls.
    assert c.call("XINFO", "CONSUMERS", "s", "g") == []


def test_xreadgroup_creates_consumer_without_data(r, c):
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    assert c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">") is None
    cons = c.call("XINFO", "CONSUMERS", "s", "g")
    assert len(cons) == 1
    d = pairs(cons[0])
    assert d[b"name"] == b"alice" and d[b"pending"] == 0 and d[b"inactive"] == -1
    assert 0 <= d[b"idle"] < 5000


def test_xreadgroup_redelivery_after_setid(r, c):
    fill(c, "s", 3)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    c.call("XCLAIM", "s", "g", "alice", "0", "1-0", "RETRYCOUNT", "9")
    c.call("XGROUP", "SETID", "s", "g", "0")
    # Re-delivered entries move to the reader with a count of 1.
    got = c.call("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">")
    assert ids(got[0][1]) == [b"1-0", b"2-0"]
    pend = {e[0]: (e[1], e[3]) for e in c.call("XPENDING", "s", "g", "-", "+", "10")}
    assert pend == {b"1-0": (b"bob", 1), b"2-0": (b"bob", 1), b"3-0": (b"alice", 1)}


def test_xreadgroup_redis_py(r):
    r.xadd("s", {"k": "v"}, id="1-0")
    r.xgroup_create("s", "g", id="0")
    got = r.xreadgroup("g", "c", {"s": ">"}, count=10)
    assert got == [[b"s", [(b"1-0", {b"k": b"v"})]]]
    assert r.xack("s", "g", "1-0") == 1
    assert r.xreadgroup("g", "c", {"s": "0"}) == [[b"s", []]]


# ------------------------------------------------------------ entries-read and lag


def group_info(c, key, name="g"):
    for g in c.call("XINFO", "GROUPS", key):
        d = pairs(g)
        if d[b"name"] == name.encode():
            return d
    raise AssertionError(f"no group {name}")


def test_lag_and_entries_read_track_reads(r, c):
    fill(c, "s", 5)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    g = group_info(c, "s")
    assert (g[b"entries-read"], g[b"lag"]) == (None, 5)
    c.call("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">")
    g = group_info(c, "s")
    assert (g[b"entries-read"], g[b"lag"]) == (2, 3)
    c.call("XADD", "s", "6-0", "f", "6")
    assert group_info(c, "s")[b"lag"] == 4
    c.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    g = group_info(c, "s")
    assert (g[b"entries-read"], g[b"lag"]) == (6, 0)


def test_lag_with_deletions(r, c):
    fill(c, "s", 5)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    # A deletion ahead of the group: the lag is unknown.
    c.call("XDEL", "s", "3-0")
    g = group_info(c, "s")
    assert (g[b"entries-read"], g[b"lag"]) == (1, None)
    c.call("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    g = group_info(c, "s")
    assert (g[b"last-delivered-id"], g[b"entries-read"], g[b"lag"]) == (b"2-0", None, None)
    # Past the deletion, the counter is exact again (the last entry's position is known).
    c.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    g = group_info(c, "s")
    assert (g[b"last-delivered-id"], g[b"entries-read"], g[b"lag"]) == (b"5-0", 5, 0)
    c.call("XADD", "s", "6-0", "f", "6")
    g = group_info(c, "s")
    assert (g[b"entries-read"], g[b"lag"]) == (5, 1)


def test_lag_with_deletion_behind_group(r, c):
    fill(c, "s", 5)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "s", ">")
    c.call("XDEL", "s", "2-0")
    g = group_info(c, "s")
    assert (g[b"entries-read"], g[b"lag"]) == (3, 2)


def test_lag_after_trimming(r, c):
    fill(c, "s", 10)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XGROUP", "CREATE", "s", "late", "0")
    c.call("XREADGROUP", "GROUP", "g", "c", "COUNT", "4", "STREAMS", "s", ">")
    c.call("XTRIM", "s", "MAXLEN", "3")
    g = group_info(c, "s")
    # Trimming is not deletion: the counters stay valid.
    assert (g[b"entries-read"], g[b"lag"]) == (4, 6)
    # A group that never read, behind the first entry: its position is estimated.
    late = group_info(c, "s", "late")
    assert (late[b"entries-read"], late[b"lag"]) == (None, 3)
    c.call("XREADGROUP", "GROUP", "late", "c", "COUNT", "1", "STREAMS", "s", ">")
    late = group_info(c, "s", "late")
    assert (late[b"last-delivered-id"], late[b"entries-read"], late[b"lag"]) == (b"8-0", 8, 2)


def test_lag_on_empty_and_new_streams(r, c):
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    g = group_info(c, "s")
    assert (g[b"entries-read"], g[b"lag"]) == (None, 0)
    c.call("XADD", "s", "1-0", "f", "v")
    assert group_info(c, "s")[b"lag"] == 1
    c.call("XDEL", "s", "1-0")
    g = group_info(c, "s")
    assert g[b"lag"] == 0
    c.call("XGROUP", "CREATE", "s", "g2", "$")
    assert group_info(c, "s", "g2")[b"lag"] == 0


def test_xgroup_create_entriesread_beyond_added(r, c):
    fill(c, "s", 3)
    c.call("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "10")
    g = group_info(c, "s")
    assert (g[b"entries-read"], g[b"lag"]) == (10, -7)


# ------------------------------------------------------------ XACK


def test_xack(r, c):
    fill(c, "s", 4)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert c.call("XACK", "s", "g", "1-0", "1-0", "3-0", "9-0") == 2
    assert c.call("XACK", "s", "g", "1-0") == 0
    assert c.error("XACK", "s", "g", "2-0", "bad") == INVALID_ID
    assert c.call("XPENDING", "s", "g")[0] == 2  # nothing acknowledged by the failed call
    assert c.call("XACK", "s", "nog", "2-0") == 0
    assert c.call("XACK", "missing", "g", "bad") == 0
    assert c.error("XACK", "s", "g") == arity("xack")
    c.call("SET", "str", "x")
    assert c.error("XACK", "str", "g", "1-0") == WRONGTYPE
    assert c.call("XACK", "s", "g", "2", "4") == 2
    assert c.call("XPENDING", "s", "g") == [0, None, None, None]


# ------------------------------------------------------------ XPENDING


def test_xpending_summary(r, c):
    fill(c, "s", 5)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    assert c.call("XPENDING", "s", "g") == [0, None, None, None]
    assert c.call_raw("XPENDING", "s", "g") == b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"
    c.call("XREADGROUP", "GROUP", "g", "zed", "COUNT", "1", "STREAMS", "s", ">")
    c.call("XREADGROUP", "GROUP", "g", "amy", "COUNT", "3", "STREAMS", "s", ">")
    c.call("XGROUP", "CREATECONSUMER", "s", "g", "idle")
    assert c.call("XPENDING", "s", "g") == [4, b"1-0", b"4-0", [[b"amy", b"3"], [b"zed", b"1"]]]
    assert r.xpending("s", "g") == {"pending": 4, "min": b"1-0", "max": b"4-0",
                                    "consumers": [{"name": b"amy", "pending": 3},
                                                  {"name": b"zed", "pending": 1}]}


def test_xpending_extended(r, c):
    fill(c, "s", 6)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "a", "COUNT", "3", "STREAMS", "s", ">")
    c.call("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">")
    rows = c.call("XPENDING", "s", "g", "-", "+", "10")
    assert [(row[0], row[1], row[3]) for row in rows] == [
        (f"{i}-0".encode(), b"a" if i <= 3 else b"b", 1) for i in range(1, 7)]
    assert all(0 <= row[2] < 5000 for row in rows)
    assert ids(c.call("XPENDING", "s", "g", "-", "+", "2")) == [b"1-0", b"2-0"]
    assert ids(c.call("XPENDING", "s", "g", "2", "4", "10")) == [b"2-0", b"3-0", b"4-0"]
    assert ids(c.call("XPENDING", "s", "g", "(2-0", "(4-0", "10")) == [b"3-0"]
    assert ids(c.call("XPENDING", "s", "g", "-", "+", "10", "b")) == [b"4-0", b"5-0", b"6-0"]
    assert ids(c.call("XPENDING", "s", "g", "5", "+", "10", "b")) == [b"5-0", b"6-0"]
    assert c.call("XPENDING", "s", "g", "-", "+", "10", "nobody") == []
    assert c.call("XPENDING", "s", "g", "-", "+", "0") == []
    assert c.call("XPENDING", "s", "g", "-", "+", "-1") == []
    # IDLE filters on the time since the last delivery.
    assert c.call("XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10") == []
    assert len(c.call("XPENDING", "s", "g", "IDLE", "0", "-", "+", "10")) == 6
    time.sleep(0.05)
    c.call("XCLAIM", "s", "g", "a", "0", "2-0")
    idle = c.call("XPENDING", "s", "g", "IDLE", "40", "-", "+", "10")
    assert b"2-0" not in ids(idle) and len(idle) == 5
    got = r.xpending_range("s", "g", min="-", max="+", count=1)
    assert got[0]["message_id"] == b"1-0" and got[0]["consumer"] == b"a"
    assert got[0]["times_delivered"] == 1


def test_xpending_errors(r, c):
    fill(c, "s", 2)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    assert c.error("XPENDING", "s") == arity("xpending")
    assert c.error("XPENDING", "s", "g", "-") == SYNTAX
    assert c.error("XPENDING", "s", "g", "-", "+") == SYNTAX
    assert c.error("XPENDING", "s", "g", "-", "+", "10", "c", "x", "y", "z") == SYNTAX
    assert c.error("XPENDING", "s", "g", "IDLE", "10", "-", "+") == SYNTAX
    assert c.error("XPENDING", "s", "g", "IDLE", "x", "-", "+", "1") == NOT_INT
    assert c.error("XPENDING", "s", "g", "-", "+", "x") == NOT_INT
    assert c.error("XPENDING", "s", "g", "x", "+", "1") == INVALID_ID
    assert c.error("XPENDING", "s", "g", f"({MAX_ID}", "+", "1") == "ERR invalid start ID for the interval"
    assert c.error("XPENDING", "s", "g", "-", "(0-0", "1") == "ERR invalid end ID for the interval"
    assert c.error("XPENDING", "s", "nog") == nogroup("s", "nog")
    assert c.error("XPENDING", "missing", "g", "-", "+", "1") == nogroup("missing", "g")
    # Argument errors come first.
    assert c.error("XPENDING", "missing", "g", "-", "+", "x") == NOT_INT
    c.call("SET", "str", "x")
    assert c.error("XPENDING", "str", "g") == WRONGTYPE


# ------------------------------------------------------------ XCLAIM


@pytest.fixture
def claimable(c):
    """Stream s with entries 1..5 delivered to alice in group g."""
    fill(c, "s", 5)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    return c


def pending_of(c, key="s", group="g"):
    return {row[0]: (row[1], row[3]) for row in c.call("XPENDING", key, group, "-", "+", "100")}


def test_xclaim(r, claimable):
    c = claimable
    got = c.call("XCLAIM", "s", "g", "bob", "0", "1-0", "2-0", "9-0")
    assert got == [[b"1-0", [b"f", b"1"]], [b"2-0", [b"f", b"2"]]]
    p = pending_of(c)
    assert p[b"1-0"] == (b"bob", 2) and p[b"2-0"] == (b"bob", 2) and p[b"3-0"] == (b"alice", 1)
    # min-idle-time not reached: nothing claimed, but the consumer exists.
    assert c.call("XCLAIM", "s", "g", "carol", "100000", "3-0") == []
    assert b"carol" in [pairs(x)[b"name"] for x in c.call("XINFO", "CONSUMERS", "s", "g")]
    # JUSTID: IDs only, the delivery count is not bumped.
    assert c.call("XCLAIM", "s", "g", "bob", "0", "3-0", "JUSTID") == [b"3-0"]
    assert pending_of(c)[b"3-0"] == (b"bob", 1)
    # RETRYCOUNT sets the count; IDLE sets the idle time.
    c.call("XCLAIM", "s", "g", "bob", "0", "4-0", "RETRYCOUNT", "7", "IDLE", "50000", "JUSTID")
    row = c.call("XPENDING", "s", "g", "4-0", "4-0", "1")[0]
    assert row[1] == b"bob" and row[3] == 7 and 50000 <= row[2] < 60000
    # TIME sets the delivery time; a time in the future counts as now.
    c.call("XCLAIM", "s", "g", "bob", "0", "5-0", "TIME", str(int(time.time() * 1000) - 30000))
    row = c.call("XPENDING", "s", "g", "5-0", "5-0", "1")[0]
    assert 30000 <= row[2] < 40000
    c.call("XCLAIM", "s", "g", "bob", "0", "5-0", "TIME", str(int(time.time() * 1000) + 10 ** 9))
    assert c.call("XPENDING", "s", "g", "5-0", "5-0", "1")[0][2] < 5000


def test_xclaim_min_idle(r, claimable):
    c = claimable
    time.sleep(0.12)
    assert ids(c.call("XCLAIM", "s", "g", "bob", "100", "1-0")) == [b"1-0"]
    # Just claimed: idle again.
    assert c.call("XCLAIM", "s", "g", "carol", "100", "1-0") == []
    assert c.call("XCLAIM", "s", "g", "carol", "-5", "1-0", "JUSTID") == [b"1-0"]


def test_xclaim_force_and_lastid(r, claimable):
    c = claimable
    fill(c, "s", 2, start=6)
    # Not pending: ignored without FORCE, added with it (only if the entry exists).
    assert c.call("XCLAIM", "s", "g", "bob", "0", "6-0") == []
    assert c.call("XCLAIM", "s", "g", "bob", "0", "6-0", "99-0", "FORCE", "JUSTID") == [b"6-0"]
    assert pending_of(c)[b"6-0"] == (b"bob", 1)
    assert b"99-0" not in pending_of(c)
    assert c.call("XCLAIM", "s", "g", "bob", "0", "7-0", "FORCE") == [[b"7-0", [b"f", b"7"]]]
    assert pending_of(c)[b"7-0"] == (b"bob", 2)
    # LASTID moves the group's last-delivered ID forward only.
    c.call("XCLAIM", "s", "g", "bob", "0", "1-0", "LASTID", "50-0")
    assert group_info(c, "s")[b"last-delivered-id"] == b"50-0"
    c.call("XCLAIM", "s", "g", "bob", "0", "1-0", "LASTID", "10-0")
    assert group_info(c, "s")[b"last-delivered-id"] == b"50-0"


def test_xclaim_deleted_entries_leave_the_pel(r, claimable):
    c = claimable
    c.call("XDEL", "s", "2-0", "3-0")
    assert c.call("XCLAIM", "s", "g", "bob", "0", "1-0", "2-0", "3-0", "JUSTID") == [b"1-0"]
    assert sorted(pending_of(c)) == [b"1-0", b"4-0", b"5-0"]


def test_xclaim_errors(r, claimable):
    c = claimable
    assert c.error("XCLAIM", "s", "g", "bob", "x", "1-0") == "ERR Invalid min-idle-time argument for XCLAIM"
    assert c.error("XCLAIM", "s", "g", "bob", "0", "1-0", "FOO") == "ERR Unrecognized XCLAIM option 'FOO'"
    assert c.error("XCLAIM", "s", "g", "bob", "0", "1-0", "IDLE", "x") == "ERR Invalid IDLE option argument for XCLAIM"
    assert c.error("XCLAIM", "s", "g", "bob", "0", "1-0", "TIME", "x") == "ERR Invalid TIME option argument for XCLAIM"
    assert c.error("XCLAIM", "s", "g", "bob", "0", "1-0", "RETRYCOUNT", "x") == (
        "ERR Invalid RETRYCOUNT option argument for XCLAIM")
    assert c.error("XCLAIM", "s", "g", "bob", "0", "1-0", "LASTID", "x") == INVALID_ID
    assert c.error("XCLAIM", "s", "g", "bob", "0", "1-0", "IDLE") == "ERR Unrecognized XCLAIM option 'IDLE'"
    # IDs end at the first non-ID: a later ID is an unknown option.
    assert c.error("XCLAIM", "s", "g", "bob", "0", "1-0", "JUSTID", "2-0") == "ERR Unrecognized XCLAIM option '2-0'"
    assert c.error("XCLAIM", "s", "nog", "bob", "0", "1-0") == nogroup("s", "nog")
    assert c.error("XCLAIM", "missing", "g", "bob", "0", "1-0") == nogroup("missing", "g")
    # NOGROUP comes before argument errors.
    assert c.error("XCLAIM", "s", "nog", "bob", "x", "1-0") == nogroup("s", "nog")
    assert c.error("XCLAIM", "s", "g", "bob", "0") == arity("xclaim")
    assert pending_of(c)[b"1-0"] == (b"alice", 1)  # errors changed nothing
    c.call("SET", "str", "x")
    assert c.error("XCLAIM", "str", "g", "bob", "0", "1-0") == WRONGTYPE


def test_xclaim_no_ids_still_creates_consumer(r, claimable):
    c = claimable
    assert c.call("XCLAIM", "s", "g", "newbie", "0", "FORCE") == []
    assert b"newbie" in [pairs(x)[b"name"] for x in c.call("XINFO", "CONSUMERS", "s", "g")]


def test_xclaim_redis_py(r, claimable):
    got = r.xclaim("s", "g", "bob", 0, ["1-0"], justid=True)
    assert got == [b"1-0"]


# ------------------------------------------------------------ XAUTOCLAIM


def test_xautoclaim(r, claimable):
    c = claimable
    got = c.call("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "2")
    assert got == [b"3-0", [[b"1-0", [b"f", b"1"]], [b"2-0", [b"f", b"2"]]], []]
    got = c.call("XAUTOCLAIM", "s", "g", "bob", "0", "3-0", "COUNT", "2", "JUSTID")
    assert got == [b"5-0", [b"3-0", b"4-0"], []]
    got = c.call("XAUTOCLAIM", "s", "g", "bob", "0", "5-0")
    assert got == [b"0-0", [[b"5-0", [b"f", b"5"]]], []]
    p = pending_of(c)
    assert p[b"1-0"] == (b"bob", 2) and p[b"3-0"] == (b"bob", 1) and p[b"5-0"] == (b"bob", 2)
    assert c.call("XAUTOCLAIM", "s", "g", "bob", "0", "(5-0") == [b"0-0", [], []]
    # min-idle-time: nothing old enough.
    assert c.call("XAUTOCLAIM", "s", "g", "carol", "100000", "-") == [b"0-0", [], []]


def test_xautoclaim_reports_deleted(r, claimable):
    c = claimable
    c.call("XDEL", "s", "2-0", "4-0")
    got = c.call("XAUTOCLAIM", "s", "g", "bob", "0", "-", "COUNT", "3", "JUSTID")
    # Deleted entries count towards COUNT, leave the PEL and are listed last.
    assert got == [b"4-0", [b"1-0", b"3-0"], [b"2-0"]]
    got = c.call("XAUTOCLAIM", "s", "g", "bob", "0", "4-0", "JUSTID")
    assert got == [b"0-0", [b"5-0"], [b"4-0"]]
    assert sorted(pending_of(c)) == [b"1-0", b"3-0", b"5-0"]


def test_xautoclaim_attempts_limit(r, c):
    fill(c, "s", 30)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
    c.call("XCLAIM", "s", "g", "a", "0", "1-0", "JUSTID")  # 1-0 is now fresh
    time.sleep(0.06)
    c.call("XCLAIM", "s", "g", "a", "0", *[f"{i}-0" for i in range(1, 26)], "JUSTID")
    # COUNT 2 allows 20 attempts: the 20 fresh entries use them all.
    got = c.call("XAUTOCLAIM", "s", "g", "b", "50", "-", "COUNT", "2", "JUSTID")
    assert got == [b"21-0", [], []]
    got = c.call("XAUTOCLAIM", "s", "g", "b", "50", got[0], "COUNT", "2", "JUSTID")
    assert got == [b"28-0", [b"26-0", b"27-0"], []]


def test_xautoclaim_errors(r, claimable):
    c = claimable
    assert c.error("XAUTOCLAIM", "s", "g", "bob", "x", "0") == "ERR Invalid min-idle-time argument for XAUTOCLAIM"
    assert c.error("XAUTOCLAIM", "s", "g", "bob", "0", "x") == INVALID_ID
    assert c.error("XAUTOCLAIM", "s", "g", "bob", "0", f"({MAX_ID}") == "ERR invalid start ID for the interval"
    assert c.error("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "0") == "ERR COUNT must be > 0"
    assert c.error("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", "x") == "ERR COUNT must be > 0"
    assert c.error("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT", str(2 ** 62)) == "ERR COUNT must be > 0"
    assert c.error("XAUTOCLAIM", "s", "g", "bob", "0", "0", "COUNT") == SYNTAX
    assert c.error("XAUTOCLAIM", "s", "g", "bob", "0", "0", "FOO") == SYNTAX
    assert c.error("XAUTOCLAIM", "s", "nog", "bob", "0", "0") == nogroup("s", "nog")
    assert c.error("XAUTOCLAIM", "missing", "g", "bob", "0", "0") == nogroup("missing", "g")
    # Argument errors come before NOGROUP.
    assert c.error("XAUTOCLAIM", "s", "nog", "bob", "x", "0") == "ERR Invalid min-idle-time argument for XAUTOCLAIM"
    assert c.error("XAUTOCLAIM", "s", "g", "bob", "0") == arity("xautoclaim")
    c.call("SET", "str", "x")
    assert c.error("XAUTOCLAIM", "str", "g", "bob", "0", "0") == WRONGTYPE


def test_xautoclaim_redis_py(r, claimable):
    assert r.xautoclaim("s", "g", "bob", 0, "0-0", count=1, justid=True) == [b"1-0"]
    got = r.xautoclaim("s", "g", "bob", 0, "2-0", count=1)
    assert got[0] == b"3-0" and got[1] == [(b"2-0", {b"f": b"2"})]


# ------------------------------------------------------------ XINFO


def test_xinfo_stream(r, c):
    fill(c, "s", 3)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    info = pairs(c.call("XINFO", "STREAM", "s"))
    assert list(info) == [b"length", b"radix-tree-keys", b"radix-tree-nodes", b"last-generated-id",
                          b"max-deleted-entry-id", b"entries-added", b"recorded-first-entry-id",
                          b"groups", b"first-entry", b"last-entry"]
    assert info[b"length"] == 3 and info[b"radix-tree-keys"] == 1
    assert info[b"last-generated-id"] == b"3-0" and info[b"max-deleted-entry-id"] == b"0-0"
    assert info[b"entries-added"] == 3 and info[b"recorded-first-entry-id"] == b"1-0"
    assert info[b"groups"] == 1
    assert info[b"first-entry"] == [b"1-0", [b"f", b"1"]]
    assert info[b"last-entry"] == [b"3-0", [b"f", b"3"]]
    py = r.xinfo_stream("s")
    assert py["length"] == 3 and py["first-entry"] == (b"1-0", {b"f": b"1"})


def test_xinfo_stream_empty(r, c):
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    raw = c.call_raw("XINFO", "STREAM", "s")
    assert raw.endswith(b"$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n")
    info = pairs(c.call("XINFO", "STREAM", "s"))
    assert info[b"length"] == 0 and info[b"radix-tree-keys"] == 0
    assert info[b"last-generated-id"] == b"0-0" and info[b"recorded-first-entry-id"] == b"0-0"


def test_xinfo_stream_full(r, c):
    fill(c, "s", 12)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "11", "STREAMS", "s", ">")
    c.call("XGROUP", "CREATECONSUMER", "s", "g", "bob")
    full = pairs(c.call("XINFO", "STREAM", "s", "FULL"))
    assert list(full) == [b"length", b"radix-tree-keys", b"radix-tree-nodes", b"last-generated-id",
                          b"max-deleted-entry-id", b"entries-added", b"recorded-first-entry-id",
                          b"entries", b"groups"]
    assert len(full[b"entries"]) == 10  # default COUNT 10
    (g,) = full[b"groups"]
    g = pairs(g)
    assert list(g) == [b"name", b"last-delivered-id", b"entries-read", b"lag", b"pel-count",
                       b"pending", b"consumers"]
    assert g[b"name"] == b"g" and g[b"last-delivered-id"] == b"11-0"
    assert g[b"entries-read"] == 11 and g[b"lag"] == 1 and g[b"pel-count"] == 11
    assert len(g[b"pending"]) == 10
    pid, owner, delivered_at, count = g[b"pending"][0]
    assert (pid, owner, count) == (b"1-0", b"alice", 1)
    assert abs(delivered_at - time.time() * 1000) < 60000
    alice, bob = (pairs(x) for x in g[b"consumers"])
    assert list(alice) == [b"name", b"seen-time", b"active-time", b"pel-count", b"pending"]
    assert alice[b"name"] == b"alice" and alice[b"pel-count"] == 11 and len(alice[b"pending"]) == 10
    assert alice[b"pending"][0][0] == b"1-0" and alice[b"pending"][0][2] == 1
    assert bob[b"active-time"] == -1 and bob[b"pending"] == []
    full = pairs(c.call("XINFO", "STREAM", "s", "FULL", "COUNT", "0"))
    assert len(full[b"entries"]) == 12
    assert len(pairs(full[b"groups"][0])[b"pending"]) == 11
    full = pairs(c.call("XINFO", "STREAM", "s", "full", "count", "2"))
    assert ids(full[b"entries"]) == [b"1-0", b"2-0"]
    full = pairs(c.call("XINFO", "STREAM", "s", "FULL", "COUNT", "-1"))
    assert len(full[b"entries"]) == 10


def test_xinfo_stream_errors(r, c):
    fill(c, "s", 1)
    assert c.error("XINFO", "STREAM", "missing") == NO_SUCH_KEY
    assert c.error("XINFO", "STREAM", "s", "FULL", "COUNT") == (
        "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.")
    assert c.error("XINFO", "STREAM", "s", "BAD") == (
        "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.")
    assert c.error("XINFO", "STREAM", "s", "FULL", "LIMIT", "1") == (
        "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.")
    assert c.error("XINFO", "STREAM", "s", "FULL", "COUNT", "x") == NOT_INT
    # The key is looked up before the options.
    assert c.error("XINFO", "STREAM", "missing", "BAD") == NO_SUCH_KEY
    c.call("SET", "str", "x")
    assert c.error("XINFO", "STREAM", "str") == WRONGTYPE
    assert c.error("XINFO", "GROUPS", "str") == WRONGTYPE
    assert c.error("XINFO", "GROUPS", "missing") == NO_SUCH_KEY
    assert c.error("XINFO", "CONSUMERS", "missing", "g") == NO_SUCH_KEY
    assert c.error("XINFO", "CONSUMERS", "s", "nog") == nogroup_for_key("nog", "s")
    assert c.error("XINFO", "GROUPS") == arity("xinfo|groups")
    assert c.error("XINFO", "STREAM") == arity("xinfo|stream")
    assert c.error("XINFO", "FOO", "s") == "ERR unknown subcommand 'FOO'. Try XINFO HELP."
    assert c.error("XINFO") == arity("xinfo")


def test_xinfo_consumers(r, c):
    fill(c, "s", 3)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">")
    c.call("XGROUP", "CREATECONSUMER", "s", "g", "alice")
    time.sleep(0.05)
    alice, bob = (pairs(x) for x in c.call("XINFO", "CONSUMERS", "s", "g"))
    assert list(alice) == [b"name", b"pending", b"idle", b"inactive"]
    assert alice[b"name"] == b"alice" and alice[b"pending"] == 0 and alice[b"inactive"] == -1
    assert alice[b"idle"] >= 40
    assert bob[b"name"] == b"bob" and bob[b"pending"] == 2 and bob[b"inactive"] >= 40
    py = r.xinfo_consumers("s", "g")
    assert [x["name"] for x in py] == [b"alice", b"bob"]


def test_xinfo_resp3_shapes(r, c3):
    fill(c3, "s", 2)
    c3.call("XGROUP", "CREATE", "s", "g", "0")
    c3.call("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    info = c3.call("XINFO", "STREAM", "s")
    assert isinstance(info, dict) and info[b"length"] == 2
    assert info[b"first-entry"] == [b"1-0", [b"f", b"1"]]
    (g,) = c3.call("XINFO", "GROUPS", "s")
    assert g == {b"name": b"g", b"consumers": 1, b"pending": 1, b"last-delivered-id": b"1-0",
                 b"entries-read": 1, b"lag": 1}
    (cons,) = c3.call("XINFO", "CONSUMERS", "s", "g")
    assert set(cons) == {b"name", b"pending", b"idle", b"inactive"}
    full = c3.call("XINFO", "STREAM", "s", "FULL")
    assert isinstance(full, dict) and isinstance(full[b"groups"][0], dict)
    assert isinstance(full[b"groups"][0][b"consumers"][0], dict)
    c3.call("XGROUP", "CREATE", "s", "g2", "0")
    c3.call("XDEL", "s", "2-0")
    raw = c3.call_raw("XINFO", "GROUPS", "s")
    # An unknown entries-read and lag are RESP3 nulls.
    assert raw.count(b"_\r\n") == 3
    empty = c3.call("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM")
    assert empty == b"OK"
    info = c3.call("XINFO", "STREAM", "e")
    assert info[b"first-entry"] is None and info[b"last-entry"] is None
    assert c3.call("XPENDING", "e", "g") == [0, None, None, None]
    assert c3.call_raw("XPENDING", "e", "g") == b"*4\r\n:0\r\n_\r\n_\r\n_\r\n"


# ------------------------------------------------------------ keyspace integration


def test_stream_copy_rename_del(r, c):
    fill(c, "s", 3)
    c.call("XGROUP", "CREATE", "s", "g", "0")
    c.call("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    assert c.call("COPY", "s", "t") == 1
    assert c.call("XRANGE", "t", "-", "+") == c.call("XRANGE", "s", "-", "+")
    assert c.call("XPENDING", "t", "g") == c.call("XPENDING", "s", "g")
    # The copy is independent.
    c.call("XACK", "t", "g", "1-0")
    c.call("XADD", "t", "9-0", "f", "9")
    assert c.call("XPENDING", "s", "g")[0] == 2 and c.call("XLEN", "s") == 3
    assert c.call("RENAME", "t", "u") == b"OK"
    assert c.call("XLEN", "u") == 4
    assert c.call("DEL", "s", "u") == 2


def test_xadd_invalidates_watch(r, c, raw):
    fill(c, "s", 1)
    other = raw()
    c.call("WATCH", "s")
    other.call("XADD", "s", "2-0", "f", "2")
    c.call("MULTI")
    c.call("XLEN", "s")
    assert c.call("EXEC") is None


def test_commands_run_in_multi(r, c):
    c.call("MULTI")
    for cmd in (("XADD", "s", "1-0", "a", "1"), ("XADD", "s", "2-0", "b", "2"),
                ("XGROUP", "CREATE", "s", "g", "0"),
                ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
                ("XACK", "s", "g", "1-0"), ("XLEN", "s")):
        assert c.call(*cmd) == b"QUEUED"
    res = c.call("EXEC")
    assert res[:3] == [b"1-0", b"2-0", b"OK"]
    assert ids(res[3][0][1]) == [b"1-0", b"2-0"]
    assert res[4:] == [1, 2]


# ------------------------------------------------------------ COMMAND INFO


# name, arity, flags, first, last, step, categories, key specs (flags, begin search, find keys)
COMMAND_ROWS = [
    ("xadd", -5, "write denyoom fast", 1, 1, 1, "@write @stream @fast"),
    ("xlen", 2, "readonly fast", 1, 1, 1, "@read @stream @fast"),
    ("xrange", -4, "readonly", 1, 1, 1, "@read @stream @slow"),
    ("xrevrange", -4, "readonly", 1, 1, 1, "@read @stream @slow"),
    ("xdel", -3, "write fast", 1, 1, 1, "@write @stream @fast"),
    ("xtrim", -4, "write", 1, 1, 1, "@write @stream @slow"),
    ("xread", -4, "readonly blocking movablekeys", 0, 0, 0, "@read @stream @slow @blocking"),
    ("xreadgroup", -7, "write blocking movablekeys", 0, 0, 0, "@write @stream @slow @blocking"),
    ("xsetid", -3, "write denyoom fast", 1, 1, 1, "@write @stream @fast"),
    ("xack", -4, "write fast", 1, 1, 1, "@write @stream @fast"),
    ("xpending", -3, "readonly", 1, 1, 1, "@read @stream @slow"),
    ("xclaim", -6, "write fast", 1, 1, 1, "@write @stream @fast"),
    ("xautoclaim", -6, "write fast", 1, 1, 1, "@write @stream @fast"),
    ("xgroup", -2, "", 0, 0, 0, "@slow"),
    ("xinfo", -2, "", 0, 0, 0, "@slow"),
    ("xgroup|create", -5, "write denyoom", 2, 2, 1, "@write @stream @slow"),
    ("xgroup|setid", -5, "write", 2, 2, 1, "@write @stream @slow"),
    ("xgroup|destroy", 4, "write", 2, 2, 1, "@write @stream @slow"),
    ("xgroup|createconsumer", 5, "write denyoom", 2, 2, 1, "@write @stream @slow"),
    ("xgroup|delconsumer", 5, "write", 2, 2, 1, "@write @stream @slow"),
    ("xgroup|help", 2, "loading stale", 0, 0, 0, "@stream @slow"),
    ("xinfo|stream", -3, "readonly", 2, 2, 1, "@read @stream @slow"),
    ("xinfo|groups", 3, "readonly", 2, 2, 1, "@read @stream @slow"),
    ("xinfo|consumers", 4, "readonly", 2, 2, 1, "@read @stream @slow"),
    ("xinfo|help", 2, "loading stale", 0, 0, 0, "@stream @slow"),
]

TIPS = {"xadd", "xtrim", "xpending", "xclaim", "xautoclaim", "xinfo|consumers"}


@pytest.mark.parametrize("row", COMMAND_ROWS, ids=lambda row: row[0])
def test_command_info(r, c, row):
    name, arity_, flags, first, last, step, cats = row
    (info,) = c.call("COMMAND", "INFO", name)
    assert info[0] == name.encode()
    assert info[1] == arity_
    assert set(info[2]) == {f.encode() for f in flags.split()}
    assert (info[3], info[4], info[5]) == (first, last, step)
    assert set(info[6]) == {x.encode() for x in cats.split()}
    assert info[7] == ([b"nondeterministic_output"] if name in TIPS else [])


def test_command_info_key_specs(r, c):
    (xadd,) = c.call("COMMAND", "INFO", "xadd")
    assert xadd[8] == [[b"notes", b"UPDATE instead of INSERT because of the optional trimming feature",
                        b"flags", [b"RW", b"update"],
                        b"begin_search", [b"type", b"index", b"spec", [b"index", 1]],
                        b"find_keys", [b"type", b"range", b"spec", [b"lastkey", 0, b"keystep", 1, b"limit", 0]]]]
    for name, start in (("xread", 1), ("xreadgroup", 4)):
        (info,) = c.call("COMMAND", "INFO", name)
        assert info[8] == [[b"flags", [b"RO", b"access"],
                            b"begin_search", [b"type", b"keyword", b"spec", [b"keyword", b"STREAMS", b"startfrom", start]],
                            b"find_keys", [b"type", b"range", b"spec", [b"lastkey", -1, b"keystep", 1, b"limit", 2]]]]
    (xgroup,) = c.call("COMMAND", "INFO", "xgroup")
    assert {s[0] for s in xgroup[9]} == {b"xgroup|create", b"xgroup|setid", b"xgroup|destroy",
                                         b"xgroup|createconsumer", b"xgroup|delconsumer", b"xgroup|help"}


def test_approximate_trim_follows_node_max_bytes(r, c, set_config):
    """Nodes are full by Redis's rule on the size its listpack would have, so `~` trimming
    removes the same whole nodes (counts checked against redis-server)."""
    set_config("stream-node-max-bytes", 100)
    for i in range(1, 6):
        c.call("XADD", "s", f"{i}-0", "f", "v")
    assert c.call("XTRIM", "s", "MAXLEN", "~", 1) == 0  # five small entries fit one node
    for i in range(1, 14):
        c.call("XADD", "t", f"{i}-0", f"field{i}", f"value-{i}", "x", i * 1000)
    assert c.call("XTRIM", "t", "MAXLEN", "~", 1) == 11
    assert c.call("XLEN", "t") == 2
    for i in range(1, 41):
        c.call("XADD", "u", f"{i}-{i}", "a", 1, "b", "hello")
    assert c.call("XTRIM", "u", "MAXLEN", "~", 1) == 35
    assert c.call("XLEN", "u") == 5


def test_nogroup_texts_end_at_nul(r, c):
    """Redis prints key and group names with %s: they end at a NUL byte."""
    key, group = "s\x00t", "g\x00h"
    c.call("XADD", key, "1-1", "f", "v")
    assert c.error("XREADGROUP", "GROUP", group, "c", "STREAMS", key, ">") == (
        "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option")
    plain = "NOGROUP No such key 's' or consumer group 'g'"
    assert c.error("XPENDING", key, group) == plain
    assert c.error("XCLAIM", key, group, "c", 0, "1-1") == plain
    assert c.error("XAUTOCLAIM", key, group, "c", 0, 0) == plain
    for_key = "NOGROUP No such consumer group 'g' for key name 's'"
    assert c.error("XINFO", "CONSUMERS", key, group) == for_key
    assert c.error("XGROUP", "CREATECONSUMER", key, group, "c") == for_key
    c.call("XGROUP", "CREATE", key, "g", "$")
    assert c.error("XCLAIM", key, "g", "c", 0, "1-1", "FO\x00O") == "ERR Unrecognized XCLAIM option 'FO'"


def test_command_getkeys_xread_follows_key_specs(r, c):
    """Redis finds XREAD's keys with its key spec (after the first STREAMS, half of what
    follows) and falls back to parsing the options only when that does not fit (checked
    against redis-server)."""

    def keys(*args):
        return c.call("COMMAND", "GETKEYS", *args)

    assert keys("XREAD", "STREAMS", "a", "b", "0", "0", "junk") == [b"a", b"b"]
    assert keys("XREAD", "a", "STREAMS", "b", "0") == [b"b"]
    assert keys("XREAD", "COUNT", "STREAMS", "STREAMS", "a", "0") == [b"STREAMS"]
    assert keys("XREAD", "BLOCK", "0", "STREAMS", "STREAMS", "a", "b", "0") == [b"STREAMS", b"a"]
    assert keys("XREADGROUP", "GROUP", "streams", "c", "STREAMS", "a", "0") == [b"a"]
    invalid = "ERR Invalid arguments specified for command"
    assert str(keys("XREAD", "COUNT", "STREAMS", "STREAMS")) == invalid
    assert str(keys("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS")) == invalid
    assert str(keys("XREAD", "STREAMS", "a")) == "ERR Invalid number of arguments specified for command"


def test_command_getkeys(r, c):
    assert c.call("COMMAND", "GETKEYS", "XREAD", "COUNT", "2", "STREAMS", "a", "b", "0", "0") == [b"a", b"b"]
    assert c.call("COMMAND", "GETKEYS", "XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">") == [b"s"]
    assert c.call("COMMAND", "GETKEYS", "XADD", "s", "*", "f", "v") == [b"s"]
    assert c.call("COMMAND", "GETKEYS", "XGROUP", "CREATE", "s", "g", "$") == [b"s"]
    assert c.call("COMMAND", "GETKEYSANDFLAGS", "XREAD", "STREAMS", "a", "0") == [[b"a", [b"RO", b"access"]]]


# ------------------------------------------------------------ memory


@pytest.mark.skipif(not IS_WEIR, reason="Weir's memory bar")
def test_memory_per_entry_below_redis(r, c):
    """The issue's bar: XADD s * f1 <int> f2 abc f3 x<int> costs Redis about 26 bytes per entry."""
    def used():
        info = c.call("INFO", "memory").decode()
        return int(next(line.split(":")[1] for line in info.split("\r\n") if line.startswith("used_memory:")))
    before = used()
    n = 200000
    cmds = [("XADD", "s", "*", "f1", str(i), "f2", "abc", "f3", f"x{i}") for i in range(n)]
    c.pipeline(cmds, chunk=10000)
    per_entry = (used() - before) / n
    assert per_entry < 26, per_entry
    assert c.call("XLEN", "s") == n
