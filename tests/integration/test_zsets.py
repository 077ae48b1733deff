"""Sorted set commands: ZADD ZINCRBY ZREM ZCARD ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE
ZRANK ZREVRANK ZRANGE ZRANGESTORE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
ZREVRANGEBYLEX ZREVRANGE ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN
ZPOPMAX ZMPOP BZPOPMIN BZPOPMAX BZMPOP (served at once; blocking is in
test_zsets_blocking.py) ZRANDMEMBER ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE
ZDIFFSTORE ZINTERCARD ZSCAN, their RESP2/RESP3 reply shapes, the listpack and
skiplist encodings and COMMAND INFO rows."""

import random

import pytest

from conftest import RespError

NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NAN = "ERR resulting score is not a number (NaN)"
BAD_RANGE = "ERR min or max is not a float"
BAD_LEX = "ERR min or max not valid string range item"
NOT_POSITIVE = "ERR value is out of range, must be positive"


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def hello3(c):
    c.call("HELLO", 3)
    return c


def flat(c, key):
    return c.call("ZRANGE", key, 0, -1, "WITHSCORES")


def fill(c, key, pairs):
    args = []
    for member, score in pairs:
        args += [score, member]
    return c.call("ZADD", key, *args)


# ---------------------------------------------------------------- ZADD


def test_zadd_adds_and_updates(c):
    assert c.call("ZADD", "z", 1, "a", 2, "b") == 2
    assert c.call("ZADD", "z", 3, "a", 4, "c") == 1
    assert flat(c, "z") == [b"b", b"2", b"a", b"3", b"c", b"4"]
    assert c.call("TYPE", "z") == b"zset"
    # Same member twice in one call: the last score wins, counted once.
    assert c.call("ZADD", "z2", 1, "x", 2, "x") == 1
    assert c.call("ZSCORE", "z2", "x") == b"2"


def test_zadd_ch(c):
    fill(c, "z", [("a", 1), ("b", 2)])
    assert c.call("ZADD", "z", "CH", 1, "a", 5, "b", 6, "c") == 2
    assert c.call("ZADD", "z", "ch", 1, "a") == 0


def test_zadd_nx_xx(c):
    fill(c, "z", [("a", 1)])
    assert c.call("ZADD", "z", "NX", 5, "a", 2, "b") == 1
    assert c.call("ZSCORE", "z", "a") == b"1"
    assert c.call("ZADD", "z", "XX", 5, "a", 3, "c") == 0
    assert c.call("ZSCORE", "z", "a") == b"5"
    assert c.call("ZSCORE", "z", "c") is None
    assert c.call("ZADD", "z", "XX", "CH", 6, "a", 3, "c") == 1
    # XX on a missing key creates nothing.
    assert c.call("ZADD", "missing", "XX", 1, "a") == 0
    assert c.call("EXISTS", "missing") == 0
    assert c.call("ZADD", "missing", "XX", "INCR", 1, "a") is None
    assert c.call("EXISTS", "missing") == 0


def test_zadd_gt_lt(c):
    fill(c, "z", [("a", 5), ("b", 5)])
    assert c.call("ZADD", "z", "GT", "CH", 10, "a", 1, "b", 7, "new") == 2
    assert flat(c, "z") == [b"b", b"5", b"new", b"7", b"a", b"10"]
    assert c.call("ZADD", "z", "LT", "CH", 1, "a", 9, "b") == 1
    assert c.call("ZSCORE", "z", "a") == b"1"
    assert c.call("ZSCORE", "z", "b") == b"5"
    assert c.call("ZADD", "z", "XX", "GT", "CH", 100, "b", 100, "nope") == 1
    assert c.call("ZSCORE", "z", "nope") is None
    # Equal scores are not "greater".
    assert c.call("ZADD", "z", "GT", "CH", 100, "b") == 0


def test_zadd_incr(c):
    assert c.call("ZADD", "z", "INCR", 2.5, "a") == b"2.5"
    assert c.call("ZADD", "z", "INCR", 1, "a") == b"3.5"
    assert c.call("ZADD", "z", "NX", "INCR", 1, "a") is None
    assert c.call("ZADD", "z", "XX", "INCR", 1, "b") is None
    assert c.call("ZADD", "z", "GT", "INCR", -1, "a") is None
    assert c.call("ZADD", "z", "LT", "INCR", -1, "a") == b"2.5"
    assert c.call("ZADD", "z", "INCR", 0, "a") == b"2.5"
    assert c.call("ZADD", "z", "GT", "INCR", 5, "new") == b"5"


def test_zadd_option_errors(c):
    assert c.error("ZADD", "z", 1) == arity("zadd")
    assert c.error("ZADD", "z", "NX", 1) == SYNTAX
    assert c.error("ZADD", "z", "NX", "XX", "CH") == SYNTAX
    assert c.error("ZADD", "z", 1, "a", 2) == SYNTAX
    assert c.error("ZADD", "z", "NX", "XX", 1, "a") == "ERR XX and NX options at the same time are not compatible"
    gt_lt = "ERR GT, LT, and/or NX options at the same time are not compatible"
    assert c.error("ZADD", "z", "GT", "LT", 1, "a") == gt_lt
    assert c.error("ZADD", "z", "NX", "GT", 1, "a") == gt_lt
    assert c.error("ZADD", "z", "LT", "NX", 1, "a") == gt_lt
    assert c.error("ZADD", "z", "INCR", 1, "a", 2, "b") == "ERR INCR option supports a single increment-element pair"
    # Options are only recognised before the first score.
    assert c.error("ZADD", "z", 1, "a", "NX", "b") == NOT_FLOAT
    assert c.call("EXISTS", "z") == 0


def test_zadd_bad_scores_change_nothing(c):
    fill(c, "z", [("a", 1)])
    for bad in ["abc", "", " 1", "1 ", "nan", "NaN", "1e400", "-1e400", "1.5x"]:
        assert c.error("ZADD", "z", 2, "b", bad, "c") == NOT_FLOAT, bad
    assert flat(c, "z") == [b"a", b"1"]
    # The float error comes before the type check.
    c.call("SET", "s", "x")
    assert c.error("ZADD", "s", "x", "a") == NOT_FLOAT
    assert c.error("ZADD", "s", 1, "a") == WRONGTYPE
    assert c.call("GET", "s") == b"x"


def test_zadd_score_syntax(c):
    for text, expect in [("inf", b"inf"), ("+inf", b"inf"), ("-inf", b"-inf"), ("1e3", b"1000"),
                         ("0x10", b"16"), ("-0", b"0"), ("1.50", b"1.5"), ("1e-5", b"0.00001"), ("1e-20", b"1e-20"), ("123456789012345678", b"123456789012345680"),
                         ("3.0000000000000004", b"3.0000000000000004")]:
        c.call("DEL", "z")
        assert c.call("ZADD", "z", text, "m") == 1, text
        assert c.call("ZSCORE", "z", "m") == expect, text


def test_zadd_nan_from_increment(c):
    c.call("ZADD", "z", "inf", "a")
    assert c.error("ZADD", "z", "INCR", "-inf", "a") == NAN
    assert c.error("ZINCRBY", "z", "-inf", "a") == NAN
    assert c.call("ZSCORE", "z", "a") == b"inf"


def test_zadd_wrongtype(c):
    c.call("SET", "l", "x")
    assert c.error("ZADD", "l", 1, "a") == WRONGTYPE
    assert c.error("ZINCRBY", "l", 1, "a") == WRONGTYPE


def test_zadd_binary_members(c):
    members = [b"", b"\x00", b"a\r\nb", bytes(range(256))]
    for i, m in enumerate(members):
        assert c.call("ZADD", "z", i, m) == 1
    assert c.call("ZRANGE", "z", 0, -1) == members
    assert c.call("ZSCORE", "z", b"\x00") == b"1"


# ---------------------------------------------------------------- ZINCRBY


def test_zincrby(c):
    assert c.call("ZINCRBY", "z", 1.5, "a") == b"1.5"
    assert c.call("ZINCRBY", "z", "-0.5", "a") == b"1"
    assert c.call("ZINCRBY", "z", "0.1", "b") == b"0.1"
    assert c.call("ZINCRBY", "z", "0.2", "b") == b"0.30000000000000004"
    assert c.error("ZINCRBY", "z", "x", "a") == NOT_FLOAT
    # ZINCRBY shares ZADD's option scanner: an option word in the increment's place is taken as
    # an option, leaving an odd number of arguments.
    assert c.error("ZINCRBY", "z", "nx", "a") == SYNTAX
    assert c.error("ZINCRBY", "z", 1) == arity("zincrby")


