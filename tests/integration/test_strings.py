"""String commands: GET SET (all options) SETNX SETEX PSETEX GETSET GETDEL GETEX
MGET MSET MSETNX APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT SETRANGE
GETRANGE SUBSTR LCS."""

import decimal
import time

import pytest

NOT_INT = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
OVERFLOW = "ERR increment or decrement would overflow"


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def bad_expire(cmd):
    return f"ERR invalid expire time in '{cmd}' command"


# ---------------------------------------------------------------- GET / SET


def test_set_get_roundtrip_binary_safe(r, c):
    value = bytes(range(256)) * 3 + b"\r\n\x00end"
    assert c.call("SET", b"k\x00\r\n", value) == b"OK"
    assert c.call("GET", b"k\x00\r\n") == value
    assert c.call("GET", "missing") is None
    assert c.call("SET", "empty", "") == b"OK"
    assert c.call("GET", "empty") == b""
    assert c.call("EXISTS", "empty") == 1


def test_set_overwrites_and_clears_ttl(r):
    r.set("k", "v1", ex=100)
    assert r.ttl("k") > 0
    assert r.set("k", "v2") is True
    assert r.get("k") == b"v2"
    assert r.ttl("k") == -1


def test_set_ex_px(r):
    assert r.set("a", "1", ex=100)
    assert 95 <= r.ttl("a") <= 100
    assert r.set("b", "1", px=100000)
    assert 95000 <= r.pttl("b") <= 100000


def test_set_exat_pxat(r):
    now = int(time.time())
    assert r.execute_command("SET", "a", "1", "EXAT", now + 1000)
    assert 990 <= r.ttl("a") <= 1000
    assert r.execute_command("EXPIRETIME", "a") == now + 1000
    now_ms = int(time.time() * 1000)
    assert r.execute_command("SET", "b", "1", "PXAT", now_ms + 100000)
    assert r.execute_command("PEXPIRETIME", "b") == now_ms + 100000


def test_set_exat_in_the_past_deletes(r, c):
    r.set("k", "old")
    assert c.call("SET", "k", "v", "EXAT", 1) == b"OK"
    assert c.call("EXISTS", "k") == 0
    assert c.call("SET", "k2", "v", "PXAT", 1) == b"OK"
    assert c.call("GET", "k2") is None


def test_set_nx_xx(r, c):
    assert c.call("SET", "k", "1", "NX") == b"OK"
    assert c.call("SET", "k", "2", "NX") is None
    assert c.call("GET", "k") == b"1"
    assert c.call("SET", "k", "3", "XX") == b"OK"
    assert c.call("GET", "k") == b"3"
    assert c.call("SET", "nokey", "3", "XX") is None
    assert c.call("EXISTS", "nokey") == 0


def test_set_keepttl(r, c):
    c.call("SET", "k", "1", "EX", 100)
    assert c.call("SET", "k", "2", "KEEPTTL") == b"OK"
    assert c.call("GET", "k") == b"2"
    assert 90 <= c.call("TTL", "k") <= 100
    assert c.call("SET", "k", "3") == b"OK"
    assert c.call("TTL", "k") == -1


def test_set_get_option(r, c):
    assert c.call("SET", "k", "1", "GET") is None
    assert c.call("SET", "k", "2", "GET") == b"1"
    assert c.call("GET", "k") == b"2"
    # GET combines with NX/XX (Redis 7): returns the old value either way.
    assert c.call("SET", "k", "3", "NX", "GET") == b"2"
    assert c.call("GET", "k") == b"2"
    assert c.call("SET", "missing", "3", "XX", "GET") is None
    assert c.call("EXISTS", "missing") == 0
    assert c.call("SET", "k", "4", "XX", "GET", "EX", 50) == b"2"
    assert c.call("GET", "k") == b"4"
    assert 40 <= c.call("TTL", "k") <= 50


def test_set_get_option_wrongtype_leaves_key(r, c):
    c.call("LPUSH", "l", "a")
    assert c.error("SET", "l", "v", "GET") == WRONGTYPE
    assert c.call("TYPE", "l") == b"list"
    # Plain SET overwrites any type.
    assert c.call("SET", "l", "v") == b"OK"
    assert c.call("GET", "l") == b"v"


def test_set_repeated_option_is_accepted(r, c):
    assert c.call("SET", "k", "v", "EX", 10, "EX", 100) == b"OK"
    assert 90 <= c.call("TTL", "k") <= 100
    assert c.call("SET", "k", "v", "XX", "XX") == b"OK"


