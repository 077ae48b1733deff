"""Blocking sorted set pops: BZPOPMIN BZPOPMAX BZMPOP woken by writes from
other connections, served first-come first-served, timing out, unblocked by
CLIENT UNBLOCK, and answering at once inside MULTI/EXEC."""

import time

from conftest import RespError, timeout, wait_until


def blocked_count(r):
    return int(r.info("clients")["blocked_clients"])


def block(raw, r, *args, expect_blocked):
    """Sends a blocking command on a new connection and waits until the server counts
    expect_blocked blocked clients."""
    conn = raw()
    conn.send_command(*args)
    wait_until(lambda: blocked_count(r) == expect_blocked, msg=f"{expect_blocked} blocked")
    return conn


def test_bzpopmin_woken_by_zadd(r, raw):
    conn = block(raw, r, "BZPOPMIN", "z", 5, expect_blocked=1)
    assert r.zadd("z", {"b": 2, "a": 1}) == 2
    assert conn.read() == [b"z", b"a", b"1"]
    assert r.zrange("z", 0, -1) == [b"b"]
    assert blocked_count(r) == 0


def test_bzpopmax_on_several_keys(r, raw):
    conn = block(raw, r, "BZPOPMAX", "{t}a", "{t}b", "{t}c", 5, expect_blocked=1)
    r.zadd("{t}c", {"x": 1, "y": 9})
    assert conn.read() == [b"{t}c", b"y", b"9"]
    assert r.zrange("{t}c", 0, -1) == [b"x"]


def test_bzpopmin_keys_on_different_shards(r, raw):
    conn = block(raw, r, "BZPOPMIN", "first-key", "second-key", "third-key", 5, expect_blocked=1)
    r.zadd("third-key", {"m": 3})
    assert conn.read() == [b"third-key", b"m", b"3"]
    assert r.exists("third-key") == 0


def test_bzmpop_woken_with_count(r, raw):
    conn = block(raw, r, "BZMPOP", 5, 2, "{t}a", "{t}b", "MIN", "COUNT", 2, expect_blocked=1)
    r.zadd("{t}b", {"x": 1, "y": 2, "z": 3})
    assert conn.read() == [b"{t}b", [[b"x", b"1"], [b"y", b"2"]]]
    assert r.zrange("{t}b", 0, -1) == [b"z"]
    conn = block(raw, r, "BZMPOP", 5, 1, "{t}a", "MAX", expect_blocked=1)
    r.zadd("{t}a", {"p": 1, "q": 2})
    assert conn.read() == [b"{t}a", [[b"q", b"2"]]]


def test_waiters_are_served_in_arrival_order(r, raw):
    first = block(raw, r, "BZPOPMIN", "q", 5, expect_blocked=1)
    second = block(raw, r, "BZPOPMIN", "q", 5, expect_blocked=2)
    third = block(raw, r, "BZPOPMAX", "q", 5, expect_blocked=3)
    r.zadd("q", {"m1": 1})
    assert first.read() == [b"q", b"m1", b"1"]
    assert blocked_count(r) == 2
    # One write feeding two waiters serves them in order, each from what is left.
    r.zadd("q", {"m2": 2, "m3": 3})
    assert second.read() == [b"q", b"m2", b"2"]
    assert third.read() == [b"q", b"m3", b"3"]
    assert r.exists("q") == 0
    assert blocked_count(r) == 0


def test_many_waiters_each_served_once(r, raw):
    n = 10
    conns = [block(raw, r, "BZPOPMIN", "q", 10, expect_blocked=i + 1) for i in range(n)]
    r.zadd("q", {f"m{i}": i for i in range(n)})
    got = [conn.read() for conn in conns]
    assert got == [[b"q", f"m{i}".encode(), str(i).encode()] for i in range(n)]
    assert r.exists("q") == 0


def test_timeouts(r, raw):
    conn = raw()
    start = time.monotonic()
    assert conn.call_raw("BZPOPMIN", "z", "0.2") == b"*-1\r\n"
    assert conn.call_raw("BZPOPMAX", "z", "0.05") == b"*-1\r\n"
    assert conn.call_raw("BZMPOP", "0.05", 1, "z", "MIN") == b"*-1\r\n"
    elapsed = time.monotonic() - start
    assert 0.25 <= elapsed < timeout(3)
    conn.call("HELLO", 3)
    assert conn.call_raw("BZPOPMIN", "z", "0.05") == b"_\r\n"
    assert conn.call_raw("BZMPOP", "0.05", 1, "z", "MAX", "COUNT", 3) == b"_\r\n"
    assert blocked_count(r) == 0


