"""Hash commands: HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HDEL HLEN
HSTRLEN HEXISTS HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, the listpack ->
hashtable conversion (OBJECT ENCODING, CONFIG SET hash-max-listpack-*), RESP3
shapes and COMMAND INFO rows."""

import collections

import pytest

NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
OVERFLOW = "ERR increment or decrement would overflow"
HASH_NOT_INT = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"
NAN_INF_ARG = "ERR value is NaN or Infinity"
NAN_INF_RESULT = "ERR increment would produce NaN or Infinity"
INVALID_CURSOR = "ERR invalid cursor"
COUNT_RANGE = ("ERR value is out of range, value must between -9223372036854775807 and "
               "9223372036854775807")
LLONG_MIN = -9223372036854775808
LONG_MAX = 9223372036854775807


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def encoding(c, key):
    return c.call("OBJECT", "ENCODING", key)


def make_hashtable(c, key, n=300):
    """A hash with n fields, made a hashtable by its size (n > default limit is not needed:
    one long value converts it)."""
    args = []
    for i in range(n):
        args += [f"f{i}", f"v{i}"]
    c.call("HSET", key, *args)
    c.call("HSET", key, "long", "x" * 100)
    assert encoding(c, key) == b"hashtable"


def scan_all(c, key, *opts):
    cursor = b"0"
    seen = []
    calls = 0
    while True:
        cursor, items = c.call("HSCAN", key, cursor, *opts)
        seen += items
        calls += 1
        if cursor == b"0":
            return seen, calls


# ---------------------------------------------------------------- HSET HMSET HSETNX


def test_hset_adds_and_updates(c):
    assert c.call("HSET", "h", "a", "1") == 1
    assert c.call("HSET", "h", "a", "2", "b", "3", "c", "4") == 2
    assert c.call("HGET", "h", "a") == b"2"
    assert c.call("HLEN", "h") == 3
    assert c.call("TYPE", "h") == b"hash"
    # The same field twice in one call: counted once, the last value wins.
    assert c.call("HSET", "h2", "x", "1", "x", "2") == 1
    assert c.call("HGETALL", "h2") == [b"x", b"2"]


def test_hset_arity(c):
    assert c.error("HSET", "h", "a") == arity("hset")
    assert c.error("HSET", "h", "a", "1", "b") == arity("hset")
    assert c.error("HSET", "h") == arity("hset")
    assert c.error("HMSET", "h", "a", "1", "b") == arity("hmset")
    assert c.call("EXISTS", "h") == 0


def test_hmset_replies_ok(c):
    assert c.call("HMSET", "h", "a", "1", "b", "2") == b"OK"
    assert c.call("HMSET", "h", "a", "9") == b"OK"
    assert c.call("HMGET", "h", "a", "b") == [b"9", b"2"]


def test_hsetnx(c):
    assert c.call("HSETNX", "h", "a", "1") == 1
    assert c.call("HSETNX", "h", "a", "2") == 0
    assert c.call("HGET", "h", "a") == b"1"
    assert c.call("HSETNX", "h", "b", "2") == 1
    assert c.call("HLEN", "h") == 2
    assert c.error("HSETNX", "h", "a") == arity("hsetnx")


def test_binary_and_empty_fields(c):
    field = b"f\x00\r\n" + bytes(range(200, 256))
    value = bytes(range(256))
    assert c.call("HSET", "h", field, value, "", "", "e", "") == 3
    assert c.call("HGET", "h", field) == value
    assert c.call("HGET", "h", "") == b""
    assert c.call("HEXISTS", "h", "") == 1
    assert c.call("HSTRLEN", "h", "e") == 0
    assert c.call("HGET", "h", b"f\x00") is None


def test_integer_like_values_roundtrip(c):
    values = ["0", "-1", "127", "128", "-4096", "4095", "65536", "9223372036854775807",
              "-9223372036854775808", "9223372036854775808", "007", "+1", " 1", "1.0", "-0"]
    for i, v in enumerate(values):
        c.call("HSET", "h", f"f{i}", v)
    for i, v in enumerate(values):
        assert c.call("HGET", "h", f"f{i}") == v.encode()
        assert c.call("HSTRLEN", "h", f"f{i}") == len(v)


# ---------------------------------------------------------------- reads