def test_set_options_case_insensitive(r, c):
    assert c.call("set", "k", "v", "ex", 100, "nx") == b"OK"
    assert c.call("SET", "k", "w", "xX", "kEePtTl", "gEt") == b"v"
    assert 90 <= c.call("TTL", "k") <= 100


@pytest.mark.parametrize(
    "args",
    [
        ["NX", "XX"],
        ["EX", 10, "PX", 100],
        ["EX", 10, "EXAT", 2000000000],
        ["PX", 10, "PXAT", 2000000000000],
        ["KEEPTTL", "EX", 10],
        ["PX", 10, "KEEPTTL"],
        ["FOO"],
        ["EX"],
        ["PX"],
        ["NX", "NX", "EX"],
    ],
)
def test_set_syntax_errors(r, c, args):
    assert c.error("SET", "k", "v", *args) == SYNTAX
    assert c.call("EXISTS", "k") == 0


@pytest.mark.parametrize(
    "args",
    [["EX", 0], ["EX", -1], ["PX", 0], ["PX", -5], ["EXAT", 0], ["PXAT", -1],
     ["EX", 9223372036854775807], ["PX", 9223372036854775807]],
)
def test_set_invalid_expire(r, c, args):
    assert c.error("SET", "k", "v", *args) == bad_expire("set")
    assert c.call("EXISTS", "k") == 0


@pytest.mark.parametrize("value", ["abc", "1.5", "", " 1", "99999999999999999999"])
def test_set_expire_not_integer(r, c, value):
    assert c.error("SET", "k", "v", "EX", value) == NOT_INT
    assert c.error("SET", "k", "v", "PX", value) == NOT_INT


def test_get_set_arity(r, c):
    assert c.error("GET") == arity("get")
    assert c.error("GET", "a", "b") == arity("get")
    assert c.error("SET", "k") == arity("set")


def test_get_wrongtype(r, c):
    c.call("LPUSH", "l", "a")
    assert c.error("GET", "l") == WRONGTYPE


# ------------------------------------------------------- SETNX SETEX PSETEX


def test_setnx(r, c):
    assert c.call("SETNX", "k", "1") == 1
    assert c.call("SETNX", "k", "2") == 0
    assert c.call("GET", "k") == b"1"
    assert c.error("SETNX", "k") == arity("setnx")


def test_setex_psetex(r, c):
    assert c.call("SETEX", "k", 100, "v") == b"OK"
    assert c.call("GET", "k") == b"v"
    assert 90 <= c.call("TTL", "k") <= 100
    assert c.call("PSETEX", "p", 100000, "v") == b"OK"
    assert 90000 <= c.call("PTTL", "p") <= 100000
    assert c.error("SETEX", "k", 0, "v") == bad_expire("setex")
    assert c.error("SETEX", "k", -10, "v") == bad_expire("setex")
    assert c.error("PSETEX", "k", 0, "v") == bad_expire("psetex")
    assert c.error("SETEX", "k", "ten", "v") == NOT_INT
    assert c.error("SETEX", "k", 10) == arity("setex")
    # failed calls left the old value and TTL alone
    assert c.call("GET", "k") == b"v"
    assert c.call("TTL", "k") > 0


# ------------------------------------------------------- GETSET GETDEL GETEX


def test_getset(r, c):
    assert c.call("GETSET", "k", "1") is None
    assert c.call("GETSET", "k", "2") == b"1"
    assert c.call("GET", "k") == b"2"
    c.call("SET", "t", "x", "EX", 100)
    c.call("GETSET", "t", "y")
    assert c.call("TTL", "t") == -1


def test_getset_getdel_wrongtype(r, c):
    c.call("LPUSH", "l", "a")
    assert c.error("GETSET", "l", "v") == WRONGTYPE
    assert c.error("GETDEL", "l") == WRONGTYPE
    assert c.error("GETEX", "l") == WRONGTYPE
    assert c.call("TYPE", "l") == b"list"


def test_getdel(r, c):
    c.call("SET", "k", "v")
    assert c.call("GETDEL", "k") == b"v"
    assert c.call("EXISTS", "k") == 0
    assert c.call("GETDEL", "k") is None
    assert c.error("GETDEL") == arity("getdel")


