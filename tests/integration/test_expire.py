"""Expiration: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL
EXPIRETIME PEXPIRETIME PERSIST, lazy and active expiry."""

import time

import pytest

from conftest import timeout, wait_until

NOT_INT = "ERR value is not an integer or out of range"
NX_XX = "ERR NX and XX, GT or LT options at the same time are not compatible"
GT_LT = "ERR GT and LT options at the same time are not compatible"


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


def bad_expire(cmd):
    return f"ERR invalid expire time in '{cmd}' command"


def now_ms():
    return int(time.time() * 1000)


# ------------------------------------------------------------ setting TTLs


def test_expire_and_ttl(r, c):
    c.call("SET", "k", "v")
    assert c.call("TTL", "k") == -1
    assert c.call("PTTL", "k") == -1
    assert c.call("EXPIRE", "k", 100) == 1
    assert c.call("TTL", "k") == 100 or c.call("TTL", "k") == 99
    assert 99000 <= c.call("PTTL", "k") <= 100000
    assert c.call("EXPIRE", "missing", 100) == 0
    assert c.call("TTL", "missing") == -2
    assert c.call("PTTL", "missing") == -2


def test_pexpire(r, c):
    c.call("SET", "k", "v")
    assert c.call("PEXPIRE", "k", 150000) == 1
    assert 149000 <= c.call("PTTL", "k") <= 150000
    assert 149 <= c.call("TTL", "k") <= 150
    assert c.call("PEXPIRE", "missing", 100) == 0


def test_ttl_rounds_to_nearest_second(r, c):
    c.call("SET", "k", "v")
    c.call("PEXPIRE", "k", 2700)
    assert c.call("TTL", "k") == 3
    c.call("PEXPIRE", "k", 2200)
    assert c.call("TTL", "k") == 2


def test_expireat_pexpireat_and_expiretime(r, c):
    c.call("SET", "k", "v")
    at = int(time.time()) + 1000
    assert c.call("EXPIREAT", "k", at) == 1
    assert c.call("EXPIRETIME", "k") == at
    assert c.call("PEXPIRETIME", "k") == at * 1000
    at_ms = now_ms() + 123456
    assert c.call("PEXPIREAT", "k", at_ms) == 1
    assert c.call("PEXPIRETIME", "k") == at_ms
    base = (int(time.time()) + 500) * 1000
    c.call("PEXPIREAT", "k", base + 700)
    assert c.call("EXPIRETIME", "k") == base // 1000 + 1  # rounded to the nearest second
    c.call("PEXPIREAT", "k", base + 300)
    assert c.call("EXPIRETIME", "k") == base // 1000
    assert c.call("EXPIREAT", "missing", at) == 0
    assert c.call("PEXPIREAT", "missing", at_ms) == 0


def test_expiretime_special_values(r, c):
    assert c.call("EXPIRETIME", "missing") == -2
    assert c.call("PEXPIRETIME", "missing") == -2
    c.call("SET", "k", "v")
    assert c.call("EXPIRETIME", "k") == -1
    assert c.call("PEXPIRETIME", "k") == -1
    c.call("EXPIRE", "k", 50)
    t = c.call("EXPIRETIME", "k")
    assert abs(t - (int(time.time()) + 50)) <= 1


@pytest.mark.parametrize(
    "cmd,arg",
    [("EXPIRE", 0), ("EXPIRE", -5), ("PEXPIRE", 0), ("PEXPIRE", -1),
     ("EXPIREAT", 1), ("PEXPIREAT", 1), ("EXPIREAT", 0)],
)
def test_expire_in_the_past_deletes(r, c, cmd, arg):
    c.call("SET", "k", "v")
    assert c.call(cmd, "k", arg) == 1
    assert c.call("EXISTS", "k") == 0
    assert c.call("GET", "k") is None
    assert c.call("DBSIZE") == 0


def test_persist(r, c):
    c.call("SET", "k", "v", "EX", 100)
    assert c.call("PERSIST", "k") == 1
    assert c.call("TTL", "k") == -1
    assert c.call("PERSIST", "k") == 0
    assert c.call("PERSIST", "missing") == 0
    assert c.error("PERSIST") == arity("persist")


