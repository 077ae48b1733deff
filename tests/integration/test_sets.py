"""Set commands: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SRANDMEMBER SPOP
SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN,
their errors, RESP2/RESP3 reply shapes, and the intset / listpack / hashtable
encodings with the set-max-* limits."""

import collections
import random

import pytest

NOT_INT = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
POSITIVE = "ERR value is out of range, must be positive"


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def enc(r, key):
    return r.object("encoding", key).decode()


def members(r, key):
    return sorted(r.smembers(key))


def b(*xs):
    return sorted(str(x).encode() for x in xs)


@pytest.fixture
def small_limits(set_config):
    """The limits the Redis test suite runs with (listpack values up to 32 bytes)."""
    set_config("set-max-intset-entries", "512")
    set_config("set-max-listpack-entries", "128")
    set_config("set-max-listpack-value", "32")


# ---------------------------------------------------------------- SADD / SCARD / SISMEMBER


def test_sadd_scard_sismember_smembers(r):
    assert r.sadd("s", "a", "b", "c") == 3
    assert r.sadd("s", "a", "d", "A", "d") == 2
    assert r.scard("s") == 5
    assert r.sismember("s", "a") == 1
    assert r.sismember("s", "z") == 0
    assert members(r, "s") == b("A", "a", "b", "c", "d")
    assert r.scard("missing") == 0
    assert r.sismember("missing", "a") == 0
    assert r.smembers("missing") == set()


def test_smismember(c):
    c.call("SADD", "s", "a", 1, "b")
    assert c.call("SMISMEMBER", "s", "a", "x", 1, "b") == [1, 0, 1, 1]
    assert c.call("SMISMEMBER", "missing", "a", "b") == [0, 0]
    assert c.error("SMISMEMBER", "s") == arity("smismember")


def test_binary_and_empty_members(c):
    assert c.call("SADD", "s", b"", b"\x00\xff\r\n", "x") == 3
    assert c.call("SISMEMBER", "s", b"") == 1
    assert c.call("SISMEMBER", "s", b"\x00\xff\r\n") == 1
    assert sorted(c.call("SMEMBERS", "s")) == [b"", b"\x00\xff\r\n", b"x"]
    assert c.call("SREM", "s", b"") == 1
    assert c.call("SCARD", "s") == 2


def test_wrongtype_errors(c):
    c.call("SET", "str", "v")
    c.call("SADD", "s", "a")
    for args in [
        ("SADD", "str", "a"),
        ("SREM", "str", "a"),
        ("SCARD", "str"),
        ("SISMEMBER", "str", "a"),
        ("SMISMEMBER", "str", "a"),
        ("SMEMBERS", "str"),
        ("SRANDMEMBER", "str"),
        ("SRANDMEMBER", "str", 3),
        ("SPOP", "str"),
        ("SPOP", "str", 3),
        ("SINTER", "s", "str"),
        ("SINTERCARD", 2, "s", "str"),
        ("SINTERSTORE", "d", "s", "str"),
        ("SUNION", "s", "str"),
        ("SUNIONSTORE", "d", "s", "str"),
        ("SDIFF", "s", "str"),
        ("SDIFF", "str", "s"),
        ("SDIFFSTORE", "d", "s", "str"),
        ("SSCAN", "str", 0),
        ("SMOVE", "str", "s", "a"),
        ("SMOVE", "s", "str", "a"),
    ]:
        assert c.error(*args) == WRONGTYPE, args
    # Nothing changed.
    assert c.call("GET", "str") == b"v"
    assert c.call("SMEMBERS", "s") == [b"a"]
    assert c.call("EXISTS", "d") == 0


def test_arity_errors(c):
    for cmd, args in [
        ("sadd", ["k"]),
        ("srem", ["k"]),
        ("scard", []),
        ("sismember", ["k"]),
        ("smembers", []),
        ("srandmember", []),
        ("spop", []),
        ("smove", ["a", "b"]),
        ("sinter", []),
        ("sintercard", ["1"]),
        ("sinterstore", ["d"]),
        ("sunion", []),
        ("sunionstore", ["d"]),
        ("sdiff", []),
        ("sdiffstore", ["d"]),
        ("sscan", ["k"]),
    ]:
        assert c.error(cmd, *args) == arity(cmd)


# ---------------------------------------------------------------- encodings


def test_intset_encoding_and_conversion_to_listpack(r, small_limits):
    r.sadd("s", 1, 2, 3)
    assert enc(r, "s") == "intset"
    assert r.sadd("s", "a") == 1
    assert enc(r, "s") == "listpack"
    assert members(r, "s") == b(1, 2, 3, "a")


def test_large_intset_converts_to_hashtable_on_string(r, small_limits):
    r.sadd("s", *range(130))
    assert enc(r, "s") == "intset"
    r.sadd("s", "a")
    assert enc(r, "s") == "hashtable"
    assert r.scard("s") == 131


def test_integer_beyond_64_bits_is_a_string(r, small_limits):
    big = "213244124402402314402033402"
    r.sadd("s", big)
    assert enc(r, "s") == "listpack"
    assert r.sismember("s", big) == 1
    r.delete("s")
    r.sadd("s", *range(130))
    r.sadd("s", big)
    assert enc(r, "s") == "hashtable"
    assert r.sismember("s", big) == 1


def test_non_canonical_integers_are_strings(r):
    r.sadd("s", 1, 2)
    for text in ["01", "+1", " 1", "1 ", "-0", "1.0", "0x1"]:
        assert r.sismember("s", text) == 0
    r.sadd("s", "01")
    assert enc(r, "s") == "listpack"
    assert members(r, "s") == sorted([b"01", b"1", b"2"])
    assert r.sismember("s", "1") == 1