def test_hget_hmget_missing(c):
    assert c.call("HGET", "nokey", "a") is None
    assert c.call("HMGET", "nokey", "a", "b") == [None, None]
    c.call("HSET", "h", "a", "1")
    assert c.call("HGET", "h", "zz") is None
    assert c.call("HMGET", "h", "zz", "a", "zz") == [None, b"1", None]


def test_hgetall_hkeys_hvals_resp2(c):
    c.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    # The small encoding keeps insertion order, as Redis's listpack.
    assert c.call("HGETALL", "h") == [b"a", b"1", b"b", b"2", b"c", b"3"]
    assert c.call("HKEYS", "h") == [b"a", b"b", b"c"]
    assert c.call("HVALS", "h") == [b"1", b"2", b"3"]
    assert c.call("HGETALL", "nokey") == []
    assert c.call("HKEYS", "nokey") == []
    assert c.call("HVALS", "nokey") == []


def test_hgetall_resp3_is_a_map(c):
    c.call("HELLO", 3)
    c.call("HSET", "h", "a", "1", "b", "2")
    assert c.call("HGETALL", "h") == {b"a": b"1", b"b": b"2"}
    assert c.call_raw("HGETALL", "nokey") == b"%0\r\n"
    assert c.call_raw("HKEYS", "nokey") == b"*0\r\n"
    assert c.call("HKEYS", "h") == [b"a", b"b"]
    assert c.call_raw("HGET", "h", "zz") == b"_\r\n"
    assert c.call_raw("HMGET", "h", "zz") == b"*1\r\n_\r\n"


def test_hgetall_hashtable(c):
    make_hashtable(c, "h")
    got = c.call("HGETALL", "h")
    as_dict = dict(zip(got[::2], got[1::2]))
    assert len(as_dict) == 301
    assert as_dict[b"f7"] == b"v7"
    assert sorted(c.call("HKEYS", "h")) == sorted(as_dict.keys())
    assert sorted(c.call("HVALS", "h")) == sorted(as_dict.values())


def test_hlen_hstrlen_hexists(c):
    assert c.call("HLEN", "nokey") == 0
    assert c.call("HSTRLEN", "nokey", "a") == 0
    assert c.call("HEXISTS", "nokey", "a") == 0
    c.call("HSET", "h", "a", "hello", "b", "")
    assert c.call("HLEN", "h") == 2
    assert c.call("HSTRLEN", "h", "a") == 5
    assert c.call("HSTRLEN", "h", "b") == 0
    assert c.call("HSTRLEN", "h", "zz") == 0
    assert c.call("HEXISTS", "h", "a") == 1
    assert c.call("HEXISTS", "h", "zz") == 0


# ---------------------------------------------------------------- HDEL


def test_hdel(c):
    c.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert c.call("HDEL", "h", "a") == 1
    assert c.call("HDEL", "h", "a") == 0
    assert c.call("HDEL", "h", "zz", "b", "b") == 1
    assert c.call("HGETALL", "h") == [b"c", b"3"]
    assert c.call("HDEL", "nokey", "a") == 0
    assert c.error("HDEL", "h") == arity("hdel")


def test_hdel_last_field_deletes_key(c):
    c.call("HSET", "h", "a", "1", "b", "2")
    assert c.call("HDEL", "h", "a", "b", "c") == 2
    assert c.call("EXISTS", "h") == 0
    make_hashtable(c, "big", 10)
    fields = [f"f{i}" for i in range(10)] + ["long"]
    assert c.call("HDEL", "big", *fields) == 11
    assert c.call("EXISTS", "big") == 0


# ---------------------------------------------------------------- HINCRBY HINCRBYFLOAT


def test_hincrby(c):
    assert c.call("HINCRBY", "h", "n", 5) == 5
    assert c.call("HINCRBY", "h", "n", -7) == -2
    assert c.call("HGET", "h", "n") == b"-2"
    c.call("HSET", "h", "big", "17179869184")
    assert c.call("HINCRBY", "h", "big", 1) == 17179869185
    assert c.call("HINCRBY", "h", "zero", 0) == 0
    assert c.call("HGET", "h", "zero") == b"0"