def test_overwrite_clears_ttl_but_modify_keeps_it(r, c):
    c.call("SET", "k", "1", "EX", 100)
    c.call("INCR", "k")
    c.call("APPEND", "k", "0")
    c.call("SETRANGE", "k", 0, "3")
    assert c.call("TTL", "k") > 0
    c.call("SET", "k", "1")
    assert c.call("TTL", "k") == -1
    c.call("SET", "k", "1", "EX", 100)
    c.call("GETSET", "k", "2")
    assert c.call("TTL", "k") == -1
    c.call("SET", "k", "1", "EX", 100)
    c.call("DEL", "k")
    c.call("SET", "k", "1")
    assert c.call("TTL", "k") == -1


# ------------------------------------------------------------ NX XX GT LT


def test_expire_nx(r, c):
    c.call("SET", "k", "v")
    assert c.call("EXPIRE", "k", 100, "NX") == 1
    assert c.call("EXPIRE", "k", 200, "NX") == 0
    assert c.call("TTL", "k") <= 100


def test_expire_xx(r, c):
    c.call("SET", "k", "v")
    assert c.call("EXPIRE", "k", 100, "XX") == 0
    assert c.call("TTL", "k") == -1
    c.call("EXPIRE", "k", 100)
    assert c.call("EXPIRE", "k", 200, "XX") == 1
    assert c.call("TTL", "k") > 100


def test_expire_gt(r, c):
    c.call("SET", "k", "v")
    # no TTL counts as infinite: GT never applies
    assert c.call("EXPIRE", "k", 100, "GT") == 0
    assert c.call("TTL", "k") == -1
    c.call("EXPIRE", "k", 100)
    assert c.call("EXPIRE", "k", 200, "GT") == 1
    assert c.call("EXPIRE", "k", 50, "GT") == 0
    assert c.call("TTL", "k") > 100


def test_expire_lt(r, c):
    c.call("SET", "k", "v")
    # no TTL counts as infinite: LT always applies
    assert c.call("EXPIRE", "k", 100, "LT") == 1
    assert c.call("EXPIRE", "k", 200, "LT") == 0
    assert c.call("EXPIRE", "k", 50, "LT") == 1
    assert 40 <= c.call("TTL", "k") <= 50


def test_expire_options_combinations(r, c):
    c.call("SET", "k", "v")
    c.call("EXPIRE", "k", 100)
    assert c.call("EXPIRE", "k", 200, "XX", "GT") == 1
    assert c.call("EXPIRE", "k", 50, "XX", "GT") == 0
    assert c.call("EXPIRE", "k", 50, "LT", "XX") == 1
    assert c.call("EXPIRE", "k", 10, "nx") == 0
    assert c.call("PEXPIRE", "k", 60000, "gt") == 1
    t = int(time.time()) + 500
    assert c.call("EXPIREAT", "k", t, "GT") == 1
    assert c.call("EXPIREAT", "k", t - 100, "GT") == 0
    assert c.call("PEXPIREAT", "k", (t - 100) * 1000, "LT") == 1
    assert c.call("EXPIRETIME", "k") == t - 100
    assert c.call("EXPIRE", "k", 10, "NX", "NX") == 0


def test_expire_options_on_missing_key(r, c):
    for opt in ("NX", "XX", "GT", "LT"):
        assert c.call("EXPIRE", "missing", 10, opt) == 0
    assert c.call("EXISTS", "missing") == 0


def test_expire_option_errors(r, c):
    c.call("SET", "k", "v")
    assert c.error("EXPIRE", "k", 100, "NX", "XX") == NX_XX
    assert c.error("EXPIRE", "k", 100, "NX", "GT") == NX_XX
    assert c.error("PEXPIRE", "k", 100, "LT", "NX") == NX_XX
    assert c.error("EXPIRE", "k", 100, "GT", "LT") == GT_LT
    assert c.error("EXPIREAT", "k", 100, "GT", "LT") == GT_LT
    assert c.error("EXPIRE", "k", 100, "FOO") == "ERR Unsupported option FOO"
    assert c.error("PEXPIREAT", "k", 100, "bar") == "ERR Unsupported option bar"
    assert c.call("TTL", "k") == -1


def test_expire_value_errors(r, c):
    c.call("SET", "k", "v")
    assert c.error("EXPIRE", "k", "x") == NOT_INT
    assert c.error("EXPIRE", "k", "1.5") == NOT_INT
    assert c.error("PEXPIRE", "k", "") == NOT_INT
    assert c.error("EXPIRE", "k", 9223372036854775807) == bad_expire("expire")
    assert c.error("EXPIRE", "k", 9223372036854775) == bad_expire("expire")
    assert c.error("PEXPIRE", "k", 9223372036854775807) == bad_expire("pexpire")
    assert c.error("EXPIREAT", "k", 9223372036854775807) == bad_expire("expireat")
    assert c.error("EXPIRE", "k") == arity("expire")
    assert c.error("TTL") == arity("ttl")
    assert c.error("PTTL", "a", "b") == arity("pttl")
    assert c.error("EXPIRETIME") == arity("expiretime")
    assert c.call("TTL", "k") == -1