@pytest.mark.parametrize("style", ["single", "multiple", "single_multiple"])
def test_intset_overflows_to_hashtable(r, small_limits, style):
    if style == "single":
        for i in range(512):
            r.sadd("s", i)
    elif style == "multiple":
        r.sadd("s", *range(512))
    else:
        r.sadd("s", 1)
        r.sadd("s", *range(512))
    assert enc(r, "s") == "intset"
    assert r.scard("s") == 512
    assert r.sadd("s", 512) == 1
    assert enc(r, "s") == "hashtable"


@pytest.mark.parametrize("style", ["single", "multiple", "single_multiple"])
def test_listpack_overflows_to_hashtable(r, small_limits, style):
    if style == "single":
        r.sadd("s", "a")
        for i in range(127):
            r.sadd("s", i)
    elif style == "multiple":
        r.sadd("s", "a", *range(127))
    else:
        r.sadd("s", "a")
        r.sadd("s", "a", *range(127))
    assert enc(r, "s") == "listpack"
    assert r.scard("s") == 128
    assert r.sadd("s", "b") == 1
    assert enc(r, "s") == "hashtable"


def test_long_member_goes_to_hashtable(r, small_limits):
    r.sadd("s", "a" * 32)
    assert enc(r, "s") == "listpack"
    r.sadd("s", "b" * 33)
    assert enc(r, "s") == "hashtable"
    r.delete("t")
    r.sadd("t", "c" * 33)
    assert enc(r, "t") == "hashtable"


def test_intset_with_long_integers_skips_listpack(r, set_config):
    # Converting an intset for a string goes to a listpack only if its integers fit too.
    set_config("set-max-listpack-value", "5")
    r.sadd("s", 1234567)
    r.sadd("s", "a")
    assert enc(r, "s") == "hashtable"
    r.sadd("t", 12345)
    r.sadd("t", "a")
    assert enc(r, "t") == "listpack"


def test_config_limits(r, set_config):
    set_config("set-max-intset-entries", "4")
    set_config("set-max-listpack-entries", "3")
    r.sadd("s", 1, 2, 3, 4)
    assert enc(r, "s") == "intset"
    r.sadd("s", 5)
    assert enc(r, "s") == "hashtable"
    # A variadic SADD larger than the limit goes straight to a hash table.
    r.sadd("t", 1, 2, 3, 4, 5)
    assert enc(r, "t") == "hashtable"
    r.sadd("u", "a", "b", "c")
    assert enc(r, "u") == "listpack"
    r.sadd("u", "d")
    assert enc(r, "u") == "hashtable"
    # A big SADD into an existing small set converts first (setTypeMaybeConvert).
    r.sadd("v", "a")
    r.sadd("v", "a", "b", "c", "d")
    assert enc(r, "v") == "hashtable"
    set_config("set-max-intset-entries", "0")
    r.sadd("w", 1)
    assert enc(r, "w") == "listpack"
    set_config("set-max-listpack-entries", "0")
    r.sadd("x", "a")
    assert enc(r, "x") == "hashtable"


def test_encoding_never_goes_back_on_remove(r, small_limits):
    r.sadd("s", 1, 2, "a")
    assert enc(r, "s") == "listpack"
    r.srem("s", "a")
    assert enc(r, "s") == "listpack"
    r.sadd("h", *[f"m{i}" for i in range(200)])
    r.srem("h", *[f"m{i}" for i in range(199)])
    assert enc(r, "h") == "hashtable"
    assert r.smembers("h") == {b"m199"}


def test_widening_integers(r):
    r.sadd("s", 1, -1)
    r.sadd("s", 70000)
    r.sadd("s", -(2**40))
    r.sadd("s", 2**63 - 1, -(2**63))
    assert enc(r, "s") == "intset"
    assert r.smembers("s") == set(b(1, -1, 70000, -(2**40), 2**63 - 1, -(2**63)))
    for v in [1, -1, 70000, -(2**40), 2**63 - 1, -(2**63)]:
        assert r.sismember("s", v) == 1
    assert r.sismember("s", 2**63) == 0
    assert r.srem("s", 70000, -(2**63)) == 2
    assert r.scard("s") == 4


def test_smembers_of_intset_is_sorted(c):
    c.call("SADD", "s", 5, -3, 100, 0, 7)
    assert c.call("SMEMBERS", "s") == [b"-3", b"0", b"5", b"7", b"100"]


def test_copy_and_rename_keep_encoding(r, small_limits):
    r.sadd("i", 1, 2, 3)
    r.sadd("l", "a", 1)
    r.sadd("h", *[f"m{i}" for i in range(200)])
    for key in ["i", "l", "h"]:
        assert r.copy(key, key + "2")
        assert enc(r, key + "2") == enc(r, key)
        assert r.smembers(key + "2") == r.smembers(key)
    r.sadd("i2", 4)
    assert r.scard("i") == 3
    r.rename("h", "hh")
    assert enc(r, "hh") == "hashtable"
    assert r.type("hh") == b"set"


def test_memory_usage_reported(r):
    r.sadd("s", *range(10))
    assert r.memory_usage("s") > 0


# ---------------------------------------------------------------- SREM


def test_srem(r):
    r.sadd("s", "a", "b", "c", 1, 2)
    assert r.srem("s", "a", "x", 1) == 2
    assert members(r, "s") == b("b", "c", 2)
    assert r.srem("missing", "a") == 0