def test_getex(r, c):
    assert c.call("GETEX", "missing") is None
    assert c.call("GETEX", "missing", "EX", 10) is None
    assert c.call("EXISTS", "missing") == 0
    c.call("SET", "k", "v")
    assert c.call("GETEX", "k") == b"v"
    assert c.call("TTL", "k") == -1
    assert c.call("GETEX", "k", "EX", 100) == b"v"
    assert 90 <= c.call("TTL", "k") <= 100
    assert c.call("GETEX", "k", "PX", 200000) == b"v"
    assert 190000 <= c.call("PTTL", "k") <= 200000
    at = int(time.time()) + 500
    assert c.call("GETEX", "k", "EXAT", at) == b"v"
    assert c.call("EXPIRETIME", "k") == at
    at_ms = int(time.time() * 1000) + 600000
    assert c.call("GETEX", "k", "PXAT", at_ms) == b"v"
    assert c.call("PEXPIRETIME", "k") == at_ms
    assert c.call("GETEX", "k", "PERSIST") == b"v"
    assert c.call("TTL", "k") == -1


def test_getex_past_time_deletes(r, c):
    c.call("SET", "k", "v")
    assert c.call("GETEX", "k", "PXAT", 1) == b"v"
    assert c.call("EXISTS", "k") == 0
    c.call("SET", "k", "v")
    assert c.call("GETEX", "k", "EXAT", 1) == b"v"
    assert c.call("GET", "k") is None


def test_getex_errors(r, c):
    c.call("SET", "k", "v")
    assert c.error("GETEX", "k", "EX", 0) == bad_expire("getex")
    assert c.error("GETEX", "k", "PX", -1) == bad_expire("getex")
    assert c.error("GETEX", "k", "EX", "x") == NOT_INT
    assert c.error("GETEX", "k", "PERSIST", "EX", 1) == SYNTAX
    assert c.error("GETEX", "k", "EX", 1, "PX", 1) == SYNTAX
    assert c.error("GETEX", "k", "FOO") == SYNTAX
    assert c.error("GETEX", "k", "EX") == SYNTAX
    assert c.error("GETEX") == arity("getex")
    assert c.call("TTL", "k") == -1


def test_getex_checks_the_key_before_the_time(r, c):
    """Redis parses GETEX's options (syntax errors first), then looks the key up (nil when
    missing, WRONGTYPE for another type), and only then checks the expire value."""
    for bad in [("EX", ""), ("EXAT", 0), ("PX", -1), ("EX", "x"), ("PX", 99999999999999999999)]:
        assert c.call("GETEX", "missing", *bad) is None, bad
    c.call("HSET", "h", "f", "v")
    assert c.error("GETEX", "h", "EX", "x") == WRONGTYPE
    assert c.error("GETEX", "h", "EXAT", 0) == WRONGTYPE
    assert c.error("GETEX", "h", "EX", 1, "PX", 1) == SYNTAX
    assert c.error("GETEX", "missing", "EX") == SYNTAX
    c.call("SET", "k", "v")
    assert c.error("GETEX", "k", "EXAT", 0) == bad_expire("getex")
    assert c.error("GETEX", "k", "EX", "") == NOT_INT
    assert c.error("GETEX", "k", "PX", 9223372036854775807) == bad_expire("getex")
    assert c.call("TTL", "k") == -1
    assert c.call("EXISTS", "missing") == 0


def test_strings_of_4gib_are_refused(r, c, set_config):
    """Weir keeps string lengths in 32 bits: with proto-max-bulk-len raised past 4 GiB, a
    SETRANGE or APPEND that would make a longer string is refused (Redis would allocate it),
    never truncated, and a longer bulk is a protocol error."""
    set_config("proto-max-bulk-len", 5 * 1024**3)
    assert c.error("SETRANGE", "k", 4294967295, "x") == "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    assert c.call("EXISTS", "k") == 0
    assert c.error("SETBIT", "k", 4294967296 * 8, 1) == "ERR bit offset is not an integer or out of range"
    c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4294967296\r\n")
    assert str(c.read()) == "ERR Protocol error: invalid bulk length"


# ------------------------------------------------------- MGET MSET MSETNX


def test_mset_mget(r, c):
    assert c.call("MSET", "a", "1", "b", "2", "c", "3") == b"OK"
    assert c.call("MGET", "a", "b", "missing", "c") == [b"1", b"2", None, b"3"]
    assert c.call("MSET", "a", "x", "a", "y") == b"OK"
    assert c.call("GET", "a") == b"y"


def test_mget_wrongtype_is_nil(r, c):
    c.call("SET", "s", "v")
    c.call("LPUSH", "l", "a")
    assert c.call("MGET", "s", "l") == [b"v", None]