# ---------------------------------------------------------------- ZREM ZCARD ZSCORE ZMSCORE


def test_zrem(c):
    fill(c, "z", [("a", 1), ("b", 2), ("c", 3)])
    assert c.call("ZREM", "z", "a", "x", "a") == 1
    assert c.call("ZCARD", "z") == 2
    assert c.call("ZREM", "z", "b", "c", "d") == 2
    assert c.call("EXISTS", "z") == 0
    assert c.call("ZREM", "missing", "a") == 0
    c.call("SET", "s", "x")
    assert c.error("ZREM", "s", "a") == WRONGTYPE


def test_zcard_zscore_zmscore(c):
    fill(c, "z", [("a", 1), ("b", 2.5)])
    assert c.call("ZCARD", "z") == 2
    assert c.call("ZCARD", "missing") == 0
    assert c.call("ZSCORE", "z", "b") == b"2.5"
    assert c.call("ZSCORE", "z", "x") is None
    assert c.call("ZSCORE", "missing", "x") is None
    assert c.call("ZMSCORE", "z", "a", "x", "b") == [b"1", None, b"2.5"]
    assert c.call("ZMSCORE", "missing", "a", "b") == [None, None]
    c.call("SET", "s", "x")
    for cmd in (("ZCARD", "s"), ("ZSCORE", "s", "a"), ("ZMSCORE", "s", "a")):
        assert c.error(*cmd) == WRONGTYPE
    assert c.error("ZMSCORE", "z") == arity("zmscore")


def test_resp3_scores_are_doubles(c):
    hello3(c)
    fill(c, "z", [("a", 1), ("b", 2.5), ("c", "inf")])
    assert c.call_raw("ZSCORE", "z", "b") == b",2.5\r\n"
    assert c.call_raw("ZSCORE", "z", "c") == b",inf\r\n"
    assert c.call_raw("ZSCORE", "z", "x") == b"_\r\n"
    assert c.call("ZMSCORE", "z", "a", "x") == [1.0, None]
    assert c.call_raw("ZINCRBY", "z", 1, "a") == b",2\r\n"
    assert c.call_raw("ZADD", "z", "NX", "INCR", 1, "a") == b"_\r\n"


# ---------------------------------------------------------------- ZRANK ZREVRANK


def test_zrank_zrevrank(c):
    fill(c, "z", [("a", 1), ("b", 2), ("c", 3)])
    assert c.call("ZRANK", "z", "a") == 0
    assert c.call("ZRANK", "z", "c") == 2
    assert c.call("ZREVRANK", "z", "a") == 2
    assert c.call("ZRANK", "z", "x") is None
    assert c.call("ZRANK", "missing", "x") is None
    assert c.call("ZRANK", "z", "b", "WITHSCORE") == [1, b"2"]
    assert c.call("ZREVRANK", "z", "b", "withscore") == [1, b"2"]
    assert c.call_raw("ZRANK", "z", "x", "WITHSCORE") == b"*-1\r\n"
    assert c.call_raw("ZRANK", "missing", "x", "WITHSCORE") == b"*-1\r\n"
    assert c.error("ZRANK", "z", "a", "WITHSCORES") == SYNTAX
    assert c.error("ZRANK", "z", "a", "WITHSCORE", "x") == arity("zrank")
    assert c.error("ZREVRANK", "z", "a", "WITHSCORE", "x") == arity("zrevrank")
    c.call("SET", "s", "x")
    assert c.error("ZRANK", "s", "a") == WRONGTYPE


def test_zrank_resp3(c):
    hello3(c)
    fill(c, "z", [("a", 1.5)])
    assert c.call_raw("ZRANK", "z", "a", "WITHSCORE") == b"*2\r\n:0\r\n,1.5\r\n"
    assert c.call_raw("ZRANK", "z", "x", "WITHSCORE") == b"_\r\n"
    assert c.call_raw("ZRANK", "z", "x") == b"_\r\n"


# ---------------------------------------------------------------- ZCOUNT ZLEXCOUNT