def test_srem_deletes_empty_set(r):
    r.sadd("s", "a", "b")
    assert r.srem("s", "a", "b", "c") == 2
    assert r.exists("s") == 0
    r.sadd("i", 1, 2)
    assert r.srem("i", 1, 2, 1) == 2
    assert r.exists("i") == 0


@pytest.mark.parametrize("kind", ["intset", "listpack", "hashtable"])
def test_srem_each_encoding(r, small_limits, kind):
    items = {"intset": list(range(5)), "listpack": ["a", 1, "b"],
             "hashtable": [f"m{i}" for i in range(200)]}[kind]
    r.sadd("s", *items)
    assert enc(r, "s") == kind
    assert r.srem("s", items[0], "nope") == 1
    assert r.sismember("s", items[0]) == 0
    assert r.scard("s") == len(items) - 1


# ---------------------------------------------------------------- SMOVE


def test_smove_basics(r, small_limits):
    r.sadd("{t}a", 1, "a", "b")
    r.sadd("{t}b", 2, 3, 4)
    assert enc(r, "{t}b") == "intset"
    assert r.smove("{t}a", "{t}b", "a") == 1
    assert members(r, "{t}a") == b(1, "b")
    assert members(r, "{t}b") == b(2, 3, 4, "a")
    assert enc(r, "{t}b") == "listpack"
    assert r.smove("{t}b", "{t}a", 2) == 1
    assert members(r, "{t}a") == b(1, 2, "b")


def test_smove_across_shards(r):
    # Keys without a shared tag land on different shards: SMOVE is still atomic.
    src, dst = "src-key-1", "dst-key-2"
    r.sadd(src, *range(100))
    for i in range(100):
        assert r.smove(src, dst, i) == 1
    assert r.exists(src) == 0
    assert r.scard(dst) == 100


def test_smove_missing_and_nonmember(r):
    r.sadd("a", 1)
    assert r.smove("missing", "a", 1) == 0
    assert r.smove("a", "b", 5) == 0
    assert r.exists("b") == 0
    # Missing source is 0 even when the destination has the wrong type.
    r.set("str", "x")
    assert r.smove("missing", "str", 1) == 0


def test_smove_creates_destination_and_deletes_source(r):
    r.sadd("a", "x")
    assert r.smove("a", "b", "x") == 1
    assert r.exists("a") == 0
    assert r.smembers("b") == {b"x"}
    r.sadd("c", 7)
    assert r.smove("c", "d", 7) == 1
    assert enc(r, "d") == "intset"


def test_smove_member_already_in_destination(r):
    r.sadd("a", "x", "y")
    r.sadd("b", "x")
    assert r.smove("a", "b", "x") == 1
    assert r.smembers("a") == {b"y"}
    assert r.smembers("b") == {b"x"}


def test_smove_same_key(r):
    r.sadd("a", "x", "y")
    assert r.smove("a", "a", "x") == 1
    assert r.smove("a", "a", "z") == 0
    assert r.scard("a") == 2


def test_smove_wrongtype(c):
    c.call("SADD", "s", "a")
    c.call("SET", "str", "x")
    assert c.error("SMOVE", "str", "s", "a") == WRONGTYPE
    assert c.error("SMOVE", "s", "str", "a") == WRONGTYPE
    assert c.call("SMEMBERS", "s") == [b"a"]


# ---------------------------------------------------------------- SINTER / SINTERCARD / SINTERSTORE

SETS = {
    "intset": (list(range(200)), [1, 2, 3, 4, 50, 199, 1000]),
    "listpack": (["a", "b", 1, 2, 3, 4, "x"], [1, 2, 3, 4, "y", "a"]),
    "hashtable": ([f"m{i}" for i in range(150)] + [1, 2, 3, 4], [1, 2, 3, 4, "m5", "zz"]),
}


@pytest.fixture(params=list(SETS))
def two_sets(request, r, small_limits):
    first, second = SETS[request.param]
    r.sadd("{t}1", *first)
    r.sadd("{t}2", *second)
    return request.param, set(b(*first)), set(b(*second))


def test_sinter(r, two_sets):
    _, s1, s2 = two_sets
    assert r.sinter("{t}1", "{t}2") == s1 & s2
    assert r.sinter("{t}1") == s1
    assert r.sinter("{t}1", "{t}1", "{t}1") == s1
    assert r.sinter("{t}1", "{t}2", "{t}missing") == set()


def test_sintercard(r, two_sets):
    _, s1, s2 = two_sets
    n = len(s1 & s2)
    assert r.sintercard(2, ["{t}1", "{t}2"]) == n
    assert r.sintercard(2, ["{t}1", "{t}2"], limit=0) == n
    assert r.sintercard(2, ["{t}1", "{t}2"], limit=2) == min(2, n)
    assert r.sintercard(2, ["{t}1", "{t}2"], limit=1000) == n
    assert r.sintercard(1, ["{t}1"]) == len(s1)
    assert r.sintercard(2, ["{t}1", "{t}missing"]) == 0


def test_sinterstore(r, two_sets):
    kind, s1, s2 = two_sets
    assert r.sinterstore("{t}d", ["{t}1", "{t}2"]) == len(s1 & s2)
    assert r.smembers("{t}d") == s1 & s2
    # The destination may be a source.
    assert r.sinterstore("{t}1", ["{t}1", "{t}2"]) == len(s1 & s2)
    assert r.smembers("{t}1") == s1 & s2