def test_mset_errors(r, c):
    assert c.error("MSET", "a", "1", "b") == arity("mset")
    assert c.error("MSET") == arity("mset")
    assert c.error("MSET", "a") == arity("mset")
    assert c.error("MGET") == arity("mget")
    assert c.call("EXISTS", "a") == 0


def test_mset_clears_ttl(r, c):
    c.call("SET", "a", "1", "EX", 100)
    c.call("MSET", "a", "2")
    assert c.call("TTL", "a") == -1


def test_msetnx(r, c):
    assert c.call("MSETNX", "a", "1", "b", "2") == 1
    assert c.call("MSETNX", "b", "x", "c", "3") == 0
    assert c.call("MGET", "a", "b", "c") == [b"1", b"2", None]
    assert c.error("MSETNX", "a", "1", "b") == arity("msetnx")
    # the same new key twice in one MSETNX: last one wins
    assert c.call("MSETNX", "d", "1", "d", "2") == 1
    assert c.call("GET", "d") == b"2"


# ------------------------------------------------------- APPEND STRLEN


def test_append_strlen(r, c):
    assert c.call("APPEND", "k", "Hello") == 5
    assert c.call("APPEND", "k", " World") == 11
    assert c.call("GET", "k") == b"Hello World"
    assert c.call("STRLEN", "k") == 11
    assert c.call("STRLEN", "missing") == 0
    assert c.call("APPEND", "e", "") == 0
    assert c.call("EXISTS", "e") == 1


def test_append_to_integer_and_strlen_of_integer(r, c):
    c.call("SET", "n", 12345)
    assert c.call("STRLEN", "n") == 5
    assert c.call("APPEND", "n", "67") == 7
    assert c.call("INCR", "n") == 1234568


def test_append_keeps_ttl(r, c):
    c.call("SET", "k", "a", "EX", 100)
    c.call("APPEND", "k", "b")
    assert c.call("TTL", "k") > 0


def test_append_strlen_wrongtype(r, c):
    c.call("LPUSH", "l", "a")
    assert c.error("APPEND", "l", "x") == WRONGTYPE
    assert c.error("STRLEN", "l") == WRONGTYPE


def test_append_many_times(r, c):
    expected = b""
    for i in range(200):
        piece = str(i).encode()
        expected += piece
        assert c.call("APPEND", "k", piece) == len(expected)
    assert c.call("GET", "k") == expected


# ------------------------------------------------------- INCR family


def test_incr_decr(r, c):
    assert c.call("INCR", "n") == 1
    assert c.call("INCR", "n") == 2
    assert c.call("DECR", "n") == 1
    assert c.call("DECR", "m") == -1
    assert c.call("INCRBY", "n", 100) == 101
    assert c.call("DECRBY", "n", 200) == -99
    assert c.call("INCRBY", "n", -1) == -100
    assert c.call("GET", "n") == b"-100"


def test_incr_keeps_ttl(r, c):
    c.call("SET", "n", 5, "EX", 100)
    assert c.call("INCR", "n") == 6
    assert c.call("TTL", "n") > 0


def test_incr_big_values(r, c):
    c.call("SET", "n", "17179869184")
    assert c.call("INCR", "n") == 17179869185
    assert c.call("INCRBY", "n", 17179869184) == 34359738369
    c.call("SET", "n", "-9223372036854775807")
    assert c.call("DECR", "n") == -9223372036854775808


@pytest.mark.parametrize("value", ["1.5", "abc", " 1", "1 ", "", "0x10", "99999999999999999999", "+1", "01"])
def test_incr_on_non_integer(r, c, value):
    c.call("SET", "n", value)
    assert c.error("INCR", "n") == NOT_INT
    assert c.error("DECRBY", "n", 1) == NOT_INT
    assert c.call("GET", "n") == value.encode()


def test_incrby_bad_increment(r, c):
    assert c.error("INCRBY", "n", "1.5") == NOT_INT
    assert c.error("INCRBY", "n", "x") == NOT_INT
    assert c.error("DECRBY", "n", "9223372036854775808") == NOT_INT
    assert c.call("EXISTS", "n") == 0


def test_incr_overflow(r, c):
    c.call("SET", "n", "9223372036854775807")
    assert c.error("INCR", "n") == OVERFLOW
    assert c.error("INCRBY", "n", 1) == OVERFLOW
    c.call("SET", "n", "-9223372036854775808")
    assert c.error("DECR", "n") == OVERFLOW
    assert c.error("DECRBY", "n", 1) == OVERFLOW
    assert c.error("DECRBY", "n", "-9223372036854775808") == "ERR decrement would overflow"
    assert c.call("GET", "n") == b"-9223372036854775808"