def test_expire_very_large_but_valid(r, c):
    c.call("SET", "k", "v")
    assert c.call("EXPIRE", "k", 922337203685477) == 1
    assert c.call("TTL", "k") in (922337203685477, 922337203685476)


# ------------------------------------------------------------ lazy expiry


def test_lazy_expiry_on_read(r, c):
    """A key read right after its deadline is gone, whatever the active
    expiry cycle has done so far."""
    for i in range(5):
        c.call("SET", f"k{i}", "v", "PX", 60)
        c.call("SET", f"n{i}", 1, "PX", 60)
    time.sleep(0.08)
    for i in range(5):
        assert c.call("GET", f"k{i}") is None
        assert c.call("EXISTS", f"n{i}") == 0
        assert c.call("TTL", f"k{i}") == -2


def test_expired_key_behaves_as_missing_for_writes(r, c):
    c.call("SET", "a", "old", "PX", 30)
    c.call("SET", "b", "5", "PX", 30)
    c.call("SET", "d", "old", "PX", 30)
    c.call("SET", "e", "old", "PX", 30)
    time.sleep(0.06)
    assert c.call("SET", "a", "new", "NX") == b"OK"
    assert c.call("GET", "a") == b"new"
    assert c.call("TTL", "a") == -1
    assert c.call("INCR", "b") == 1
    assert c.call("APPEND", "d", "x") == 1
    assert c.call("SET", "e", "y", "XX") is None
    assert c.call("EXISTS", "e") == 0


def test_expire_then_rewrite_before_deadline(r, c):
    c.call("SET", "k", "v", "PX", 100)
    c.call("SET", "k", "v2")  # clears the TTL
    time.sleep(0.15)
    assert c.call("GET", "k") == b"v2"


def test_persist_saves_key(r, c):
    c.call("SET", "k", "v", "PX", 100)
    assert c.call("PERSIST", "k") == 1
    time.sleep(0.15)
    assert c.call("GET", "k") == b"v"


def test_expiry_in_other_db(r, c):
    c.call("SELECT", 2)
    c.call("SET", "k", "v", "PX", 50)
    c.call("SELECT", 0)
    c.call("SET", "k", "db0")
    time.sleep(0.08)
    assert c.call("GET", "k") == b"db0"
    c.call("SELECT", 2)
    assert c.call("GET", "k") is None


# ------------------------------------------------------------ active expiry


def test_active_expiry_100k_keys(r, c):
    """100k keys with a short TTL vanish from DBSIZE without being read
    (CI-sized version of the 'one million keys' check)."""
    n = 100_000
    keep = 1000
    deadline_ms = now_ms() + 1500
    cmds = [("SET", f"volatile:{i}", "x", "PXAT", deadline_ms) for i in range(n)]
    cmds += [("SET", f"keep:{i}", "y") for i in range(keep)]
    replies = c.pipeline(cmds, chunk=10000)
    assert replies.count(b"OK") == n + keep
    size = c.call("DBSIZE")
    if now_ms() < deadline_ms - 50:
        # nothing may expire before its deadline
        assert size == n + keep
    deadline = time.monotonic() + timeout(20)
    size = None
    while time.monotonic() < deadline:
        size = c.call("DBSIZE")
        if size == keep:
            break
        time.sleep(0.1)
    assert size == keep, f"{size - keep} expired keys still counted by DBSIZE"
    info = c.call("INFO", "keyspace").decode()
    assert f"db0:keys={keep},expires=0," in info


def test_active_expiry_with_mixed_ttls(r, c):
    """Keys expire in order of their deadlines; long-lived ones survive."""
    cmds = [("SET", f"short:{i}", "x", "PX", 200) for i in range(5000)]
    cmds += [("SET", f"long:{i}", "x", "EX", 1000) for i in range(5000)]
    c.pipeline(cmds)
    wait_until(lambda: c.call("DBSIZE") == 5000, seconds=15, msg="short keys to expire")
    assert c.call("TTL", "long:0") > 900
    info = c.call("INFO", "keyspace").decode()
    assert "db0:keys=5000,expires=5000," in info