def test_woken_reply_in_resp3(r, raw):
    conn = raw()
    conn.call("HELLO", 3)
    conn.send_command("BZPOPMIN", "z", 5)
    wait_until(lambda: blocked_count(r) == 1)
    r.zadd("z", {"a": 1.5})
    assert conn.read() == [b"z", b"a", 1.5]
    conn.send_command("BZMPOP", 5, 1, "z", "MAX")
    wait_until(lambda: blocked_count(r) == 1)
    r.zadd("z", {"b": 2})
    assert conn.read() == [b"z", [[b"b", 2.0]]]


def test_inside_multi_answers_at_once(r, raw):
    conn = raw()
    assert conn.call("MULTI") == b"OK"
    assert conn.call("BZPOPMIN", "z", 0) == b"QUEUED"
    assert conn.call("BZMPOP", 0, 1, "z", "MIN") == b"QUEUED"
    assert conn.call("ZADD", "z", 1, "a", 2, "b") == b"QUEUED"
    assert conn.call("BZPOPMAX", "z", 0) == b"QUEUED"
    assert conn.call("EXEC") == [None, None, 2, [b"z", b"b", b"2"]]
    assert blocked_count(r) == 0


def test_multi_that_adds_wakes_after_exec(r, raw):
    waiter = block(raw, r, "BZPOPMIN", "z", 5, expect_blocked=1)
    p = r.pipeline(transaction=True)
    p.zadd("z", {"b": 2}).zadd("z", {"a": 1}).zcard("z")
    assert p.execute() == [1, 1, 2]
    # Served after the whole transaction: the lowest score of what EXEC left.
    assert waiter.read() == [b"z", b"a", b"1"]


def test_key_emptied_in_same_transaction_does_not_wake(r, raw):
    waiter = block(raw, r, "BZPOPMIN", "z", 5, expect_blocked=1)
    p = r.pipeline(transaction=True)
    p.zadd("z", {"a": 1}).zrem("z", "a")
    p.execute()
    time.sleep(0.1)
    assert blocked_count(r) == 1
    r.zadd("z", {"c": 3})
    assert waiter.read() == [b"z", b"c", b"3"]


def test_other_type_does_not_wake(r, raw):
    waiter = block(raw, r, "BZPOPMIN", "k", 5, expect_blocked=1)
    r.set("k", "string")
    r.zadd("k2", {"x": 1})
    time.sleep(0.1)
    assert blocked_count(r) == 1
    r.delete("k")
    r.zadd("k", {"m": 1})
    assert waiter.read() == [b"k", b"m", b"1"]


def test_client_unblock(r, raw):
    conn = raw()
    my_id = conn.call("CLIENT", "ID")
    conn.send_command("BZPOPMIN", "z", 0)
    wait_until(lambda: blocked_count(r) == 1)
    assert r.execute_command("CLIENT", "UNBLOCK", my_id) == 1
    assert conn.read() is None
    conn.send_command("BZMPOP", 0, 1, "z", "MIN")
    wait_until(lambda: blocked_count(r) == 1)
    assert r.execute_command("CLIENT", "UNBLOCK", my_id, "ERROR") == 1
    reply = conn.read()
    assert isinstance(reply, RespError)
    assert str(reply) == "UNBLOCKED client unblocked via CLIENT UNBLOCK"


def test_pipelined_commands_wait_for_the_blocked_one(r, raw):
    conn = raw()
    conn.send(b"*3\r\n$8\r\nBZPOPMIN\r\n$1\r\nz\r\n$1\r\n5\r\n*1\r\n$4\r\nPING\r\n")
    wait_until(lambda: blocked_count(r) == 1)
    r.zadd("z", {"a": 1})
    assert conn.read() == [b"z", b"a", b"1"]
    assert conn.read() == b"PONG"


def test_zrangestore_and_zunionstore_wake_waiters(r, raw):
    r.zadd("{t}src", {"a": 1, "b": 2})
    waiter = block(raw, r, "BZPOPMAX", "{t}dst", 5, expect_blocked=1)
    r.execute_command("ZRANGESTORE", "{t}dst", "{t}src", 0, 0)
    assert waiter.read() == [b"{t}dst", b"a", b"1"]
    waiter = block(raw, r, "BZPOPMIN", "{t}u", 5, expect_blocked=1)
    r.zunionstore("{t}u", ["{t}src"])
    assert waiter.read() == [b"{t}u", b"a", b"1"]
    assert r.zrange("{t}u", 0, -1) == [b"b"]