def test_incr_arity(r, c):
    assert c.error("INCR") == arity("incr")
    assert c.error("INCR", "a", "b") == arity("incr")
    assert c.error("INCRBY", "a") == arity("incrby")
    assert c.error("DECRBY", "a") == arity("decrby")


def test_incr_wrongtype(r, c):
    c.call("LPUSH", "l", "a")
    assert c.error("INCR", "l") == WRONGTYPE
    assert c.error("INCRBYFLOAT", "l", 1) == WRONGTYPE


def test_incrbyfloat(r, c):
    assert c.call("INCRBYFLOAT", "f", "3") == b"3"
    assert c.call("INCRBYFLOAT", "f", "1.10000000000000000000") == b"4.1"
    c.call("SET", "f", "10.5")
    assert c.call("INCRBYFLOAT", "f", "0.1") == b"10.6"
    assert c.call("GET", "f") == b"10.6"
    c.call("SET", "f", "5.0e3")
    assert c.call("INCRBYFLOAT", "f", "2.0e2") == b"5200"
    assert c.call("INCRBYFLOAT", "f", "-5200") == b"0"
    assert c.call("INCRBYFLOAT", "g", "-1.5") == b"-1.5"
    c.call("SET", "n", 7)
    assert c.call("INCRBYFLOAT", "n", "0.5") == b"7.5"


def test_incrbyfloat_result_is_a_plain_string(r, c):
    """Redis stores INCRBYFLOAT's result without trying the integer encoding: embstr with
    refcount 1 even when it reads as a small integer (not a shared integer)."""
    assert c.call("INCRBYFLOAT", "f", 3) == b"3"
    assert c.call("OBJECT", "ENCODING", "f") == b"embstr"
    assert c.call("OBJECT", "REFCOUNT", "f") == 1
    c.call("SET", "f", "2")
    assert c.call("INCRBYFLOAT", "f", "0.5") == b"2.5"
    assert c.call("OBJECT", "ENCODING", "f") == b"embstr"
    c.call("SET", "n", "7")
    assert c.call("OBJECT", "REFCOUNT", "n") == 2147483647
    assert c.call("INCRBYFLOAT", "n", 1) == b"8"
    assert c.call("OBJECT", "REFCOUNT", "n") == 1
    assert c.call("INCR", "n") == 9
    assert c.call("OBJECT", "ENCODING", "n") == b"int"


def test_incrbyfloat_uses_long_double_precision(r, c):
    # 1e308 + 1e308 overflows a C double but not Redis' long double.
    c.call("SET", "f", "1e308")
    out = c.call("INCRBYFLOAT", "f", "1e308")
    assert isinstance(out, bytes), out
    value = decimal.Decimal(out.decode())
    assert abs(value - decimal.Decimal("2e308")) < decimal.Decimal("1e293")


def test_incrbyfloat_errors(r, c):
    c.call("SET", "s", "abc")
    assert c.error("INCRBYFLOAT", "s", "1") == NOT_FLOAT
    c.call("SET", "f", "1")
    for bad in ["abc", "", "1 ", "nan"]:
        assert c.error("INCRBYFLOAT", "f", bad) == NOT_FLOAT
    assert c.error("INCRBYFLOAT", "f", "inf") == "ERR increment would produce NaN or Infinity"
    assert c.call("GET", "f") == b"1"
    assert c.error("INCRBYFLOAT", "f") == arity("incrbyfloat")


def test_incrbyfloat_keeps_ttl(r, c):
    c.call("SET", "f", "1", "EX", 100)
    c.call("INCRBYFLOAT", "f", "1.5")
    assert c.call("TTL", "f") > 0


# ------------------------------------------------------- SETRANGE GETRANGE


def test_setrange(r, c):
    c.call("SET", "k", "Hello World")
    assert c.call("SETRANGE", "k", 6, "Redis") == 11
    assert c.call("GET", "k") == b"Hello Redis"
    assert c.call("SETRANGE", "k", 11, "!!") == 13
    assert c.call("GET", "k") == b"Hello Redis!!"
    assert c.call("SETRANGE", "pad", 3, "ab") == 5
    assert c.call("GET", "pad") == b"\x00\x00\x00ab"
    assert c.call("SETRANGE", "k", 0, "") == 13


def test_setrange_empty_value_on_missing_key(r, c):
    assert c.call("SETRANGE", "missing", 5, "") == 0
    assert c.call("EXISTS", "missing") == 0