def test_sinter_three_sets(r):
    r.sadd("{t}1", *range(10), "a")
    r.sadd("{t}2", *range(5, 15), "a")
    r.sadd("{t}3", 7, 8, "a", "b")
    assert r.sinter("{t}1", "{t}2", "{t}3") == set(b(7, 8, "a"))
    assert r.sintercard(3, ["{t}1", "{t}2", "{t}3"]) == 3
    assert r.sinterstore("{t}d", ["{t}1", "{t}2", "{t}3"]) == 3


def test_sinterstore_result_encodings(r, small_limits):
    r.sadd("{t}1", "a", "b", "c", 1, 3, 6, "x", "y", "z")
    r.sadd("{t}2", "e", "f", "g", 1, 2, 3, "u", "v", "w")
    r.sinterstore("{t}d", ["{t}1", "{t}2"])
    assert members(r, "{t}d") == b(1, 3)
    assert enc(r, "{t}d") == "intset"
    r.delete("{t}1", "{t}2")
    r.sadd("{t}1", "a", "b", "c", 444, 555, 666, *range(1, 130))
    r.sadd("{t}2", "e", "f", "g", 111, 222, 333, *range(1, 130))
    assert enc(r, "{t}1") == "hashtable"
    r.sinterstore("{t}d", ["{t}1", "{t}2"])
    assert r.scard("{t}d") == 129
    assert enc(r, "{t}d") == "intset"
    r.sadd("{t}3", "a", "b", 1)
    r.sadd("{t}4", "a", "b", "c")
    r.sinterstore("{t}d", ["{t}3", "{t}4"])
    assert enc(r, "{t}d") == "listpack"


def test_sinter_same_integers_different_encodings(r, small_limits):
    r.sadd("{t}1", 1, 2, 3, "a")
    r.srem("{t}1", "a")
    r.sadd("{t}2", 1, 2, 3)
    assert enc(r, "{t}1") == "listpack"
    assert enc(r, "{t}2") == "intset"
    assert r.sinter("{t}1", "{t}2") == set(b(1, 2, 3))


def test_sinterstore_missing_key_deletes_destination(r):
    r.set("{t}d", "x")
    r.sadd("{t}1", 1)
    assert r.sinterstore("{t}d", ["{t}1", "{t}missing"]) == 0
    assert r.exists("{t}d") == 0
    r.sadd("{t}d", 1)
    r.sadd("{t}2", 2)
    assert r.sinterstore("{t}d", ["{t}1", "{t}2"]) == 0
    assert r.exists("{t}d") == 0


def test_sinterstore_clears_ttl(r):
    r.sadd("{t}d", "old")
    r.expire("{t}d", 100)
    r.sadd("{t}1", 1)
    r.sinterstore("{t}d", ["{t}1"])
    assert r.ttl("{t}d") == -1


def test_sinter_wrongtype_beats_missing(c):
    c.call("SET", "{t}str", "x")
    assert c.error("SINTER", "{t}missing", "{t}str") == WRONGTYPE
    assert c.error("SINTERCARD", 2, "{t}missing", "{t}str") == WRONGTYPE
    assert c.error("SINTERSTORE", "{t}d", "{t}missing", "{t}str") == WRONGTYPE


def test_sintercard_errors(c):
    c.call("SADD", "{t}1", "a")
    assert c.error("SINTERCARD", 0, "{t}1") == "ERR numkeys should be greater than 0"
    assert c.error("SINTERCARD", -1, "{t}1") == "ERR numkeys should be greater than 0"
    assert c.error("SINTERCARD", "x", "{t}1") == "ERR numkeys should be greater than 0"
    assert c.error("SINTERCARD", 2, "{t}1") == (
        "ERR Number of keys can't be greater than number of args")
    assert c.error("SINTERCARD", 1, "{t}1", "LIMIT") == SYNTAX
    assert c.error("SINTERCARD", 1, "{t}1", "LIMIT", -1) == "ERR LIMIT can't be negative"
    assert c.error("SINTERCARD", 1, "{t}1", "LIMIT", "x") == "ERR LIMIT can't be negative"
    assert c.error("SINTERCARD", 1, "{t}1", "foo") == SYNTAX
    assert c.error("SINTERCARD", 1, "{t}1", "LIMIT", 1, "extra") == SYNTAX
    assert c.call("SINTERCARD", 1, "{t}1", "limit", 5, "LIMIT", 0) == 1


# ---------------------------------------------------------------- SUNION / SDIFF


def test_sunion_and_store(r, two_sets):
    _, s1, s2 = two_sets
    assert r.sunion("{t}1", "{t}2") == s1 | s2
    assert r.sunion("{t}1", "{t}missing") == s1
    assert r.sunionstore("{t}d", ["{t}1", "{t}2"]) == len(s1 | s2)
    assert r.smembers("{t}d") == s1 | s2


def test_sdiff_and_store(r, two_sets):
    _, s1, s2 = two_sets
    assert r.sdiff("{t}1", "{t}2") == s1 - s2
    assert r.sdiff("{t}2", "{t}1") == s2 - s1
    assert r.sdiff("{t}1", "{t}missing") == s1
    assert r.sdiff("{t}missing", "{t}1") == set()
    assert r.sdiffstore("{t}d", ["{t}1", "{t}2"]) == len(s1 - s2)
    assert r.smembers("{t}d") == s1 - s2


def test_same_set_three_times(r, two_sets):
    _, s1, _ = two_sets
    assert r.sinter("{t}1", "{t}1", "{t}1") == s1
    assert r.sunion("{t}1", "{t}1", "{t}1") == s1
    assert r.sdiff("{t}1", "{t}1", "{t}1") == set()
    assert r.sdiff("{t}1", "{t}2", "{t}1") == set()