def test_hincrby_errors(c):
    c.call("HSET", "h", "s", "abc", "sp", " 1", "max", str(LONG_MAX), "min", str(LLONG_MIN))
    assert c.error("HINCRBY", "h", "s", 1) == HASH_NOT_INT
    assert c.error("HINCRBY", "h", "sp", 1) == HASH_NOT_INT
    assert c.error("HINCRBY", "h", "max", 1) == OVERFLOW
    assert c.error("HINCRBY", "h", "min", -1) == OVERFLOW
    assert c.call("HINCRBY", "h", "max", -1) == LONG_MAX - 1
    assert c.error("HINCRBY", "h", "x", "1.5") == NOT_INT
    assert c.error("HINCRBY", "h", "x", "") == NOT_INT
    assert c.error("HINCRBY", "h", "x", "9223372036854775808") == NOT_INT
    assert c.call("HEXISTS", "h", "x") == 0
    assert c.call("HGET", "h", "s") == b"abc"
    # The increment is checked before the key.
    c.call("SET", "str", "x")
    assert c.error("HINCRBY", "str", "f", "x") == NOT_INT
    assert c.error("HINCRBY", "str", "f", 1) == WRONGTYPE
    assert c.call("EXISTS", "nokey") == 0
    assert c.error("HINCRBY", "nokey", "f", "x") == NOT_INT
    assert c.call("EXISTS", "nokey") == 0


def test_hincrbyfloat(c):
    assert c.call("HINCRBYFLOAT", "h", "f", "10.5") == b"10.5"
    assert c.call("HINCRBYFLOAT", "h", "f", "0.1") == b"10.6"
    assert c.call("HINCRBYFLOAT", "h", "f", "-10.6") == b"0"
    c.call("HSET", "h", "i", "17179869184")
    assert c.call("HINCRBYFLOAT", "h", "i", "1.5") == b"17179869185.5"
    assert c.call("HINCRBYFLOAT", "h", "e", "3.0e3") == b"3000"
    assert c.call("HINCRBYFLOAT", "h", "e", "5") == b"3005"
    assert c.call("HGET", "h", "e") == b"3005"


def test_hincrbyfloat_errors(c):
    c.call("HSET", "h", "s", "abc", "huge", "1.1e4932", "nan", "nan", "inf", "inf")
    assert c.error("HINCRBYFLOAT", "h", "s", 1) == HASH_NOT_FLOAT
    assert c.error("HINCRBYFLOAT", "h", "nan", 1) == HASH_NOT_FLOAT
    assert c.error("HINCRBYFLOAT", "h", "inf", 1) == NAN_INF_RESULT
    assert c.error("HINCRBYFLOAT", "h", "huge", "1.1e4932") == NAN_INF_RESULT
    assert c.error("HINCRBYFLOAT", "h", "x", "inf") == NAN_INF_ARG
    assert c.error("HINCRBYFLOAT", "h", "x", "-inf") == NAN_INF_ARG
    assert c.error("HINCRBYFLOAT", "h", "x", "nan") == NOT_FLOAT
    assert c.error("HINCRBYFLOAT", "h", "x", "abc") == NOT_FLOAT
    assert c.error("HINCRBYFLOAT", "h", "x", "") == NOT_FLOAT
    assert c.error("HINCRBYFLOAT", "h", "x", " 1") == NOT_FLOAT
    assert c.call("HEXISTS", "h", "x") == 0
    assert c.call("HGET", "h", "huge") == b"1.1e4932"
    c.call("SET", "str", "x")
    assert c.error("HINCRBYFLOAT", "str", "f", "x") == NOT_FLOAT
    assert c.error("HINCRBYFLOAT", "str", "f", "inf") == NAN_INF_ARG
    assert c.error("HINCRBYFLOAT", "str", "f", 1) == WRONGTYPE


# ---------------------------------------------------------------- HRANDFIELD


@pytest.fixture(params=["listpack", "hashtable"])
def rand_hash(request, c):
    """A hash 'h' of fields a..e (or 300 more, as a hashtable) and its contents."""
    if request.param == "listpack":
        c.call("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5")
    else:
        make_hashtable(c, "h", 300)
    assert encoding(c, "h") == request.param.encode()
    got = c.call("HGETALL", "h")
    return dict(zip(got[::2], got[1::2]))