def test_setrange_on_integer(r, c):
    c.call("SET", "n", 1234)
    assert c.call("SETRANGE", "n", 1, "9") == 4
    assert c.call("GET", "n") == b"1934"


def test_setrange_errors(r, c):
    assert c.error("SETRANGE", "k", -1, "x") == "ERR offset is out of range"
    assert c.error("SETRANGE", "k", "x", "x") == NOT_INT
    assert c.error("SETRANGE", "k", 536870911, "xx") == \
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    assert c.error("SETRANGE", "k", 1) == arity("setrange")
    assert c.call("EXISTS", "k") == 0


def test_setrange_getrange_wrongtype(r, c):
    c.call("LPUSH", "l", "a")
    assert c.error("SETRANGE", "l", 0, "x") == WRONGTYPE
    assert c.error("GETRANGE", "l", 0, -1) == WRONGTYPE


@pytest.mark.parametrize(
    "start,end,expected",
    [
        (0, 3, b"This"),
        (-3, -1, b"ing"),
        (0, -1, b"This is a string"),
        (10, 5, b""),
        (-100, 2, b"Thi"),
        (5, 1000, b"is a string"),
        (15, 15, b"g"),
        (16, 20, b""),
        (-1, -1, b"g"),
        # Redis 7.2 clamps a too-negative end to 0, so one byte comes back.
        (0, -100, b"T"),
        (-100, -100, b"T"),
    ],
)
def test_getrange(r, c, start, end, expected):
    c.call("SET", "s", "This is a string")
    assert c.call("GETRANGE", "s", start, end) == expected
    assert c.call("SUBSTR", "s", start, end) == expected


def test_getrange_misc(r, c):
    assert c.call("GETRANGE", "missing", 0, -1) == b""
    c.call("SET", "n", 12345)
    assert c.call("GETRANGE", "n", 1, 2) == b"23"
    c.call("SET", "e", "")
    assert c.call("GETRANGE", "e", 0, -1) == b""
    assert c.error("GETRANGE", "n", "a", 1) == NOT_INT
    assert c.error("GETRANGE", "n", 0) == arity("getrange")


# ------------------------------------------------------- LCS


def test_lcs(r, c):
    c.call("MSET", "k1", "ohmytext", "k2", "mynewtext")
    assert c.call("LCS", "k1", "k2") == b"mytext"
    assert c.call("LCS", "k1", "k2", "LEN") == 6
    assert c.call("LCS", "k1", "missing") == b""
    assert c.call("LCS", "missing", "missing2", "LEN") == 0


def test_lcs_idx(r, c):
    c.call("MSET", "k1", "ohmytext", "k2", "mynewtext")
    assert c.call("LCS", "k1", "k2", "IDX") == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert c.call("LCS", "k1", "k2", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    assert c.call("LCS", "k1", "k2", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6]


def test_lcs_longer(r, c):
    a = "rhodoendron" * 3
    b = "dendrobium" * 3
    c.call("MSET", "a", a, "b", b)
    # reference LCS length via DP
    dp = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a)):
        for j in range(len(b)):
            dp[i + 1][j + 1] = dp[i][j] + 1 if a[i] == b[j] else max(dp[i][j + 1], dp[i + 1][j])
    assert c.call("LCS", "a", "b", "LEN") == dp[len(a)][len(b)]
    sub = c.call("LCS", "a", "b")
    assert len(sub) == dp[len(a)][len(b)]
    it = iter(a.encode())
    assert all(ch in it for ch in sub)  # subsequence of a
    it = iter(b.encode())
    assert all(ch in it for ch in sub)  # subsequence of b


def test_lcs_errors(r, c):
    c.call("MSET", "k1", "a", "k2", "b")
    assert c.error("LCS", "k1", "k2", "LEN", "IDX") == \
        "ERR If you want both the length and indexes, please just use IDX."
    assert c.error("LCS", "k1", "k2", "FOO") == SYNTAX
    assert c.error("LCS", "k1", "k2", "MINMATCHLEN") == SYNTAX
    assert c.error("LCS", "k1", "k2", "IDX", "MINMATCHLEN", "x") == NOT_INT
    assert c.error("LCS", "k1") == arity("lcs")


def test_lcs_wrongtype(r, c):
    c.call("SET", "s", "abc")
    c.call("LPUSH", "l", "a")
    assert c.error("LCS", "s", "l") == \
        "ERR The specified keys must contain string values"