def test_union_and_diff_result_encodings(r, small_limits):
    r.sadd("{t}1", 1, 2, 3)
    r.sadd("{t}2", 3, 4)
    r.sunionstore("{t}d", ["{t}1", "{t}2"])
    assert enc(r, "{t}d") == "intset"
    r.sadd("{t}3", "a", 5)
    r.sunionstore("{t}d", ["{t}1", "{t}3"])
    assert enc(r, "{t}d") == "listpack"
    # A difference of a listpack that leaves only integers is built from an intset.
    r.sdiffstore("{t}d", ["{t}3", "{t}1"])
    assert members(r, "{t}d") == b(5, "a")
    r.sadd("{t}4", "a", 1, 2)
    r.sdiffstore("{t}d", ["{t}4", "{t}1"])
    assert members(r, "{t}d") == b("a")
    r.sadd("{t}5", 1, 2, "x")
    r.sadd("{t}6", "x")
    r.sdiffstore("{t}d", ["{t}5", "{t}6"])
    assert members(r, "{t}d") == b(1, 2)
    assert enc(r, "{t}d") == "intset"
    r.sadd("{t}big", *[f"m{i}" for i in range(200)])
    r.sunionstore("{t}d", ["{t}big", "{t}1"])
    assert enc(r, "{t}d") == "hashtable"


def test_sunion_order_matches_redis_for_small_sets(c):
    # A union is built as an intset first: integers come back in order.
    c.call("SADD", "{t}1", 9, 3)
    c.call("SADD", "{t}2", 1, 7)
    assert c.call("SUNION", "{t}1", "{t}2") == [b"1", b"3", b"7", b"9"]
    c.call("SADD", "{t}3", "c", 5, "a")
    assert c.call("SMEMBERS", "{t}3") == [b"c", b"5", b"a"]


def test_sdiff_fuzz(r):
    rng = random.Random(7)
    for _ in range(30):
        keys = [f"{{t}}f{i}" for i in range(rng.randint(1, 6))]
        model = []
        r.delete(*keys)
        for k in keys:
            items = {rng.choice([str(rng.randint(0, 40)), f"s{rng.randint(0, 40)}"])
                     for _ in range(rng.randint(0, 60))}
            if items:
                r.sadd(k, *items)
            model.append({x.encode() for x in items})
        want = model[0].difference(*model[1:])
        assert r.sdiff(*keys) == want
        assert r.sunion(*keys) == set().union(*model)
        assert r.sinter(*keys) == model[0].intersection(*model[1:])
        assert r.sdiffstore("{t}out", keys) == len(want)


def test_store_missing_sources_delete_destination(r):
    r.set("{t}d", "x")
    assert r.sunionstore("{t}d", ["{t}m1", "{t}m2"]) == 0
    assert r.exists("{t}d") == 0
    r.set("{t}d", "x")
    assert r.sdiffstore("{t}d", ["{t}m1", "{t}m2"]) == 0
    assert r.exists("{t}d") == 0


def test_store_wrongtype_leaves_destination(c):
    c.call("SADD", "{t}d", "keep")
    c.call("SET", "{t}str", "x")
    c.call("SADD", "{t}1", "a")
    for cmd in ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]:
        assert c.error(cmd, "{t}d", "{t}1", "{t}str") == WRONGTYPE
    assert c.call("SMEMBERS", "{t}d") == [b"keep"]
    # A string destination is simply overwritten.
    assert c.call("SUNIONSTORE", "{t}str", "{t}1") == 1
    assert c.call("TYPE", "{t}str") == b"set"


def test_multi_key_across_shards(r):
    keys = [f"plain-{i}" for i in range(8)]
    for i, k in enumerate(keys):
        r.sadd(k, "common", f"own{i}")
    assert r.sinter(*keys) == {b"common"}
    assert len(r.sunion(*keys)) == 9
    assert r.sunionstore("plain-dest", keys) == 9
    assert r.sintercard(len(keys), keys) == 1
    assert r.sdiff(*keys) == {b"own0"}


# ---------------------------------------------------------------- SPOP


@pytest.mark.parametrize("items", [["a", "b", "c"], [1, 2, 3]])
def test_spop_single(r, items):
    r.sadd("s", *items)
    popped = sorted(r.spop("s") for _ in range(3))
    assert popped == b(*items)
    assert r.exists("s") == 0
    assert r.spop("s") is None


def test_spop_count_errors(c):
    c.call("SADD", "s", "a")
    assert c.error("SPOP", "s", -1) == POSITIVE
    assert c.error("SPOP", "s", "x") == POSITIVE
    assert c.error("SPOP", "s", 1, 2) == SYNTAX
    assert c.error("SPOP", "missing", -1) == POSITIVE
    assert c.call("SPOP", "missing", 5) == []
    assert c.call("SPOP", "s", 0) == []
    assert c.call("SMEMBERS", "s") == [b"a"]


@pytest.mark.parametrize("kind", ["listpack", "intset", "hashtable"])
def test_spop_with_count_drains(r, small_limits, kind):
    items = {
        "listpack": list("abcdefghijklmnopqrstuvwxyz"),
        "intset": list(range(1, 27)),
        "hashtable": ["ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"] + list("bcdefghijklmnopqrstuvwxyz"),
    }[kind]
    r.sadd("s", *items)
    assert enc(r, "s") == kind
    got = []
    for n in [11, 9, 0, 4, 1, 0, 1, 0]:
        got += r.spop("s", n)
    assert sorted(got) == b(*items)
    assert r.exists("s") == 0