def test_zcount(c):
    fill(c, "z", [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", "inf"), ("f", "-inf")])
    assert c.call("ZCOUNT", "z", "-inf", "+inf") == 6
    assert c.call("ZCOUNT", "z", 2, 3) == 2
    assert c.call("ZCOUNT", "z", "(2", 3) == 1
    assert c.call("ZCOUNT", "z", "(2", "(3") == 0
    assert c.call("ZCOUNT", "z", 3, 2) == 0
    assert c.call("ZCOUNT", "z", "(inf", "+inf") == 0
    assert c.call("ZCOUNT", "z", "inf", "inf") == 1
    assert c.call("ZCOUNT", "missing", 0, 1) == 0
    # Redis reads bounds with strtod: hex, leading blanks and an empty bound (0) are accepted.
    assert c.call("ZCOUNT", "z", " 0x1", "4") == 4
    assert c.call("ZCOUNT", "z", "", "(") == 0
    for bad in ["abc", "1 ", "nan", "(nan", "((1", "1)"]:
        assert c.error("ZCOUNT", "z", bad, 1) == BAD_RANGE, bad
        assert c.error("ZCOUNT", "z", 1, bad) == BAD_RANGE, bad
    c.call("SET", "s", "x")
    assert c.error("ZCOUNT", "s", 0, 1) == WRONGTYPE
    assert c.error("ZCOUNT", "s", "x", 1) == BAD_RANGE


def test_zlexcount(c):
    fill(c, "z", [(m, 0) for m in "abcdefg"])
    assert c.call("ZLEXCOUNT", "z", "-", "+") == 7
    assert c.call("ZLEXCOUNT", "z", "[b", "[d") == 3
    assert c.call("ZLEXCOUNT", "z", "(b", "(d") == 1
    assert c.call("ZLEXCOUNT", "z", "[d", "[b") == 0
    assert c.call("ZLEXCOUNT", "z", "+", "-") == 0
    assert c.call("ZLEXCOUNT", "z", "-", "-") == 0
    assert c.call("ZLEXCOUNT", "z", "[", "+") == 7
    assert c.call("ZLEXCOUNT", "missing", "-", "+") == 0
    for bad in ["a", "", "-a", "+a", "{a"]:
        assert c.error("ZLEXCOUNT", "z", bad, "+") == BAD_LEX, bad
        assert c.error("ZLEXCOUNT", "z", "-", bad) == BAD_LEX, bad


@pytest.mark.parametrize("entries", ["128", "0"], ids=["listpack", "skiplist"])
def test_lex_ranges_on_mixed_scores(c, set_config, entries):
    """Members with different scores are not in member order; Redis then answers with what its
    walk finds. Here the walk cannot depend on the skiplist's random node heights (the members
    below the min, and those below the max, are a prefix of the order), so the answer is fixed
    (checked against redis-server in both encodings)."""
    set_config("zset-max-listpack-entries", entries)
    fill(c, "z", [("a", 1), ("c", 2), ("b", 3), ("d", 4)])
    assert c.call("OBJECT", "ENCODING", "z") == (b"listpack" if entries == "128" else b"skiplist")
    assert c.call("ZLEXCOUNT", "z", "[b", "[c") == 2
    assert c.call("ZRANGEBYLEX", "z", "[b", "[c") == [b"c", b"b"]
    assert c.call("ZREVRANGEBYLEX", "z", "[c", "[b") == [b"b", b"c"]
    assert c.call("ZRANGESTORE", "dst", "z", "[b", "[c", "BYLEX") == 2
    assert c.call("ZREMRANGEBYLEX", "z", "[b", "[c") == 2
    assert c.call("ZRANGE", "z", 0, -1) == [b"a", b"d"]


def test_lex_ranges_on_mixed_scores_listpack(c):
    """The listpack walk is linear, so Redis's answers are fixed (checked against
    redis-server). The first member in range is 'a'; walking back from the end finds '-1' below
    the max but not above the min, so there is no last one."""
    fill(c, "z", [("aa", 3), ("a", -2), ("-1", -1)])
    assert c.call("OBJECT", "ENCODING", "z") == b"listpack"
    assert c.call("ZLEXCOUNT", "z", "[a", "[a") == 2
    assert c.call("ZRANGEBYLEX", "z", "[a", "[a") == [b"a", b"-1"]
    assert c.call("ZRANGEBYLEX", "z", "[a", "[a", "LIMIT", 1, 5) == [b"-1"]
    assert c.call("ZREVRANGEBYLEX", "z", "[a", "[a") == []
    assert c.call("ZRANGE", "z", "[a", "[a", "BYLEX", "REV") == []
    assert c.call("ZRANGESTORE", "dst", "z", "[a", "[a", "BYLEX") == 2
    assert c.call("ZRANGE", "dst", 0, -1) == [b"a", b"-1"]
    assert c.call("ZREMRANGEBYLEX", "z", "[a", "[a") == 2
    assert c.call("ZRANGE", "z", 0, -1) == [b"aa"]
    # The last member is below the min: nothing, although 'b' before it is in range.
    fill(c, "y", [("b", 1), ("a", 2)])
    assert c.call("ZRANGEBYLEX", "y", "[b", "+", "LIMIT", 1, 1) == []
    assert c.call("ZRANGEBYLEX", "y", "[b", "+") == []
    assert c.call("ZLEXCOUNT", "y", "[b", "+") == 0


@pytest.mark.parametrize("entries", ["128", "0"], ids=["default", "skiplist"])
def test_lex_ranges_on_mixed_scores_skiplist_survive(c, set_config, entries):
    """Skiplist sets where the walk depends on the random node heights (in Redis too): these
    crashed the server. The answers must be ones Redis's walk can give."""
    set_config("zset-max-listpack-entries", entries)
    long = b"x" * 70  # makes a skiplist with the default limits too
    for i in range(100):
        c.call("DEL", "z", "w")
        fill(c, "z", [("aa", 3), ("a", -2), ("-1", -1), (long, 4)])
        assert c.call("OBJECT", "ENCODING", "z") == b"skiplist"
        assert c.call("ZLEXCOUNT", "z", "[a", "[a") in (0, 4)
        assert c.call("ZRANGEBYLEX", "z", "[a", "[a") in ([], [b"a", b"-1"])
        assert c.call("ZREVRANGEBYLEX", "z", "[a", "[a") == []
        assert c.call("ZRANGESTORE", "dst", "z", "[a", "[a", "BYLEX") in (0, 2)
        fill(c, "w", [("3", -1), ("", 0), ("e", 3), (long, 4)])
        assert c.call("ZLEXCOUNT", "w", "[1", "(c") in (0, 4)
        assert c.call("ZRANGEBYLEX", "w", "[1", "(c") in ([], [b"3", b""])
        assert c.call("ZREMRANGEBYLEX", "w", "[1", "(c") in (0, 2)
    assert c.call("PING") == b"PONG"


# ---------------------------------------------------------------- ZRANGE (rank)


def test_zrange_by_rank(c):
    fill(c, "z", [("a", 1), ("b", 2), ("c", 3), ("d", 4)])
    assert c.call("ZRANGE", "z", 0, -1) == [b"a", b"b", b"c", b"d"]
    assert c.call("ZRANGE", "z", 1, 2) == [b"b", b"c"]
    assert c.call("ZRANGE", "z", -2, 100) == [b"c", b"d"]
    assert c.call("ZRANGE", "z", -100, 0) == [b"a"]
    assert c.call("ZRANGE", "z", 3, 1) == []
    assert c.call("ZRANGE", "z", 4, 10) == []
    assert c.call("ZRANGE", "z", 0, -5) == []
    assert c.call("ZRANGE", "z", 0, 1, "REV") == [b"d", b"c"]
    assert c.call("ZRANGE", "z", 0, 1, "WITHSCORES") == [b"a", b"1", b"b", b"2"]
    assert c.call("ZREVRANGE", "z", 0, 0, "WITHSCORES") == [b"d", b"4"]
    assert c.call("ZRANGE", "missing", 0, -1) == []
    assert c.error("ZRANGE", "z", "a", 1) == NOT_INT
    assert c.error("ZRANGE", "z", 0, 1, "LIMIT", 0, 1) == (
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
    # A limit count of -1 is "no limit": Redis lets it through with a rank range.
    assert c.call("ZRANGE", "z", 0, 1, "LIMIT", 5, -1) == [b"a", b"b"]
    assert c.error("ZRANGE", "z", 0, 1, "LIMIT", 0) == SYNTAX
    assert c.error("ZRANGE", "z", 0, 1, "FOO") == SYNTAX
    assert c.error("ZREVRANGE", "z", 0, 1, "REV") == SYNTAX
    assert c.error("ZREVRANGE", "z", 0, 1, "BYSCORE") == SYNTAX
    c.call("SET", "s", "x")
    assert c.error("ZRANGE", "s", 0, 1) == WRONGTYPE


def test_zrange_by_score(c):
    fill(c, "z", [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)])
    assert c.call("ZRANGE", "z", 2, 4, "BYSCORE") == [b"b", b"c", b"d"]
    assert c.call("ZRANGE", "z", "(2", "(4", "BYSCORE") == [b"c"]
    assert c.call("ZRANGE", "z", 4, 2, "BYSCORE", "REV") == [b"d", b"c", b"b"]
    assert c.call("ZRANGE", "z", 2, 4, "BYSCORE", "REV") == []
    assert c.call("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", 1, 2) == [b"b", b"c"]
    assert c.call("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 1, 2,
                  "WITHSCORES") == [b"d", b"4", b"c", b"3"]
    assert c.call("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", 0, -5) == [b"a", b"b", b"c", b"d", b"e"]
    assert c.call("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", 0, 0) == []
    assert c.call("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", 5, 1) == []
    # A negative offset never gets past the skipping.
    assert c.call("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", -1, 1) == []
    assert c.call("ZRANGEBYSCORE", "z", 1, 2, "WITHSCORES") == [b"a", b"1", b"b", b"2"]
    assert c.call("ZRANGEBYSCORE", "z", "(1", 5, "LIMIT", 1, 1) == [b"c"]
    assert c.call("ZREVRANGEBYSCORE", "z", 5, "(3", "WITHSCORES") == [b"e", b"5", b"d", b"4"]
    assert c.call("ZREVRANGEBYSCORE", "z", 5, 3, "LIMIT", 2, 5) == [b"c"]
    assert c.error("ZRANGE", "z", "x", 1, "BYSCORE") == BAD_RANGE
    assert c.error("ZRANGEBYSCORE", "z", 1, "x") == BAD_RANGE
    assert c.error("ZRANGEBYSCORE", "z", 1, 2, "LIMIT", "x", 1) == NOT_INT
    assert c.error("ZRANGEBYSCORE", "z", 1, 2, "REV") == SYNTAX
    assert c.error("ZRANGEBYSCORE", "z", 1, 2, "BYLEX") == SYNTAX
    # Options are checked before the range, the range before the key.
    assert c.error("ZRANGEBYSCORE", "z", "x", 2, "FOO") == SYNTAX
    c.call("SET", "s", "x")
    assert c.error("ZRANGEBYSCORE", "s", "x", 2) == BAD_RANGE
    assert c.error("ZRANGEBYSCORE", "s", 1, 2) == WRONGTYPE


def test_zrange_by_lex(c):
    fill(c, "z", [(m, 0) for m in "abcdefg"])
    assert c.call("ZRANGE", "z", "[b", "(e", "BYLEX") == [b"b", b"c", b"d"]
    assert c.call("ZRANGE", "z", "(e", "[b", "BYLEX", "REV") == [b"d", b"c", b"b"]
    assert c.call("ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", 2, 2) == [b"c", b"d"]
    assert c.call("ZRANGEBYLEX", "z", "-", "[c") == [b"a", b"b", b"c"]
    assert c.call("ZRANGEBYLEX", "z", "(c", "+", "LIMIT", 0, 2) == [b"d", b"e"]
    assert c.call("ZREVRANGEBYLEX", "z", "+", "(e") == [b"g", b"f"]
    assert c.call("ZREVRANGEBYLEX", "z", "[c", "-", "LIMIT", 1, 5) == [b"b", b"a"]
    assert c.call("ZRANGEBYLEX", "z", "+", "-") == []
    assert c.error("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES") == (
        "ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    assert c.error("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES") == (
        "ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    assert c.error("ZRANGEBYLEX", "z", "a", "+") == BAD_LEX
    assert c.error("ZREVRANGEBYLEX", "z", "+", "a") == BAD_LEX


def test_zrange_resp3_withscores_nested(c):
    hello3(c)
    fill(c, "z", [("a", 1), ("b", 2.5)])
    assert c.call("ZRANGE", "z", 0, -1, "WITHSCORES") == [[b"a", 1.0], [b"b", 2.5]]
    assert c.call_raw("ZRANGE", "z", 0, 0, "WITHSCORES") == b"*1\r\n*2\r\n$1\r\na\r\n,1\r\n"
    assert c.call("ZRANGEBYSCORE", "z", 2, 3, "WITHSCORES") == [[b"b", 2.5]]
    assert c.call("ZRANGE", "z", 0, -1) == [b"a", b"b"]


# ---------------------------------------------------------------- ZRANGESTORE


def test_zrangestore(c):
    fill(c, "{t}src", [("a", 1), ("b", 2), ("c", 3), ("d", 4)])
    assert c.call("ZRANGESTORE", "{t}dst", "{t}src", 1, 2) == 2
    assert flat(c, "{t}dst") == [b"b", b"2", b"c", b"3"]
    assert c.call("ZRANGESTORE", "{t}dst", "{t}src", 3, 1, "BYSCORE", "REV", "LIMIT", 0, 2) == 2
    assert flat(c, "{t}dst") == [b"b", b"2", b"c", b"3"]
    assert c.call("ZRANGESTORE", "{t}dst", "{t}src", "[a", "[b", "BYLEX") == 2
    # An empty result deletes the destination, whatever it held.
    c.call("SET", "{t}str", "x")
    assert c.call("ZRANGESTORE", "{t}str", "{t}src", 10, 20) == 0
    assert c.call("EXISTS", "{t}str") == 0
    c.call("SET", "{t}str", "x")
    assert c.call("ZRANGESTORE", "{t}str", "{t}missing", 0, -1) == 0
    assert c.call("EXISTS", "{t}str") == 0
    # A destination of another type is overwritten.
    c.call("SET", "{t}str", "x")
    assert c.call("ZRANGESTORE", "{t}str", "{t}src", 0, 0) == 1
    assert c.call("TYPE", "{t}str") == b"zset"
    assert c.error("ZRANGESTORE", "{t}dst", "{t}src", 0, -1, "WITHSCORES") == SYNTAX
    c.call("SET", "{t}s", "x")
    assert c.error("ZRANGESTORE", "{t}dst", "{t}s", 0, -1) == WRONGTYPE
    assert c.error("ZRANGESTORE", "{t}dst", "{t}src", 0) == arity("zrangestore")


def test_zrangestore_to_other_shard(c):
    fill(c, "src", [(f"m{i}", i) for i in range(20)])
    assert c.call("ZRANGESTORE", "dst-elsewhere", "src", 5, 9) == 5
    assert c.call("ZRANGE", "dst-elsewhere", 0, -1) == [f"m{i}".encode() for i in range(5, 10)]


# ---------------------------------------------------------------- ZREMRANGEBY*


def test_zremrangebyrank(c):
    fill(c, "z", [(m, i) for i, m in enumerate("abcdef")])
    assert c.call("ZREMRANGEBYRANK", "z", 1, 2) == 2
    assert c.call("ZRANGE", "z", 0, -1) == [b"a", b"d", b"e", b"f"]
    assert c.call("ZREMRANGEBYRANK", "z", -2, -1) == 2
    assert c.call("ZREMRANGEBYRANK", "z", 5, 10) == 0
    assert c.call("ZREMRANGEBYRANK", "z", 1, 0) == 0
    assert c.call("ZREMRANGEBYRANK", "z", 0, -1) == 2
    assert c.call("EXISTS", "z") == 0
    assert c.call("ZREMRANGEBYRANK", "missing", 0, -1) == 0
    assert c.error("ZREMRANGEBYRANK", "z", "x", 1) == NOT_INT


def test_zremrangebyscore(c):
    fill(c, "z", [(m, i) for i, m in enumerate("abcdef")])
    assert c.call("ZREMRANGEBYSCORE", "z", "(1", 3) == 2
    assert c.call("ZRANGE", "z", 0, -1) == [b"a", b"b", b"e", b"f"]
    assert c.call("ZREMRANGEBYSCORE", "z", 10, 20) == 0
    assert c.call("ZREMRANGEBYSCORE", "z", "-inf", "+inf") == 4
    assert c.call("EXISTS", "z") == 0
    assert c.error("ZREMRANGEBYSCORE", "z", "x", 1) == BAD_RANGE
    c.call("SET", "s", "x")
    assert c.error("ZREMRANGEBYSCORE", "s", 0, 1) == WRONGTYPE


def test_zremrangebylex(c):
    fill(c, "z", [(m, 0) for m in "abcdef"])
    assert c.call("ZREMRANGEBYLEX", "z", "[b", "(d") == 2
    assert c.call("ZRANGE", "z", 0, -1) == [b"a", b"d", b"e", b"f"]
    assert c.call("ZREMRANGEBYLEX", "z", "-", "+") == 4
    assert c.call("EXISTS", "z") == 0
    assert c.error("ZREMRANGEBYLEX", "z", "b", "+") == BAD_LEX


# ---------------------------------------------------------------- ZPOPMIN ZPOPMAX


def test_zpopmin_zpopmax(c):
    fill(c, "z", [("a", 1), ("b", 2), ("c", 3), ("d", 4)])
    assert c.call("ZPOPMIN", "z") == [b"a", b"1"]
    assert c.call("ZPOPMAX", "z") == [b"d", b"4"]
    assert c.call("ZPOPMIN", "z", 0) == []
    assert c.call("ZPOPMAX", "z", 5) == [b"c", b"3", b"b", b"2"]
    assert c.call("EXISTS", "z") == 0
    assert c.call("ZPOPMIN", "missing") == []
    assert c.call("ZPOPMIN", "missing", 3) == []
    assert c.error("ZPOPMIN", "z", -1) == NOT_POSITIVE
    assert c.error("ZPOPMIN", "z", "x") == NOT_POSITIVE
    assert c.error("ZPOPMIN", "z", 1, 2) == SYNTAX
    c.call("SET", "s", "x")
    assert c.error("ZPOPMAX", "s") == WRONGTYPE
    assert c.error("ZPOPMAX", "s", 0) == WRONGTYPE


def test_zpop_resp3_shapes(c):
    hello3(c)
    fill(c, "z", [("a", 1), ("b", 2), ("c", 3)])
    assert c.call("ZPOPMIN", "z") == [b"a", 1.0]
    assert c.call("ZPOPMIN", "z", 1) == [[b"b", 2.0]]
    assert c.call("ZPOPMAX", "z", 10) == [[b"c", 3.0]]
    assert c.call("ZPOPMAX", "z", 10) == []


# ---------------------------------------------------------------- ZMPOP


def test_zmpop(c):
    fill(c, "{t}b", [("x", 1), ("y", 2), ("z", 3)])
    assert c.call("ZMPOP", 2, "{t}a", "{t}b", "MIN") == [b"{t}b", [[b"x", b"1"]]]
    assert c.call("ZMPOP", 2, "{t}a", "{t}b", "max", "COUNT", 5) == [b"{t}b", [[b"z", b"3"], [b"y", b"2"]]]
    assert c.call("EXISTS", "{t}b") == 0
    assert c.call_raw("ZMPOP", 2, "{t}a", "{t}b", "MIN") == b"*-1\r\n"


def test_zmpop_errors(c):
    gt0 = "ERR numkeys should be greater than 0"
    assert c.error("ZMPOP", 0, "a", "MIN") == gt0
    assert c.error("ZMPOP", -1, "a", "MIN") == gt0
    assert c.error("ZMPOP", "x", "a", "MIN") == gt0
    assert c.error("ZMPOP", 2, "a", "MIN") == SYNTAX
    assert c.error("ZMPOP", 1, "a", "MIDDLE") == SYNTAX
    assert c.error("ZMPOP", 1, "a", "MIN", "COUNT") == SYNTAX
    assert c.error("ZMPOP", 1, "a", "MIN", "COUNT", 0) == "ERR count should be greater than 0"
    assert c.error("ZMPOP", 1, "a", "MIN", "COUNT", "x") == "ERR count should be greater than 0"
    assert c.error("ZMPOP", 1, "a", "MIN", "COUNT", 1, "COUNT", 1) == SYNTAX
    assert c.error("ZMPOP", 1, "a") == arity("zmpop")
    c.call("SET", "{t}s", "x")
    fill(c, "{t}z", [("m", 1)])
    assert c.error("ZMPOP", 2, "{t}s", "{t}z", "MIN") == WRONGTYPE
    # Only keys up to the first existing sorted set are looked at.
    assert c.call("ZMPOP", 2, "{t}z", "{t}s", "MIN") == [b"{t}z", [[b"m", b"1"]]]


def test_zmpop_resp3(c):
    hello3(c)
    fill(c, "z", [("a", 1.5)])
    assert c.call("ZMPOP", 1, "z", "MIN") == [b"z", [[b"a", 1.5]]]
    assert c.call_raw("ZMPOP", 1, "z", "MIN") == b"_\r\n"


# ---------------------------------------------------------------- blocking pops served at once


def test_bzpop_served_immediately(c):
    fill(c, "{t}b", [("x", 1), ("y", 2)])
    assert c.call("BZPOPMIN", "{t}a", "{t}b", 0) == [b"{t}b", b"x", b"1"]
    assert c.call("BZPOPMAX", "{t}a", "{t}b", "0.5") == [b"{t}b", b"y", b"2"]
    assert c.call("EXISTS", "{t}b") == 0
    fill(c, "{t}b", [("x", 1), ("y", 2), ("z", 3)])
    assert c.call("BZMPOP", 1, 2, "{t}a", "{t}b", "MAX", "COUNT", 2) == [b"{t}b", [[b"z", b"3"], [b"y", b"2"]]]


def test_bzpop_errors(c):
    assert c.error("BZPOPMIN", "a", "x") == "ERR timeout is not a float or out of range"
    assert c.error("BZPOPMIN", "a", -1) == "ERR timeout is negative"
    assert c.error("BZPOPMAX", "a") == arity("bzpopmax")
    assert c.error("BZMPOP", "x", 1, "a", "MIN") == "ERR timeout is not a float or out of range"
    # BZMPOP checks its other arguments before the timeout.
    assert c.error("BZMPOP", "x", 0, "a", "MIN") == "ERR numkeys should be greater than 0"
    assert c.error("BZMPOP", -1, 1, "a", "FOO") == SYNTAX
    c.call("SET", "s", "x")
    assert c.error("BZPOPMIN", "s", 0) == WRONGTYPE
    assert c.error("BZMPOP", 0, 1, "s", "MIN") == WRONGTYPE


def test_bzpop_resp3(c):
    hello3(c)
    fill(c, "z", [("a", 1), ("b", 2)])
    assert c.call("BZPOPMIN", "z", 0) == [b"z", b"a", 1.0]
    assert c.call("BZMPOP", 0, 1, "z", "MIN") == [b"z", [[b"b", 2.0]]]


# ---------------------------------------------------------------- ZRANDMEMBER


def test_zrandmember_single(c):
    assert c.call("ZRANDMEMBER", "missing") is None
    fill(c, "z", [("a", 1), ("b", 2), ("c", 3)])
    seen = {c.call("ZRANDMEMBER", "z") for _ in range(100)}
    assert seen == {b"a", b"b", b"c"}


@pytest.mark.parametrize("size", [5, 200])
def test_zrandmember_count(c, size):
    members = {f"m{i}".encode(): str(i).encode() for i in range(size)}
    fill(c, "z", [(m, s) for m, s in members.items()])
    for count in [1, 3, size - 1]:
        got = c.call("ZRANDMEMBER", "z", count)
        assert len(got) == count and len(set(got)) == count
        assert set(got) <= set(members)
    assert sorted(c.call("ZRANDMEMBER", "z", size + 10)) == sorted(members)
    got = c.call("ZRANDMEMBER", "z", -3 * size)
    assert len(got) == 3 * size and set(got) <= set(members)
    pairs = c.call("ZRANDMEMBER", "z", 3, "WITHSCORES")
    assert len(pairs) == 6
    for m, s in zip(pairs[::2], pairs[1::2]):
        assert members[m] == s
    pairs = c.call("ZRANDMEMBER", "z", -5, "withscores")
    assert len(pairs) == 10
    assert c.call("ZRANDMEMBER", "z", 0) == []
    assert c.call("ZRANDMEMBER", "missing", 5) == []
    assert c.call("ZRANDMEMBER", "missing", -5, "WITHSCORES") == []


def test_zrandmember_errors(c):
    fill(c, "z", [("a", 1)])
    assert c.error("ZRANDMEMBER", "z", "x") == NOT_INT
    assert c.error("ZRANDMEMBER", "z", 1, "FOO") == SYNTAX
    assert c.error("ZRANDMEMBER", "z", 1, "WITHSCORES", "x") == SYNTAX
    assert c.error("ZRANDMEMBER", "z", "-9223372036854775808") == (
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    assert c.error("ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES") == "ERR value is out of range"
    assert c.error("ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES") == "ERR value is out of range"
    c.call("SET", "s", "x")
    assert c.error("ZRANDMEMBER", "s") == WRONGTYPE
    assert c.error("ZRANDMEMBER", "s", 1) == WRONGTYPE


def test_zrandmember_resp3(c):
    hello3(c)
    fill(c, "z", [("a", 1)])
    assert c.call("ZRANDMEMBER", "z", 1, "WITHSCORES") == [[b"a", 1.0]]
    assert c.call("ZRANDMEMBER", "z", -2, "WITHSCORES") == [[b"a", 1.0], [b"a", 1.0]]
    assert c.call("ZRANDMEMBER", "z", 2) == [b"a"]
    assert c.call_raw("ZRANDMEMBER", "missing") == b"_\r\n"


# ---------------------------------------------------------------- ZUNION ZINTER ZDIFF


@pytest.fixture
def two_sets(c):
    fill(c, "{t}a", [("x", 1), ("y", 2), ("z", 3)])
    fill(c, "{t}b", [("y", 10), ("z", 20), ("w", 30)])
    return c


def test_zunion(two_sets):
    c = two_sets
    assert c.call("ZUNION", 2, "{t}a", "{t}b") == [b"x", b"y", b"z", b"w"]
    assert c.call("ZUNION", 2, "{t}a", "{t}b", "WITHSCORES") == [
        b"x", b"1", b"y", b"12", b"z", b"23", b"w", b"30"]
    assert c.call("ZUNION", 2, "{t}a", "{t}b", "WEIGHTS", 2, 1, "AGGREGATE", "MAX", "WITHSCORES") == [
        b"x", b"2", b"y", b"10", b"z", b"20", b"w", b"30"]
    assert c.call("ZUNION", 2, "{t}a", "{t}b", "AGGREGATE", "min", "WITHSCORES") == [
        b"x", b"1", b"y", b"2", b"z", b"3", b"w", b"30"]
    assert c.call("ZUNION", 3, "{t}a", "{t}missing", "{t}a", "WITHSCORES") == [
        b"x", b"2", b"y", b"4", b"z", b"6"]


def test_zinter(two_sets):
    c = two_sets
    assert c.call("ZINTER", 2, "{t}a", "{t}b", "WITHSCORES") == [b"y", b"12", b"z", b"23"]
    assert c.call("ZINTER", 2, "{t}a", "{t}b", "WEIGHTS", 1, 0, "WITHSCORES") == [b"y", b"2", b"z", b"3"]
    assert c.call("ZINTER", 2, "{t}a", "{t}b", "AGGREGATE", "MIN") == [b"y", b"z"]
    assert c.call("ZINTER", 2, "{t}a", "{t}missing") == []
    assert c.call("ZINTER", 2, "{t}a", "{t}a", "WITHSCORES") == [b"x", b"2", b"y", b"4", b"z", b"6"]


def test_zdiff(two_sets):
    c = two_sets
    assert c.call("ZDIFF", 2, "{t}a", "{t}b", "WITHSCORES") == [b"x", b"1"]
    assert c.call("ZDIFF", 2, "{t}b", "{t}a") == [b"w"]
    assert c.call("ZDIFF", 1, "{t}a") == [b"x", b"y", b"z"]
    assert c.call("ZDIFF", 2, "{t}a", "{t}a") == []
    assert c.call("ZDIFF", 2, "{t}missing", "{t}a") == []
    assert c.error("ZDIFF", 2, "{t}a", "{t}b", "WEIGHTS", 1, 2) == SYNTAX
    assert c.error("ZDIFF", 2, "{t}a", "{t}b", "AGGREGATE", "SUM") == SYNTAX


def test_setop_infinities(c):
    fill(c, "{t}a", [("x", "inf"), ("y", 1)])
    fill(c, "{t}b", [("x", "-inf"), ("y", 2)])
    # inf + -inf sums to 0; a 0 weight times inf is 0.
    assert c.call("ZUNION", 2, "{t}a", "{t}b", "WITHSCORES") == [b"x", b"0", b"y", b"3"]
    assert c.call("ZINTER", 2, "{t}a", "{t}b", "WEIGHTS", 0, 1, "WITHSCORES") == [b"x", b"-inf", b"y", b"2"]
    assert c.call("ZUNION", 2, "{t}a", "{t}b", "WEIGHTS", 0, 0, "WITHSCORES") == [b"x", b"0", b"y", b"0"]
    assert c.call("ZUNION", 1, "{t}a", "WEIGHTS", "inf", "WITHSCORES") == [b"x", b"inf", b"y", b"inf"]


def test_setop_store(two_sets):
    c = two_sets
    assert c.call("ZUNIONSTORE", "{t}d", 2, "{t}a", "{t}b", "WEIGHTS", 1, 2) == 4
    assert flat(c, "{t}d") == [b"x", b"1", b"y", b"22", b"z", b"43", b"w", b"60"]
    assert c.call("ZINTERSTORE", "{t}d", 2, "{t}a", "{t}b", "AGGREGATE", "MAX") == 2
    assert flat(c, "{t}d") == [b"y", b"10", b"z", b"20"]
    assert c.call("ZDIFFSTORE", "{t}d", 2, "{t}a", "{t}b") == 1
    assert flat(c, "{t}d") == [b"x", b"1"]
    # The destination may be an input.
    assert c.call("ZUNIONSTORE", "{t}a", 2, "{t}a", "{t}b") == 4
    assert flat(c, "{t}a") == [b"x", b"1", b"y", b"12", b"z", b"23", b"w", b"30"]
    # Empty results delete the destination, of any type.
    c.call("SET", "{t}d", "x")
    assert c.call("ZINTERSTORE", "{t}d", 2, "{t}a", "{t}missing") == 0
    assert c.call("EXISTS", "{t}d") == 0
    assert c.call("ZDIFFSTORE", "{t}d", 1, "{t}missing") == 0
    assert c.error("ZUNIONSTORE", "{t}d", 2, "{t}a", "{t}b", "WITHSCORES") == SYNTAX


def test_setop_errors(two_sets):
    c = two_sets
    assert c.error("ZUNION", 0, "{t}a") == "ERR at least 1 input key is needed for 'zunion' command"
    assert c.error("ZINTERSTORE", "{t}d", 0, "{t}a") == (
        "ERR at least 1 input key is needed for 'zinterstore' command")
    assert c.error("ZDIFF", -1, "{t}a") == "ERR at least 1 input key is needed for 'zdiff' command"
    assert c.error("ZUNION", "x", "{t}a") == NOT_INT
    assert c.error("ZUNION", 3, "{t}a", "{t}b") == SYNTAX
    assert c.error("ZUNION", 2, "{t}a", "{t}b", "WEIGHTS", 1) == SYNTAX
    assert c.error("ZUNION", 2, "{t}a", "{t}b", "WEIGHTS", 1, "x") == "ERR weight value is not a float"
    assert c.error("ZUNION", 2, "{t}a", "{t}b", "AGGREGATE", "AVG") == SYNTAX
    assert c.error("ZUNION", 2, "{t}a", "{t}b", "AGGREGATE") == SYNTAX
    assert c.error("ZUNION", 2, "{t}a", "{t}b", "FOO") == SYNTAX
    c.call("SET", "{t}s", "x")
    assert c.error("ZUNION", 2, "{t}a", "{t}s") == WRONGTYPE
    # The type check comes before the options.
    assert c.error("ZUNION", 2, "{t}a", "{t}s", "FOO") == WRONGTYPE
    assert c.error("ZUNIONSTORE", "{t}d", 2, "{t}a", "{t}s") == WRONGTYPE
    assert c.call("EXISTS", "{t}d") == 0


def test_setop_resp3(two_sets):
    c = hello3(two_sets)
    assert c.call("ZINTER", 2, "{t}a", "{t}b", "WITHSCORES") == [[b"y", 12.0], [b"z", 23.0]]
    assert c.call("ZDIFF", 2, "{t}a", "{t}b", "WITHSCORES") == [[b"x", 1.0]]


def test_zintercard(two_sets):
    c = two_sets
    assert c.call("ZINTERCARD", 2, "{t}a", "{t}b") == 2
    assert c.call("ZINTERCARD", 2, "{t}a", "{t}b", "LIMIT", 1) == 1
    assert c.call("ZINTERCARD", 2, "{t}a", "{t}b", "LIMIT", 0) == 2
    assert c.call("ZINTERCARD", 2, "{t}a", "{t}b", "LIMIT", 10) == 2
    assert c.call("ZINTERCARD", 1, "{t}missing") == 0
    assert c.error("ZINTERCARD", 2, "{t}a", "{t}b", "LIMIT", -1) == "ERR LIMIT can't be negative"
    assert c.error("ZINTERCARD", 2, "{t}a", "{t}b", "LIMIT", "x") == "ERR LIMIT can't be negative"
    assert c.error("ZINTERCARD", 2, "{t}a", "{t}b", "WITHSCORES") == SYNTAX
    assert c.error("ZINTERCARD", 2, "{t}a", "{t}b", "WEIGHTS", 1, 1) == SYNTAX
    assert c.error("ZINTERCARD", 0, "{t}a") == "ERR at least 1 input key is needed for 'zintercard' command"


# ---------------------------------------------------------------- ZSCAN


def test_zscan_listpack(c):
    fill(c, "z", [("a", 1), ("b", 2.5), ("c", "-inf"), ("d", "-0")])
    cursor, items = c.call("ZSCAN", "z", 0)
    assert cursor == b"0"
    assert dict(zip(items[::2], items[1::2])) == {b"a": b"1", b"b": b"2.5", b"c": b"-inf", b"d": b"0"}
    assert c.call("ZSCAN", "z", 0, "MATCH", "[ab]", "COUNT", 1) == [b"0", [b"a", b"1", b"b", b"2.5"]]
    assert c.call("ZSCAN", "missing", 0) == [b"0", []]
    # A missing key answers before the options are read.
    assert c.call("ZSCAN", "missing", 0, "FOO") == [b"0", []]
    assert c.error("ZSCAN", "z", "x") == "ERR invalid cursor"
    assert c.error("ZSCAN", "z", 0, "COUNT", 0) == SYNTAX
    assert c.error("ZSCAN", "z", 0, "FOO", 1) == SYNTAX
    assert c.error("ZSCAN", "z", 0, "COUNT", "x") == NOT_INT
    c.call("SET", "s", "x")
    assert c.error("ZSCAN", "s", 0) == WRONGTYPE


def test_zscan_skiplist(c):
    members = {f"m{i}": i / 10 for i in range(500)}
    fill(c, "z", list(members.items()))
    assert c.call("OBJECT", "ENCODING", "z") == b"skiplist"
    seen = {}
    cursor = b"0"
    calls = 0
    while True:
        cursor, items = c.call("ZSCAN", "z", cursor, "COUNT", 20)
        calls += 1
        seen.update(zip(items[::2], items[1::2]))
        if cursor == b"0":
            break
    assert calls > 1
    assert set(seen) == {m.encode() for m in members}
    # Skiplist scores show as Redis's long double "%.17Lg".
    assert seen[b"m1"] == b"0.10000000000000001"
    assert seen[b"m5"] == b"0.5"
    assert seen[b"m10"] == b"1"
    _, items = c.call("ZSCAN", "z", 0, "MATCH", "m49?", "COUNT", 1000)
    assert sorted(items[::2]) == [f"m49{i}".encode() for i in range(10)]


# ---------------------------------------------------------------- encodings


def enc(c, key):
    return c.call("OBJECT", "ENCODING", key)


def test_encoding_thresholds(c, set_config):
    fill(c, "z", [(f"m{i}", i) for i in range(128)])
    assert enc(c, "z") == b"listpack"
    c.call("ZADD", "z", 128, "m128")
    assert enc(c, "z") == b"skiplist"
    # Removing members never converts back.
    c.call("ZREMRANGEBYRANK", "z", 0, -3)
    assert enc(c, "z") == b"skiplist"
    c.call("ZADD", "long", 1, "x" * 64)
    assert enc(c, "long") == b"listpack"
    c.call("ZADD", "long", 1, "x" * 65)
    assert enc(c, "long") == b"skiplist"
    c.call("ZADD", "first", 1, "x" * 65, 2, "y")
    assert enc(c, "first") == b"skiplist"

    set_config("zset-max-listpack-entries", "4")
    set_config("zset-max-listpack-value", "8")
    fill(c, "small", [("a", 1), ("b", 2), ("c", 3), ("d", 4)])
    assert enc(c, "small") == b"listpack"
    c.call("ZADD", "small", 5, "e")
    assert enc(c, "small") == b"skiplist"
    # More pairs than the limit in one ZADD convert up front, duplicates or not.
    c.call("ZADD", "dups", 1, "a", 1, "a", 1, "a", 1, "a", 1, "a")
    assert enc(c, "dups") == b"skiplist"
    fill(c, "few", [("a", 1)])
    c.call("ZADD", "few", "XX", 1, "a", 1, "b", 1, "c", 1, "d", 1, "e")
    assert enc(c, "few") == b"skiplist"
    assert c.call("ZCARD", "few") == 1
    c.call("ZADD", "val", 1, "12345678")
    assert enc(c, "val") == b"listpack"
    c.call("ZADD", "val", 1, "123456789")
    assert enc(c, "val") == b"skiplist"
    set_config("zset-max-listpack-entries", "0")
    c.call("ZADD", "zero", 1, "a")
    assert enc(c, "zero") == b"skiplist"


def test_store_results_choose_their_encoding(c, set_config):
    set_config("zset-max-listpack-entries", "4")
    fill(c, "{t}big", [(f"m{i}", i) for i in range(10)])
    assert enc(c, "{t}big") == b"skiplist"
    c.call("ZRANGESTORE", "{t}d", "{t}big", 0, 3)
    assert enc(c, "{t}d") == b"listpack"
    c.call("ZRANGESTORE", "{t}d", "{t}big", 0, 4)
    assert enc(c, "{t}d") == b"skiplist"
    c.call("ZRANGESTORE", "{t}d", "{t}big", 0, 2, "BYSCORE")
    assert enc(c, "{t}d") == b"listpack"
    c.call("ZUNIONSTORE", "{t}u", 1, "{t}big")
    assert enc(c, "{t}u") == b"skiplist"
    c.call("ZINTERSTORE", "{t}u", 2, "{t}big", "{t}d")
    assert enc(c, "{t}u") == b"listpack"
    c.call("ZDIFFSTORE", "{t}u", 2, "{t}big", "{t}d")
    assert enc(c, "{t}u") == b"skiplist"
    set_config("zset-max-listpack-value", "2")
    c.call("ZUNIONSTORE", "{t}u", 1, "{t}d")
    assert enc(c, "{t}u") == b"listpack"
    c.call("ZADD", "{t}d", 100, "long-member")
    c.call("ZUNIONSTORE", "{t}u", 1, "{t}d")
    assert enc(c, "{t}u") == b"skiplist"


@pytest.mark.parametrize("encoding", ["listpack", "skiplist"])
def test_random_operations_match_a_model(c, set_config, encoding):
    if encoding == "skiplist":
        set_config("zset-max-listpack-entries", "0")
    rng = random.Random(7)
    model = {}
    for step in range(600):
        member = f"m{rng.randrange(60)}"
        op = rng.randrange(6)
        if op < 3:
            score = rng.choice([rng.randrange(-5, 5), rng.randrange(100) / 4])
            c.call("ZADD", "z", score, member)
            model[member] = float(score)
        elif op == 3:
            assert c.call("ZREM", "z", member) == (1 if model.pop(member, None) is not None else 0)
        elif op == 4:
            order = sorted(model.items(), key=lambda kv: (kv[1], kv[0].encode()))
            if member in model:
                rank = [m for m, _ in order].index(member)
                assert c.call("ZRANK", "z", member) == rank
                assert c.call("ZREVRANK", "z", member) == len(order) - 1 - rank
        else:
            lo, hi = sorted([rng.randrange(-5, 25), rng.randrange(-5, 25)])
            order = sorted(model.items(), key=lambda kv: (kv[1], kv[0].encode()))
            want = [m.encode() for m, s in order if lo <= s <= hi]
            assert c.call("ZRANGEBYSCORE", "z", lo, hi) == want
            assert c.call("ZCOUNT", "z", lo, hi) == len(want)
        if step % 50 == 0 and model:
            order = sorted(model.items(), key=lambda kv: (kv[1], kv[0].encode()))
            assert c.call("ZRANGE", "z", 0, -1) == [m.encode() for m, _ in order]
            assert enc(c, "z") == encoding.encode()


# ---------------------------------------------------------------- keyspace interplay


def test_zadd_without_change_keeps_watch(c, raw):
    other = raw()
    fill(c, "z", [("a", 1)])
    assert c.call("WATCH", "z") == b"OK"
    assert other.call("ZADD", "z", 1, "a") == 0
    assert other.call("ZADD", "z", "XX", 5, "nope") == 0
    assert other.call("ZREM", "z", "nope") == 0
    c.call("MULTI")
    c.call("ZCARD", "z")
    assert c.call("EXEC") == [1]
    assert c.call("WATCH", "z") == b"OK"
    assert other.call("ZADD", "z", 2, "a") == 0
    c.call("MULTI")
    c.call("ZCARD", "z")
    assert c.call("EXEC") is None


def dirty(r):
    return int(r.info("persistence")["rdb_changes_since_last_save"])


def test_changes_are_counted_per_element(r):
    def changes(*cmd):
        before = dirty(r)
        r.execute_command(*cmd)
        return dirty(r) - before

    assert changes("ZADD", "{t}z", 1, "a", 2, "b", 3, "c") == 3
    assert changes("ZADD", "{t}z", 1, "a", 5, "b", 4, "d") == 2
    assert changes("ZADD", "{t}z", 1, "a") == 0
    assert changes("ZINCRBY", "{t}z", 1, "a") == 1
    assert changes("ZREM", "{t}z", "a", "x") == 1
    assert changes("ZREM", "{t}z", "x") == 0
    assert changes("ZREMRANGEBYSCORE", "{t}z", 100, 200) == 0
    assert changes("ZPOPMIN", "{t}z", 2) == 2
    assert changes("ZADD", "{t}z", 1, "a", 2, "b", 3, "c", 4, "e") == 4
    assert changes("ZREMRANGEBYRANK", "{t}z", 0, 2) == 3
    assert changes("ZUNIONSTORE", "{t}d", 1, "{t}z") == 1
    assert changes("ZINTERSTORE", "{t}d", 2, "{t}z", "{t}missing") == 1
    assert changes("ZINTERSTORE", "{t}d", 2, "{t}z", "{t}missing") == 0
    assert changes("ZRANGESTORE", "{t}d", "{t}z", 0, -1) == 1
    r.zadd("{t}z", {"p": 10, "q": 11})
    assert r.zcard("{t}z") == 3
    assert changes("ZMPOP", 1, "{t}z", "MAX", "COUNT", 5) == 3
    assert changes("ZREMRANGEBYLEX", "{t}z", "-", "+") == 0


def test_copy_and_rename_keep_scores(c):
    fill(c, "{t}z", [(f"m{i}", i / 2) for i in range(300)])
    fill(c, "{t}small", [("a", 1.5)])
    assert c.call("COPY", "{t}z", "{t}z2") == 1
    assert c.call("ZRANGE", "{t}z2", 0, -1, "WITHSCORES") == c.call("ZRANGE", "{t}z", 0, -1, "WITHSCORES")
    assert c.call("COPY", "{t}small", "{t}small2") == 1
    assert flat(c, "{t}small2") == [b"a", b"1.5"]
    assert c.call("RENAME", "{t}z", "{t}z3") == b"OK"
    assert c.call("ZCARD", "{t}z3") == 300
    assert enc(c, "{t}z3") == b"skiplist"


# ---------------------------------------------------------------- COMMAND INFO


RO = ["RO", "access"]
EXPECTED_INFO = {
    # name: (arity, flags, first, last, step, acl, key specs)
    "zadd": (-4, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@sortedset", "@fast"],
             [(["RW", "update"], "range", 1)]),
    "zincrby": (4, ["write", "denyoom", "fast"], 1, 1, 1, ["@write", "@sortedset", "@fast"],
                [(["RW", "access", "update"], "range", 1)]),
    "zrem": (-3, ["write", "fast"], 1, 1, 1, ["@write", "@sortedset", "@fast"], [(["RW", "delete"], "range", 1)]),
    "zcard": (2, ["readonly", "fast"], 1, 1, 1, ["@read", "@sortedset", "@fast"], [(["RO"], "range", 1)]),
    "zcount": (4, ["readonly", "fast"], 1, 1, 1, ["@read", "@sortedset", "@fast"], [(RO, "range", 1)]),
    "zlexcount": (4, ["readonly", "fast"], 1, 1, 1, ["@read", "@sortedset", "@fast"], [(RO, "range", 1)]),
    "zscore": (3, ["readonly", "fast"], 1, 1, 1, ["@read", "@sortedset", "@fast"], [(RO, "range", 1)]),
    "zmscore": (-3, ["readonly", "fast"], 1, 1, 1, ["@read", "@sortedset", "@fast"], [(RO, "range", 1)]),
    "zrank": (-3, ["readonly", "fast"], 1, 1, 1, ["@read", "@sortedset", "@fast"], [(RO, "range", 1)]),
    "zrevrank": (-3, ["readonly", "fast"], 1, 1, 1, ["@read", "@sortedset", "@fast"], [(RO, "range", 1)]),
    "zrange": (-4, ["readonly"], 1, 1, 1, ["@read", "@sortedset", "@slow"], [(RO, "range", 1)]),
    "zrangestore": (-5, ["write", "denyoom"], 1, 2, 1, ["@write", "@sortedset", "@slow"],
                    [(["OW", "update"], "range", 1), (RO, "range", 2)]),
    "zrangebyscore": (-4, ["readonly"], 1, 1, 1, ["@read", "@sortedset", "@slow"], [(RO, "range", 1)]),
    "zrevrangebyscore": (-4, ["readonly"], 1, 1, 1, ["@read", "@sortedset", "@slow"], [(RO, "range", 1)]),
    "zrangebylex": (-4, ["readonly"], 1, 1, 1, ["@read", "@sortedset", "@slow"], [(RO, "range", 1)]),
    "zrevrangebylex": (-4, ["readonly"], 1, 1, 1, ["@read", "@sortedset", "@slow"], [(RO, "range", 1)]),
    "zrevrange": (-4, ["readonly"], 1, 1, 1, ["@read", "@sortedset", "@slow"], [(RO, "range", 1)]),
    "zremrangebyrank": (4, ["write"], 1, 1, 1, ["@write", "@sortedset", "@slow"], [(["RW", "delete"], "range", 1)]),
    "zremrangebyscore": (4, ["write"], 1, 1, 1, ["@write", "@sortedset", "@slow"], [(["RW", "delete"], "range", 1)]),
    "zremrangebylex": (4, ["write"], 1, 1, 1, ["@write", "@sortedset", "@slow"], [(["RW", "delete"], "range", 1)]),
    "zpopmin": (-2, ["write", "fast"], 1, 1, 1, ["@write", "@sortedset", "@fast"],
                [(["RW", "access", "delete"], "range", 1)]),
    "zpopmax": (-2, ["write", "fast"], 1, 1, 1, ["@write", "@sortedset", "@fast"],
                [(["RW", "access", "delete"], "range", 1)]),
    "zmpop": (-4, ["write", "movablekeys"], 0, 0, 0, ["@write", "@sortedset", "@slow"],
              [(["RW", "access", "delete"], "keynum", 1)]),
    "bzpopmin": (-3, ["write", "blocking", "fast"], 1, -2, 1, ["@write", "@sortedset", "@fast", "@blocking"],
                 [(["RW", "access", "delete"], "range", 1)]),
    "bzpopmax": (-3, ["write", "blocking", "fast"], 1, -2, 1, ["@write", "@sortedset", "@fast", "@blocking"],
                 [(["RW", "access", "delete"], "range", 1)]),
    "bzmpop": (-5, ["write", "blocking", "movablekeys"], 0, 0, 0, ["@write", "@sortedset", "@slow", "@blocking"],
               [(["RW", "access", "delete"], "keynum", 2)]),
    "zrandmember": (-2, ["readonly"], 1, 1, 1, ["@read", "@sortedset", "@slow"], [(RO, "range", 1)]),
    "zunion": (-3, ["readonly", "movablekeys"], 0, 0, 0, ["@read", "@sortedset", "@slow"], [(RO, "keynum", 1)]),
    "zinter": (-3, ["readonly", "movablekeys"], 0, 0, 0, ["@read", "@sortedset", "@slow"], [(RO, "keynum", 1)]),
    "zdiff": (-3, ["readonly", "movablekeys"], 0, 0, 0, ["@read", "@sortedset", "@slow"], [(RO, "keynum", 1)]),
    "zunionstore": (-4, ["write", "denyoom", "movablekeys"], 1, 1, 1, ["@write", "@sortedset", "@slow"],
                    [(["OW", "update"], "range", 1), (RO, "keynum", 2)]),
    "zinterstore": (-4, ["write", "denyoom", "movablekeys"], 1, 1, 1, ["@write", "@sortedset", "@slow"],
                    [(["OW", "update"], "range", 1), (RO, "keynum", 2)]),
    "zdiffstore": (-4, ["write", "denyoom", "movablekeys"], 1, 1, 1, ["@write", "@sortedset", "@slow"],
                   [(["OW", "update"], "range", 1), (RO, "keynum", 2)]),
    "zintercard": (-3, ["readonly", "movablekeys"], 0, 0, 0, ["@read", "@sortedset", "@slow"], [(RO, "keynum", 1)]),
    "zscan": (-3, ["readonly"], 1, 1, 1, ["@read", "@sortedset", "@slow"], [(RO, "range", 1)]),
}


def as_dict(x):
    return x if isinstance(x, dict) else dict(zip(x[::2], x[1::2]))


def text(x):
    if isinstance(x, bytes):
        return x.decode()
    if isinstance(x, (list, set, tuple)):
        return [text(i) for i in x]
    return x


@pytest.mark.parametrize("name", sorted(EXPECTED_INFO))
def test_command_info(c, name):
    arity, flags, first, last, step, acl, specs = EXPECTED_INFO[name]
    info = c.call("COMMAND", "INFO", name)[0]
    assert text(info[0]) == name
    assert info[1] == arity
    assert sorted(text(info[2])) == sorted(flags)
    assert info[3:6] == [first, last, step]
    assert sorted(text(info[6])) == sorted(acl)
    got = []
    for ks in info[8]:
        ks = as_dict(ks)
        begin = as_dict(ks[b"begin_search"])
        find = as_dict(ks[b"find_keys"])
        assert begin[b"type"] == b"index"
        got.append((sorted(text(ks[b"flags"])), text(find[b"type"]), as_dict(begin[b"spec"])[b"index"]))
        if find[b"type"] == b"keynum":
            assert as_dict(find[b"spec"]) == {b"keynumidx": 0, b"firstkey": 1, b"keystep": 1}
    assert got == [(sorted(f), t, i) for f, t, i in specs]


def test_command_getkeys(c):
    assert c.call("COMMAND", "GETKEYS", "ZUNIONSTORE", "d", 2, "a", "b", "WEIGHTS", 1, 2) == [b"d", b"a", b"b"]
    assert c.call("COMMAND", "GETKEYS", "ZINTER", 2, "a", "b") == [b"a", b"b"]
    assert c.call("COMMAND", "GETKEYS", "ZMPOP", 2, "a", "b", "MIN") == [b"a", b"b"]
    assert c.call("COMMAND", "GETKEYS", "BZMPOP", 0, 2, "a", "b", "MIN") == [b"a", b"b"]
    assert c.call("COMMAND", "GETKEYS", "BZPOPMIN", "a", "b", 0) == [b"a", b"b"]
    assert c.call("COMMAND", "GETKEYS", "ZRANGESTORE", "d", "s", 0, 1) == [b"d", b"s"]
    assert isinstance(c.call("COMMAND", "GETKEYS", "ZUNION", 5, "a", "b"), RespError)