def test_hrandfield_single(c, rand_hash):
    for _ in range(20):
        assert c.call("HRANDFIELD", "h") in rand_hash
    assert c.call("HRANDFIELD", "nokey") is None
    assert c.call("HRANDFIELD", "nokey", 5) == []
    assert c.call("HRANDFIELD", "nokey", -5, "WITHVALUES") == []


def test_hrandfield_positive_count_is_distinct(c, rand_hash):
    size = len(rand_hash)
    assert c.call("HRANDFIELD", "h", 0) == []
    for count in (1, 2, size // 2, size - 1, size, size + 10):
        got = c.call("HRANDFIELD", "h", count)
        assert len(got) == min(count, size)
        assert len(set(got)) == len(got)
        assert set(got) <= set(rand_hash)
        pairs = c.call("HRANDFIELD", "h", count, "withvalues")
        assert len(pairs) == 2 * min(count, size)
        fields = pairs[::2]
        assert len(set(fields)) == len(fields)
        for f, v in zip(pairs[::2], pairs[1::2]):
            assert rand_hash[f] == v


def test_hrandfield_negative_count_repeats(c, rand_hash):
    got = c.call("HRANDFIELD", "h", -1000)
    assert len(got) == 1000
    assert set(got) <= set(rand_hash)
    if len(rand_hash) == 5:
        assert set(got) == set(rand_hash)  # 1000 draws from 5 see them all
    pairs = c.call("HRANDFIELD", "h", -50, "WITHVALUES")
    assert len(pairs) == 100
    for f, v in zip(pairs[::2], pairs[1::2]):
        assert rand_hash[f] == v


def test_hrandfield_resp3_pairs_nested(c, rand_hash):
    c.call("HELLO", 3)
    for count in (-7, 1, 3, 1000):
        got = c.call("HRANDFIELD", "h", count, "WITHVALUES")
        assert len(got) == (7 if count < 0 else min(count, len(rand_hash)))
        for pair in got:
            assert isinstance(pair, list) and len(pair) == 2
            assert rand_hash[pair[0]] == pair[1]
    got = c.call("HRANDFIELD", "h", 3)
    assert all(isinstance(f, bytes) for f in got)
    assert c.call_raw("HRANDFIELD", "nokey") == b"_\r\n"
    assert c.call_raw("HRANDFIELD", "nokey", 3, "WITHVALUES") == b"*0\r\n"


def test_hrandfield_errors(c):
    c.call("HSET", "h", "a", "1")
    assert c.error("HRANDFIELD", "h", "x") == NOT_INT
    assert c.error("HRANDFIELD", "h", "1.5") == NOT_INT
    assert c.error("HRANDFIELD", "h", LLONG_MIN) == COUNT_RANGE
    assert c.error("HRANDFIELD", "h", LLONG_MIN, "WITHVALUES") == COUNT_RANGE
    assert c.error("HRANDFIELD", "h", -9223372036854770000, "WITHVALUES") == \
        "ERR value is out of range"
    assert c.error("HRANDFIELD", "h", LONG_MAX // 2 + 1, "WITHVALUES") == \
        "ERR value is out of range"
    assert c.error("HRANDFIELD", "h", 1, "WITHVALUE") == SYNTAX
    assert c.error("HRANDFIELD", "h", 1, "WITHVALUES", "x") == SYNTAX
    # The arguments are checked before the key.
    assert c.error("HRANDFIELD", "nokey", "x") == NOT_INT
    assert c.error("HRANDFIELD", "nokey", 1, "bad") == SYNTAX
    c.call("SET", "str", "x")
    assert c.error("HRANDFIELD", "str") == WRONGTYPE
    assert c.error("HRANDFIELD", "str", 1) == WRONGTYPE
    assert c.call("HRANDFIELD", "h", 1, "withvalues") == [b"a", b"1"]
    assert c.call("HRANDFIELD", "h", LONG_MAX) == [b"a"]


def test_hrandfield_is_roughly_uniform(c, rand_hash):
    got = c.call("HRANDFIELD", "h", -20000) if len(rand_hash) == 5 else \
        c.call("HRANDFIELD", "h", -60000)
    counts = collections.Counter(got)
    expected = len(got) / len(rand_hash)
    assert len(counts) == len(rand_hash)
    # Redis's dictGetFairRandomKey is only roughly fair: loose bounds for the table.
    low, high = (0.5, 1.5) if len(rand_hash) == 5 else (0.2, 3.0)
    assert min(counts.values()) > expected * low
    assert max(counts.values()) < expected * high


# ---------------------------------------------------------------- HSCAN


def test_hscan_listpack_returns_all_at_once(c):
    c.call("HSET", "h", "a", "1", "b", "2", "aa", "3")
    assert c.call("HSCAN", "h", 0) == [b"0", [b"a", b"1", b"b", b"2", b"aa", b"3"]]
    assert c.call("HSCAN", "h", 0, "COUNT", 1) == [b"0", [b"a", b"1", b"b", b"2", b"aa", b"3"]]
    assert c.call("HSCAN", "h", 0, "MATCH", "a*") == [b"0", [b"a", b"1", b"aa", b"3"]]
    assert c.call("HSCAN", "h", 0, "MATCH", "zz*") == [b"0", []]
    # Any cursor: the small encoding has no positions to resume from.
    assert c.call("HSCAN", "h", 12345)[0] == b"0"


def test_hscan_hashtable_iterates(c):
    make_hashtable(c, "h", 1000)
    items, calls = scan_all(c, "h")
    assert calls > 1
    found = dict(zip(items[::2], items[1::2]))
    assert len(found) == 1001
    assert found[b"f123"] == b"v123"
    items, calls_100 = scan_all(c, "h", "COUNT", 100)
    assert calls_100 < calls
    assert len(dict(zip(items[::2], items[1::2]))) == 1001
    items, _ = scan_all(c, "h", "MATCH", "f1*", "COUNT", 50)
    fields = set(items[::2])
    assert fields == {f"f{i}".encode() for i in range(1000) if str(i).startswith("1")}


def test_hscan_guarantee_under_writes(c):
    """Fields present for the whole scan are returned even while the table grows."""
    make_hashtable(c, "h", 200)
    cursor = b"0"
    seen = set()
    n = 0
    while True:
        cursor, items = c.call("HSCAN", "h", cursor)
        seen |= set(items[::2])
        for _ in range(20):
            c.call("HSET", "h", f"new{n}", "x")
            n += 1
        if cursor == b"0":
            break
    assert {f"f{i}".encode() for i in range(200)} <= seen


def test_hscan_errors(c):
    c.call("HSET", "h", "a", "1")
    assert c.error("HSCAN", "h", "x") == INVALID_CURSOR
    assert c.error("HSCAN", "h", "-") == INVALID_CURSOR
    assert c.error("HSCAN", "h", "18446744073709551616") == INVALID_CURSOR
    assert c.error("HSCAN", "h", 0, "COUNT", 0) == SYNTAX
    assert c.error("HSCAN", "h", 0, "COUNT", -1) == SYNTAX
    assert c.error("HSCAN", "h", 0, "COUNT", "x") == NOT_INT
    assert c.error("HSCAN", "h", 0, "MATCH") == SYNTAX
    assert c.error("HSCAN", "h", 0, "TYPE", "hash") == SYNTAX
    # NOVALUES arrived in Redis 7.4: a syntax error in 7.2.
    assert c.error("HSCAN", "h", 0, "NOVALUES") == SYNTAX
    # A missing key answers before the options are read; the cursor is read first.
    assert c.call("HSCAN", "nokey", 0, "COUNT", 0) == [b"0", []]
    assert c.error("HSCAN", "nokey", "x") == INVALID_CURSOR
    c.call("SET", "str", "x")
    assert c.error("HSCAN", "str", 0) == WRONGTYPE
    assert c.error("HSCAN", "str", 0, "COUNT", 0) == WRONGTYPE


def test_hscan_resp3(c):
    c.call("HELLO", 3)
    c.call("HSET", "h", "a", "1")
    assert c.call("HSCAN", "h", 0) == [b"0", [b"a", b"1"]]


# ---------------------------------------------------------------- encodings


def test_encoding_by_entry_count(c, set_config):
    set_config("hash-max-listpack-entries", "4")
    c.call("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4")
    assert encoding(c, "h") == b"listpack"
    c.call("HSET", "h", "e", "5")
    assert encoding(c, "h") == b"hashtable"
    assert c.call("HGET", "h", "a") == b"1"
    # Never back, even when small again.
    c.call("HDEL", "h", "a", "b", "c", "d")
    assert encoding(c, "h") == b"hashtable"
    assert c.call("HGETALL", "h") == [b"e", b"5"]


def test_encoding_lowered_limit_converts_at_next_write(c, set_config):
    # A listpack hash above a lowered hash-max-listpack-entries converts at its next write,
    # even one that only replaces a value (Redis checks the length after every set).
    c.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    c.call("HSET", "h2", "a", "1", "b", "2", "c", "3")
    set_config("hash-max-listpack-entries", "2")
    assert encoding(c, "h") == b"listpack"
    assert c.call("HSET", "h", "a", "10") == 0
    assert encoding(c, "h") == b"hashtable"
    assert c.call("HINCRBY", "h2", "b", 1) == 3
    assert encoding(c, "h2") == b"hashtable"
    assert c.call("HLEN", "h2") == 3 and c.call("HGET", "h2", "b") == b"3"


def test_encoding_counts_pairs_of_the_call(c, set_config):
    set_config("hash-max-listpack-entries", "2")
    # Three pairs in one HSET convert, even for one distinct field (Redis sizes for them all).
    c.call("HSET", "h", "a", "1", "a", "2", "a", "3")
    assert c.call("HLEN", "h") == 1
    assert encoding(c, "h") == b"hashtable"


def test_encoding_by_value_length(c, set_config):
    set_config("hash-max-listpack-value", "8")
    c.call("HSET", "h", "field", "12345678")
    assert encoding(c, "h") == b"listpack"
    c.call("HSET", "h", "field", "123456789")
    assert encoding(c, "h") == b"hashtable"
    c.call("HSET", "h2", "a-long-field", "1")
    assert encoding(c, "h2") == b"hashtable"
    c.call("HSETNX", "h3", "123456789", "1")
    assert encoding(c, "h3") == b"hashtable"
    # HSETNX of a present field changes nothing.
    c.call("HSET", "h4", "a", "1")
    c.call("HSETNX", "h4", "a", "123456789")
    assert encoding(c, "h4") == b"listpack"


def test_encoding_by_hincr(c, set_config):
    set_config("hash-max-listpack-value", "5")
    assert c.call("HINCRBY", "h", "f", 99999) == 99999
    assert encoding(c, "h") == b"listpack"
    assert c.call("HINCRBY", "h", "f", 1) == 100000
    assert encoding(c, "h") == b"hashtable"
    c.call("HINCRBYFLOAT", "h2", "long-field", "1")
    assert encoding(c, "h2") == b"hashtable"
    c.call("HINCRBYFLOAT", "h3", "f", "1.5")
    assert encoding(c, "h3") == b"listpack"


def test_encoding_zero_limits(c, set_config):
    set_config("hash-max-listpack-entries", "0")
    c.call("HSET", "h", "a", "1")
    assert encoding(c, "h") == b"hashtable"
    set_config("hash-max-listpack-entries", "512")
    set_config("hash-max-listpack-value", "0")
    c.call("HSET", "h2", "", "")
    assert encoding(c, "h2") == b"listpack"
    c.call("HSET", "h2", "a", "")
    assert encoding(c, "h2") == b"hashtable"


def test_default_limits(c):
    assert c.call("CONFIG", "GET", "hash-max-listpack-entries") == \
        [b"hash-max-listpack-entries", b"512"]
    assert c.call("CONFIG", "GET", "hash-max-listpack-value") == \
        [b"hash-max-listpack-value", b"64"]
    args = []
    for i in range(512):
        args += [f"f{i}", "v"]
    c.call("HSET", "h", *args)
    assert encoding(c, "h") == b"listpack"
    c.call("HSET", "h", "f512", "v")
    assert encoding(c, "h") == b"hashtable"
    c.call("HSET", "h2", "f", "x" * 64)
    assert encoding(c, "h2") == b"listpack"
    c.call("HSET", "h2", "f", "x" * 65)
    assert encoding(c, "h2") == b"hashtable"


def test_same_behaviour_in_both_encodings(c, set_config):
    """A scripted workload gives the same replies whatever the encoding."""
    def run():
        replies = []
        for i in range(60):
            replies.append(c.call("HSET", "h", f"f{i % 25}", i))
            replies.append(c.call("HINCRBY", "h", f"n{i % 7}", i))
            if i % 3 == 0:
                replies.append(c.call("HDEL", "h", f"f{(i * 7) % 25}"))
            replies.append(c.call("HLEN", "h"))
            replies.append(c.call("HEXISTS", "h", f"f{i % 11}"))
            replies.append(c.call("HSTRLEN", "h", f"n{i % 7}"))
        got = c.call("HGETALL", "h")
        replies.append(sorted(zip(got[::2], got[1::2])))
        c.call("DEL", "h")
        return replies

    small = run()
    set_config("hash-max-listpack-entries", "0")
    assert run() == small


# ---------------------------------------------------------------- keyspace integration


def test_wrongtype_everywhere(c):
    c.call("SET", "str", "x")
    for cmd in (("HSET", "str", "a", "1"), ("HSETNX", "str", "a", "1"),
                ("HMSET", "str", "a", "1"), ("HGET", "str", "a"), ("HMGET", "str", "a"),
                ("HGETALL", "str"), ("HKEYS", "str"), ("HVALS", "str"), ("HDEL", "str", "a"),
                ("HLEN", "str"), ("HSTRLEN", "str", "a"), ("HEXISTS", "str", "a"),
                ("HINCRBY", "str", "a", 1), ("HINCRBYFLOAT", "str", "a", 1),
                ("HRANDFIELD", "str"), ("HSCAN", "str", 0)):
        assert c.error(*cmd) == WRONGTYPE, cmd
    assert c.call("GET", "str") == b"x"
    c.call("HSET", "h", "a", "1")
    assert c.error("GET", "h") == WRONGTYPE
    assert c.error("APPEND", "h", "x") == WRONGTYPE


def test_copy_rename_and_expire(c):
    make_hashtable(c, "big", 50)
    c.call("HSET", "small", "a", "1")
    assert c.call("COPY", "big", "big2") == 1
    assert c.call("COPY", "small", "small2") == 1
    c.call("HSET", "big", "f0", "changed")
    c.call("HSET", "small", "a", "changed")
    assert c.call("HGET", "big2", "f0") == b"v0"
    assert c.call("HGET", "small2", "a") == b"1"
    assert c.call("HLEN", "big2") == 51
    assert encoding(c, "big2") == b"hashtable"
    assert c.call("RENAME", "small2", "renamed") == b"OK"
    assert c.call("HGET", "renamed", "a") == b"1"
    c.call("EXPIRE", "renamed", 100)
    c.call("HSET", "renamed", "b", "2")
    assert c.call("TTL", "renamed") > 0


def test_watch_sees_hash_writes(c, connect):
    other = connect()
    for write in (("HSET", "h", "a", "2"), ("HDEL", "h", "a"), ("HINCRBY", "h", "n", 1),
                  ("HINCRBYFLOAT", "h", "n", 1), ("HSETNX", "h", "new", 1),
                  ("HMSET", "h", "a", "3")):
        c.call("DEL", "h")
        c.call("HSET", "h", "a", "1")
        c.call("WATCH", "h")
        other.execute_command(*write)
        c.call("MULTI")
        c.call("HGET", "h", "a")
        assert c.call("EXEC") is None, write
    # A write that changes nothing leaves the watch alone.
    c.call("HSET", "h", "a", "1")
    c.call("WATCH", "h")
    other.execute_command("HSETNX", "h", "a", "9")
    other.execute_command("HDEL", "h", "zz")
    c.call("MULTI")
    c.call("HGET", "h", "a")
    assert c.call("EXEC") == [b"1"]


def test_dirty_counts_fields(c):
    def dirty():
        info = c.call("INFO", "persistence").decode()
        line = [x for x in info.split("\r\n") if x.startswith("rdb_changes_since_last_save:")][0]
        return int(line.split(":")[1])

    before = dirty()
    c.call("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert dirty() - before == 3
    before = dirty()
    c.call("HDEL", "h", "a", "b", "zz")
    assert dirty() - before == 2
    before = dirty()
    c.call("HDEL", "h", "zz")
    c.call("HSETNX", "h", "c", "9")
    assert dirty() - before == 0


def test_many_hashes_pipelined(c):
    replies = c.pipeline([("HSET", f"h:{i}", "f0", "v", "f1", "v", "f2", i)
                          for i in range(2000)])
    assert replies == [3] * 2000
    assert c.call("HGET", "h:1234", "f2") == b"1234"
    assert c.call("DBSIZE") == 2000


# ---------------------------------------------------------------- COMMAND INFO


def key_spec(*flags):
    return [[b"flags", [f.encode() for f in flags],
             b"begin_search", [b"type", b"index", b"spec", [b"index", 1]],
             b"find_keys", [b"type", b"range", b"spec",
                            [b"lastkey", 0, b"keystep", 1, b"limit", 0]]]]


COMMAND_ROWS = [
    # name, arity, flags, acl categories, tips, key spec flags
    ("hset", -4, ["write", "denyoom", "fast"], ["@write", "@hash", "@fast"], [], ["RW", "update"]),
    ("hsetnx", 4, ["write", "denyoom", "fast"], ["@write", "@hash", "@fast"], [],
     ["RW", "insert"]),
    ("hget", 3, ["readonly", "fast"], ["@read", "@hash", "@fast"], [], ["RO", "access"]),
    ("hmget", -3, ["readonly", "fast"], ["@read", "@hash", "@fast"], [], ["RO", "access"]),
    ("hmset", -4, ["write", "denyoom", "fast"], ["@write", "@hash", "@fast"], [],
     ["RW", "update"]),
    ("hgetall", 2, ["readonly"], ["@read", "@hash", "@slow"],
     ["nondeterministic_output_order"], ["RO", "access"]),
    ("hdel", -3, ["write", "fast"], ["@write", "@hash", "@fast"], [], ["RW", "delete"]),
    ("hlen", 2, ["readonly", "fast"], ["@read", "@hash", "@fast"], [], ["RO"]),
    ("hstrlen", 3, ["readonly", "fast"], ["@read", "@hash", "@fast"], [], ["RO"]),
    ("hexists", 3, ["readonly", "fast"], ["@read", "@hash", "@fast"], [], ["RO"]),
    ("hkeys", 2, ["readonly"], ["@read", "@hash", "@slow"], ["nondeterministic_output_order"],
     ["RO", "access"]),
    ("hvals", 2, ["readonly"], ["@read", "@hash", "@slow"], ["nondeterministic_output_order"],
     ["RO", "access"]),
    ("hincrby", 4, ["write", "denyoom", "fast"], ["@write", "@hash", "@fast"], [],
     ["RW", "access", "update"]),
    ("hincrbyfloat", 4, ["write", "denyoom", "fast"], ["@write", "@hash", "@fast"], [],
     ["RW", "access", "update"]),
    ("hrandfield", -2, ["readonly"], ["@read", "@hash", "@slow"], ["nondeterministic_output"],
     ["RO", "access"]),
    ("hscan", -3, ["readonly"], ["@read", "@hash", "@slow"], ["nondeterministic_output"],
     ["RO", "access"]),
]


@pytest.mark.parametrize("row", COMMAND_ROWS, ids=[r[0] for r in COMMAND_ROWS])
def test_command_info(c, row):
    name, arity_, flags, acl, tips, spec_flags = row
    expected = [name.encode(), arity_, [f.encode() for f in flags], 1, 1, 1,
                [a.encode() for a in acl], [t.encode() for t in tips], key_spec(*spec_flags), []]
    assert c.call("COMMAND", "INFO", name) == [expected]


def test_command_docs_summary(c):
    docs = c.call("COMMAND", "DOCS", "hset")
    entry = dict(zip(docs[1][::2], docs[1][1::2]))
    assert entry[b"summary"] == b"Creates or modifies the value of a field in a hash."
    assert entry[b"since"] == b"2.0.0"
    assert entry[b"group"] == b"hash"
    assert c.call("COMMAND", "GETKEYS", "HSET", "k", "f", "v") == [b"k"]


def test_redis_py_client(r):
    assert r.hset("h", mapping={"a": 1, "b": "two"}) == 2
    assert r.hgetall("h") == {b"a": b"1", b"b": b"two"}
    assert r.hincrbyfloat("h", "a", 0.5) == 1.5
    assert dict(r.hscan_iter("h")) == {b"a": b"1.5", b"b": b"two"}
    assert r.hrandfield("h", 2, withvalues=True) in (
        [b"a", b"1.5", b"b", b"two"], [b"b", b"two", b"a", b"1.5"])