@pytest.mark.parametrize("kind", ["intset", "listpack", "hashtable"])
@pytest.mark.parametrize("count", [2, 18, 20, 30])
def test_spop_code_paths(r, small_limits, kind, count):
    items = {
        "intset": list(range(1, 21)),
        "listpack": ["a"] + list(range(2, 21)),
        "hashtable": ["x" * 40] + list(range(2, 21)),
    }[kind]
    r.sadd("s", *items)
    assert enc(r, "s") == kind
    res = r.spop("s", count)
    assert len(res) == min(count, 20)
    assert len(set(res)) == len(res)
    left = r.smembers("s")
    assert len(left) == 20 - len(res)
    assert sorted(list(left) + res) == b(*items)
    if count >= 20:
        assert r.exists("s") == 0


def test_spop_keep_path_may_change_encoding(r, small_limits):
    # Nearly everything popped from a hash table: the few that stay form a new (small) set.
    r.sadd("s", *[f"m{i}" for i in range(200)])
    r.spop("s", 190)
    assert r.scard("s") == 10
    assert enc(r, "s") == "listpack"
    r.delete("s")
    r.sadd("s", *range(600))
    assert enc(r, "s") == "hashtable"
    r.spop("s", 590)
    assert enc(r, "s") == "listpack"


def test_spop_whole_set_reply_order(c):
    # Popping everything replies the set as SUNION of it would.
    c.call("SADD", "s", 3, 1, 2)
    assert c.call("SPOP", "s", 10) == [b"1", b"2", b"3"]


def test_spop_resp3_shapes(c):
    c.call("HELLO", 3)
    c.call("SADD", "s", "a", "b", "c")
    assert c.call_raw("SPOP", "missing", 2) == b"~0\r\n"
    assert c.call_raw("SPOP", "s", 0) == b"~0\r\n"
    assert c.call_raw("SPOP", "missing") == b"_\r\n"
    assert c.call("SPOP", "s", 2) in ({b"a", b"b"}, {b"a", b"c"}, {b"b", b"c"})
    assert isinstance(c.call("SPOP", "s", 5), set)


def test_spop_in_multi(r):
    r.sadd("s", *range(10))
    p = r.pipeline(transaction=True)
    p.spop("s", 3)
    p.scard("s")
    res = p.execute()
    assert len(res[0]) == 3 and res[1] == 7


# ---------------------------------------------------------------- SRANDMEMBER


