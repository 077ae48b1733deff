"""SORT and SORT_RO over lists, sets and sorted sets: numeric and ALPHA
order, ASC/DESC, LIMIT, BY (string keys, hash fields, constant = no sort),
GET (#, keys, hash fields), STORE, and the errors."""

import pytest
import redis

# redis-py drops the "ERR " prefix of error replies.
SYNTAX = "syntax error"
NOT_INT = "value is not an integer or out of range"
NOT_DOUBLE = "One or more scores can't be converted into double"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


@pytest.fixture
def data(r):
    r.rpush("l{t}", 3, 1, 2, 10)
    r.sadd("s{t}", 3, 1, 2, 10)
    r.zadd("z{t}", {"c": 1, "a": 3, "b": 2})
    for x, w in ((1, 40), (2, 30), (3, 20), (10, 10)):
        r.set(f"w_{x}{{t}}", w)
        r.set(f"o_{x}{{t}}", f"obj{x}")
        r.hset(f"h_{x}{{t}}", mapping={"w": 100 - w, "name": f"n{x}"})
    return r


def test_numeric_sort_of_list_set_zset(data):
    r = data
    assert r.sort("l{t}") == [b"1", b"2", b"3", b"10"]
    assert r.sort("s{t}") == [b"1", b"2", b"3", b"10"]
    assert r.sort("l{t}", desc=True) == [b"10", b"3", b"2", b"1"]
    assert r.execute_command("SORT", "z{t}", "ALPHA") == [b"a", b"b", b"c"]


def test_alpha_and_limit(data):
    r = data
    assert r.sort("l{t}", alpha=True) == [b"1", b"10", b"2", b"3"]
    assert r.sort("l{t}", start=1, num=2) == [b"2", b"3"]
    assert r.sort("l{t}", start=-5, num=2) == [b"1", b"2"]
    assert r.sort("l{t}", start=10, num=2) == []
    assert r.execute_command("SORT", "l{t}", "LIMIT", 1, -1) == [b"2", b"3", b"10"]
    assert r.execute_command("SORT", "l{t}", "LIMIT", 0, 0) == []


def test_by_keys_and_hash_fields(data):
    r = data
    assert r.sort("l{t}", by="w_*{t}") == [b"10", b"3", b"2", b"1"]
    assert r.sort("l{t}", by="h_*{t}->w") == [b"1", b"2", b"3", b"10"]
    # Missing weights sort as 0; equal scores fall back to the elements themselves.
    r.rpush("l{t}", 7)
    assert r.sort("l{t}", by="w_*{t}")[0] == b"7"


def test_by_constant_keeps_native_order(data):
    r = data
    assert r.sort("l{t}", by="nosort") == [b"3", b"1", b"2", b"10"]
    assert r.execute_command("SORT", "l{t}", "BY", "nosort", "DESC") == [b"10", b"2", b"1", b"3"]
    assert r.execute_command("SORT", "l{t}", "BY", "nosort", "LIMIT", 1, 2) == [b"1", b"2"]
    assert r.execute_command("SORT", "z{t}", "BY", "nosort") == [b"c", b"b", b"a"]
    assert r.execute_command("SORT", "z{t}", "BY", "nosort", "DESC", "LIMIT", 0, 2) == [b"a", b"b"]


def test_get_patterns(data):
    r = data
    assert r.sort("l{t}", get="o_*{t}") == [b"obj1", b"obj2", b"obj3", b"obj10"]
    assert r.sort("l{t}", get=["#", "h_*{t}->name"]) == [
        b"1", b"n1", b"2", b"n2", b"3", b"n3", b"10", b"n10"]
    # Missing keys and fields, and patterns without '*', give nil.
    assert r.sort("l{t}", get=["missing_*{t}"], start=0, num=1) == [None]
    assert r.sort("l{t}", get=["constant"], start=0, num=1) == [None]
    assert r.sort("l{t}", get=["h_*{t}->nofield"], start=0, num=1) == [None]


def test_store(data):
    r = data
    assert r.sort("l{t}", desc=True, store="dst{t}") == 4
    assert r.lrange("dst{t}", 0, -1) == [b"10", b"3", b"2", b"1"]
    assert r.type("dst{t}") == b"list"
    # GET values that are missing are stored as empty strings.
    assert r.sort("l{t}", get=["missing_*{t}"], store="dst{t}") == 4
    assert r.lrange("dst{t}", 0, -1) == [b""] * 4
    # An empty result deletes the destination.
    assert r.sort("nokey{t}", store="dst{t}") == 0
    assert r.exists("dst{t}") == 0
    # A set sorted BY a constant is still sorted (ALPHA) when stored.
    assert r.execute_command("SORT", "s{t}", "BY", "nosort", "STORE", "dst{t}") == 4
    assert r.lrange("dst{t}", 0, -1) == [b"1", b"10", b"2", b"3"]