def test_srandmember_basics(c):
    assert c.call("SRANDMEMBER", "missing") is None
    assert c.call_raw("SRANDMEMBER", "missing", 5) == b"*0\r\n"
    c.call("SADD", "s", "a")
    assert c.call_raw("SRANDMEMBER", "s", 0) == b"*0\r\n"
    assert c.call("SRANDMEMBER", "s") == b"a"
    assert c.call("SRANDMEMBER", "s", 1) == [b"a"]
    assert c.call("SRANDMEMBER", "s", -3) == [b"a"] * 3
    assert c.error("SRANDMEMBER", "s", "x") == NOT_INT
    assert c.error("SRANDMEMBER", "s", -9223372036854775808) == (
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807")
    assert c.error("SRANDMEMBER", "s", 1, 2) == SYNTAX
    assert c.call("SCARD", "s") == 1


def test_srandmember_resp3_is_array(c):
    c.call("HELLO", 3)
    c.call("SADD", "s", "a", "b")
    assert c.call_raw("SRANDMEMBER", "missing", 3) == b"*0\r\n"
    assert c.call_raw("SRANDMEMBER", "missing") == b"_\r\n"
    assert c.call_raw("SRANDMEMBER", "s", 2).startswith(b"*2\r\n")
    assert c.call_raw("SRANDMEMBER", "s", -3).startswith(b"*3\r\n")


CONTENTS = {
    "listpack": ["1", "5", "10", "50", "125", "50000", "33959417", "4775547", "MARY", "PATRICIA",
                 "LINDA", "BARBARA", "ELIZABETH", "JENNIFER", "MARIA", "SUSAN", "MARGARET",
                 "DOROTHY", "LISA", "NANCY", "KAREN", "BETTY", "HELEN", "SANDRA", "DONNA",
                 "CAROL", "RUTH", "SHARON", "MICHELLE", "LAURA", "SARAH", "KIMBERLY", "DEBORAH",
                 "JESSICA", "SHIRLEY", "CYNTHIA", "ANGELA", "MELISSA", "BRENDA", "AMY", "ANNA",
                 "REBECCA", "VIRGINIA", "KATHLEEN", "72615637475", "12098459", "427716",
                 "483706", "2726473884", "65434162"],
    "intset": [str(i) for i in range(50)],
    "hashtable": ["ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"] + [f"m{i}" for i in range(49)],
}


@pytest.mark.parametrize("kind", list(CONTENTS))
def test_srandmember_with_count_paths(r, small_limits, kind):
    items = CONTENTS[kind]
    r.sadd("s", *items)
    assert enc(r, "s") == kind
    allset = set(b(*items))
    res = r.srandmember("s", -100)
    assert len(res) == 100 and set(res) <= allset
    seen = set()
    for _ in range(1000):
        seen.update(r.srandmember("s", -10))
        if seen == allset:
            break
    assert seen == allset
    for size in [50, 100]:
        res = r.srandmember("s", size)
        assert sorted(res) == sorted(allset)
    for size in [45, 5]:
        res = r.srandmember("s", size)
        assert len(res) == size and len(set(res)) == size and set(res) <= allset
        seen = set()
        for _ in range(1000):
            seen.update(r.srandmember("s", size))
            if seen == allset:
                break
        assert seen == allset


def chi_square(values):
    counts = collections.Counter(values)
    expected = len(values) / len(counts)
    return sum((n - expected) ** 2 / expected for n in counts.values())


@pytest.mark.parametrize("kind,items", [
    ("listpack", ["1", "5", "10", "50", "125", "MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH"]),
    ("intset", [str(i) for i in range(10)]),
    ("hashtable", ["x" * 40, "1", "5", "10", "50", "125", "MARY", "PATRICIA", "LINDA", "BARBARA"]),
])
def test_srandmember_distribution(r, small_limits, kind, items):
    r.sadd("s", *items)
    assert enc(r, "s") == kind
    # df = 9: 40 has a probability of about 1e-5.
    assert chi_square(r.srandmember("s", -1000)) < 40
    for size in [8, 2]:
        picks = []
        for _ in range(1000 // size):
            picks += r.srandmember("s", size)
        assert chi_square(picks) < 40


def test_srandmember_large_hashtable_distinct(r):
    r.sadd("s", *[f"m{i}" for i in range(1000)])
    res = r.srandmember("s", 10)
    assert len(set(res)) == 10
    res = r.srandmember("s", 900)
    assert len(set(res)) == 900
    assert r.scard("s") == 1000


# ---------------------------------------------------------------- SSCAN


def sscan_all(r, key, **kw):
    cursor, seen, calls = 0, [], 0
    while True:
        cursor, items = r.sscan(key, cursor, **kw)
        seen += items
        calls += 1
        if cursor == 0:
            return seen, calls


@pytest.mark.parametrize("kind", ["intset", "listpack"])
def test_sscan_compact_encodings_return_everything(c, small_limits, kind):
    items = list(range(100)) if kind == "intset" else ["a", 1, "b"] * 1
    c.call("SADD", "s", *items)
    assert c.call("OBJECT", "ENCODING", "s") == kind.encode()
    cursor, got = c.call("SSCAN", "s", 0, "COUNT", 1)
    assert cursor == b"0"
    assert sorted(got) == b(*items)
    # Any cursor returns everything for these encodings.
    cursor, got = c.call("SSCAN", "s", 12345)
    assert cursor == b"0" and len(got) == len(set(items))


def test_sscan_hashtable_with_cursor(r):
    items = {f"m{i}".encode() for i in range(1000)}
    r.sadd("s", *items)
    assert enc(r, "s") == "hashtable"
    seen, calls = sscan_all(r, "s", count=10)
    assert set(seen) == items
    assert calls > 10
    seen, _ = sscan_all(r, "s", count=100000)
    assert set(seen) == items


def test_sscan_match(r):
    r.sadd("s", *[f"key:{i}" for i in range(300)], *[f"other:{i}" for i in range(50)])
    seen, _ = sscan_all(r, "s", match="key:1*", count=50)
    assert set(seen) == {f"key:{i}".encode() for i in range(300) if str(i).startswith("1")}
    r.sadd("i", *range(30))
    cursor, got = r.sscan("i", 0, match="2*")
    assert cursor == 0 and sorted(got) == b(2, *range(20, 30))
    cursor, got = r.sscan("i", 0, match="*")
    assert len(got) == 30


def test_sscan_survives_changes_during_scan(r):
    items = {f"m{i}".encode() for i in range(2000)}
    r.sadd("s", *items)
    cursor, seen = 0, set()
    step = 0
    while True:
        cursor, got = r.sscan("s", cursor, count=20)
        seen.update(got)
        step += 1
        # Grow and shrink the set while scanning: members present throughout must appear.
        if step == 5:
            r.sadd("s", *[f"new{i}" for i in range(3000)])
        if step == 30:
            r.srem("s", *[f"new{i}" for i in range(3000)])
        if cursor == 0:
            break
    assert items <= seen


def test_sscan_errors_and_missing_key(c):
    assert c.call("SSCAN", "missing", 0) == [b"0", []]
    # Options are read only for an existing set.
    assert c.call("SSCAN", "missing", 0, "COUNT", 0) == [b"0", []]
    c.call("SADD", "s", "a")
    assert c.error("SSCAN", "s", "x") == "ERR invalid cursor"
    assert c.error("SSCAN", "missing", "x") == "ERR invalid cursor"
    assert c.error("SSCAN", "s", 0, "COUNT", 0) == SYNTAX
    assert c.error("SSCAN", "s", 0, "COUNT", "x") == NOT_INT
    assert c.error("SSCAN", "s", 0, "COUNT") == SYNTAX
    assert c.error("SSCAN", "s", 0, "TYPE", "set") == SYNTAX
    assert c.error("SSCAN", "s", 0, "NOPE", 1) == SYNTAX
    assert c.call("SSCAN", "s", 0, "count", 5, "match", "a") == [b"0", [b"a"]]
    assert c.call("SSCAN", "s", "") == [b"0", [b"a"]]


# ---------------------------------------------------------------- reply shapes


def test_resp3_set_replies(c):
    c.call("HELLO", 3)
    c.call("SADD", "{t}1", "a", "b")
    c.call("SADD", "{t}2", "b", "c")
    assert c.call_raw("SMEMBERS", "missing") == b"~0\r\n"
    assert c.call_raw("SINTER", "{t}1", "{t}missing") == b"~0\r\n"
    assert c.call("SMEMBERS", "{t}1") == {b"a", b"b"}
    assert c.call("SINTER", "{t}1", "{t}2") == {b"b"}
    assert c.call("SUNION", "{t}1", "{t}2") == {b"a", b"b", b"c"}
    assert c.call("SDIFF", "{t}1", "{t}2") == {b"a"}
    assert c.call_raw("SMEMBERS", "{t}1").startswith(b"~2\r\n")
    assert c.call_raw("SMISMEMBER", "{t}1", "a", "z") == b"*2\r\n:1\r\n:0\r\n"
    assert c.call_raw("SSCAN", "{t}1", 0).startswith(b"*2\r\n$1\r\n0\r\n*2\r\n")
    assert c.call("SINTERCARD", 2, "{t}1", "{t}2") == 1


def test_resp2_shapes(c):
    c.call("SADD", "s", "a")
    assert c.call_raw("SMEMBERS", "missing") == b"*0\r\n"
    assert c.call_raw("SMEMBERS", "s") == b"*1\r\n$1\r\na\r\n"
    assert c.call_raw("SPOP", "missing") == b"$-1\r\n"
    assert c.call_raw("SRANDMEMBER", "missing") == b"$-1\r\n"


# ---------------------------------------------------------------- command table


def command_info(c, name):
    return c.call("COMMAND", "INFO", name)[0]


@pytest.mark.parametrize("name,arity,flags,first,last,step", [
    ("sadd", -3, {b"write", b"denyoom", b"fast"}, 1, 1, 1),
    ("srem", -3, {b"write", b"fast"}, 1, 1, 1),
    ("scard", 2, {b"readonly", b"fast"}, 1, 1, 1),
    ("sismember", 3, {b"readonly", b"fast"}, 1, 1, 1),
    ("smismember", -3, {b"readonly", b"fast"}, 1, 1, 1),
    ("smembers", 2, {b"readonly"}, 1, 1, 1),
    ("srandmember", -2, {b"readonly"}, 1, 1, 1),
    ("spop", -2, {b"write", b"fast"}, 1, 1, 1),
    ("smove", 4, {b"write", b"fast"}, 1, 2, 1),
    ("sinter", -2, {b"readonly"}, 1, -1, 1),
    ("sintercard", -3, {b"readonly", b"movablekeys"}, 0, 0, 0),
    ("sinterstore", -3, {b"write", b"denyoom"}, 1, -1, 1),
    ("sunion", -2, {b"readonly"}, 1, -1, 1),
    ("sunionstore", -3, {b"write", b"denyoom"}, 1, -1, 1),
    ("sdiff", -2, {b"readonly"}, 1, -1, 1),
    ("sdiffstore", -3, {b"write", b"denyoom"}, 1, -1, 1),
    ("sscan", -3, {b"readonly"}, 1, 1, 1),
])
def test_command_info(c, name, arity, flags, first, last, step):
    info = command_info(c, name)
    assert info[0] == name.encode()
    assert info[1] == arity
    assert set(info[2]) == flags
    assert info[3:6] == [first, last, step]
    assert b"@set" in info[6]


def test_sintercard_key_spec_and_getkeys(c):
    info = command_info(c, "sintercard")
    spec = info[8][0]
    as_dict = dict(zip(spec[::2], spec[1::2]))
    find = dict(zip(as_dict[b"find_keys"][::2], as_dict[b"find_keys"][1::2]))
    assert find[b"type"] == b"keynum"
    assert find[b"spec"] == [b"keynumidx", 0, b"firstkey", 1, b"keystep", 1]
    assert c.call("COMMAND", "GETKEYS", "SINTERCARD", 2, "a", "b", "LIMIT", 1) == [b"a", b"b"]
    assert c.call("COMMAND", "GETKEYS", "SMOVE", "a", "b", "m") == [b"a", b"b"]
    assert c.call("COMMAND", "GETKEYS", "SINTERSTORE", "d", "a", "b") == [b"d", b"a", b"b"]


def test_tips(c):
    assert command_info(c, "smembers")[7] == [b"nondeterministic_output_order"]
    assert command_info(c, "spop")[7] == [b"nondeterministic_output"]
    assert command_info(c, "sadd")[7] == []


# ---------------------------------------------------------------- WATCH / keyspace


def test_writes_touch_watched_keys(r, connect):
    other = connect()
    for write in [
        lambda: other.sadd("s", "new"),
        lambda: other.srem("s", "a"),
        lambda: other.spop("s"),
        lambda: other.smove("s", "t", "a"),
        lambda: other.sinterstore("s", ["s"]),
    ]:
        r.delete("s", "t")
        r.sadd("s", "a", "b")
        p = r.pipeline(transaction=True)
        p.watch("s")
        p.multi()
        p.scard("s")
        write()
        with pytest.raises(Exception):
            p.execute()
        p.reset()


def test_no_op_writes_do_not_touch_watched_keys(r, connect):
    other = connect()
    r.sadd("s", "a")
    p = r.pipeline(transaction=True)
    p.watch("s")
    p.multi()
    p.scard("s")
    other.sadd("s", "a")
    other.srem("s", "zz")
    assert p.execute() == [1]


def test_large_set(r):
    items = [f"member-{i}" for i in range(20000)]
    for i in range(0, len(items), 1000):
        r.sadd("s", *items[i:i + 1000])
    assert r.scard("s") == 20000
    for m in items[::997]:
        assert r.sismember("s", m) == 1
    assert r.srem("s", *items[:10000]) == 10000
    assert r.scard("s") == 10000