def test_sort_ro(data):
    r = data
    assert r.execute_command("SORT_RO", "l{t}", "DESC") == [b"10", b"3", b"2", b"1"]
    assert err(r, "SORT_RO", "l{t}", "STORE", "x{t}") == SYNTAX


def test_errors_leave_data_alone(data):
    r = data
    r.rpush("words{t}", "b", "a")
    assert err(r, "SORT", "words{t}") == NOT_DOUBLE
    assert err(r, "SORT", "l{t}", "LIMIT", "x", 1) == NOT_INT
    assert err(r, "SORT", "l{t}", "LIMIT", 1) == SYNTAX
    assert err(r, "SORT", "l{t}", "BOGUS") == SYNTAX
    assert err(r, "SORT", "l{t}", "STORE") == SYNTAX
    r.set("str{t}", "x")
    assert err(r, "SORT", "str{t}") == WRONGTYPE
    r.hset("hash{t}", "f", "v")
    assert err(r, "SORT", "hash{t}") == WRONGTYPE
    assert r.lrange("l{t}", 0, -1) == [b"3", b"1", b"2", b"10"]
    assert r.sort("missing{t}") == []


def test_numbers_as_strtod_reads_them(r):
    r.rpush("n", "1.5", "-inf", "1e3", "0x10", " 2", "")
    assert r.sort("n") == [b"-inf", b"", b"1.5", b" 2", b"0x10", b"1e3"]
    r.rpush("bad", "nan")
    assert err(r, "SORT", "bad") == NOT_DOUBLE


def test_command_info_rows(c):
    info = c.call("COMMAND", "INFO", "sort", "sort_ro")
    assert info[0][1] == -2 and info[1][1] == -2
    assert b"movablekeys" in info[0][2]
    assert c.call("COMMAND", "GETKEYS", "SORT", "a", "STORE", "b") == [b"a", b"b"]
    assert c.call("COMMAND", "GETKEYS", "SORT", "a", "BY", "w_*") == [b"a"]


def test_sort_converts_a_sorted_set_to_skiplist(c):
    """Redis's SORT converts any sorted set to the skiplist encoding before reading it (even
    when the sort then fails); there a later -0 score keeps its sign, in a listpack it reads 0."""
    c.call("ZADD", "z", 1, "d")
    assert c.call("OBJECT", "ENCODING", "z") == b"listpack"
    assert c.call("SORT", "z", "ALPHA") == [b"d"]
    assert c.call("OBJECT", "ENCODING", "z") == b"skiplist"
    c.call("ZADD", "z", "-0.0", "b")
    assert c.call("ZSCORE", "z", "b") == b"-0"
    c.call("ZADD", "lp", "-0.0", "b")
    assert c.call("ZSCORE", "lp", "b") == b"0"
    assert c.call("OBJECT", "ENCODING", "lp") == b"listpack"
    assert c.call("SORT_RO", "lp", "ALPHA") == [b"b"]
    assert c.call("OBJECT", "ENCODING", "lp") == b"skiplist"
    c.call("ZADD", "bad", 1, "x")
    assert str(c.call("SORT", "bad")) == "ERR One or more scores can't be converted into double"
    assert c.call("OBJECT", "ENCODING", "bad") == b"skiplist"


def test_alpha_compares_up_to_nul_unless_stored(c):
    # Redis compares returned ALPHA results with strcoll(), which stops at the first NUL byte:
    # "a" and "a\0b" tie and keep their list order. STORE compares all bytes.
    c.call("RPUSH", "l{t}", b"a\x00b", "b", "a", b"a\x00a")
    assert c.call("SORT", "l{t}", "ALPHA") == [b"a\x00b", b"a", b"a\x00a", b"b"]
    assert c.call("SORT", "l{t}", "ALPHA", "DESC") == [b"b", b"a\x00b", b"a", b"a\x00a"]
    assert c.call("SORT", "l{t}", "ALPHA", "STORE", "dst{t}") == 4
    assert c.call("LRANGE", "dst{t}", 0, -1) == [b"a", b"a\x00a", b"a\x00b", b"b"]
