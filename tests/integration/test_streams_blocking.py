"""XREAD / XREADGROUP BLOCK: clients that really wait. Woken by XADD from another
connection, FIFO among waiters, timeouts, a group destroyed or a stream deleted under
a waiter, disconnects, and MULTI (which never blocks).

These need the blocking framework (the lead's); against Redis 7.2.6 they all pass."""

import socket
import time

import pytest

from conftest import RespError, timeout, wait_until

NOGROUP_READ = "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def blocked_clients(c):
    info = c.call("INFO", "clients").decode()
    for line in info.split("\r\n"):
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    raise AssertionError("no blocked_clients in INFO")


def wait_blocked(c, n):
    wait_until(lambda: blocked_clients(c) == n, msg=f"{n} blocked clients")


def no_reply_yet(conn, seconds=0.15):
    """True if nothing arrives on conn within `seconds`."""
    if conn.buf[conn.pos:]:
        return False
    conn.sock.settimeout(seconds)
    try:
        conn.sock.recv(1, socket.MSG_PEEK)  # data, or b"" when closed: either way, not silent
        return False
    except socket.timeout:
        return True
    finally:
        conn.sock.settimeout(timeout(15))


@pytest.fixture
def clients(r, raw):
    """clients(n) -> n fresh raw connections."""
    return lambda n: [raw() for _ in range(n)]


# ------------------------------------------------------------ XREAD


def test_xread_block_woken_by_xadd(r, c, clients):
    (w,) = clients(1)
    w.send_command("XREAD", "BLOCK", "0", "STREAMS", "s1", "s2", "$", "$")
    wait_blocked(c, 1)
    assert no_reply_yet(w)
    c.call("XADD", "s2", "5-0", "f", "v")
    assert w.read() == [[b"s2", [[b"5-0", [b"f", b"v"]]]]]
    wait_blocked(c, 0)


def test_xread_dollar_skips_entries_before_the_block(r, c, clients):
    (w,) = clients(1)
    c.call("XADD", "s", "1-0", "old", "1")
    c.call("XADD", "s", "2-0", "old", "2")
    w.send_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(c, 1)
    c.call("XADD", "s", "3-0", "new", "3")
    assert w.read() == [[b"s", [[b"3-0", [b"new", b"3"]]]]]


def test_xread_dollar_on_missing_stream(r, c, clients):
    (w,) = clients(1)
    w.send_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(c, 1)
    c.call("XADD", "s", "1-0", "f", "v")
    assert w.read() == [[b"s", [[b"1-0", [b"f", b"v"]]]]]


def test_xread_block_explicit_id_and_count(r, c, clients):
    (w,) = clients(1)
    c.call("XADD", "s", "1-0", "f", "1")
    w.send_command("XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", "s", "1-0")
    wait_blocked(c, 1)
    # Several entries in one transaction: the waiter gets at most COUNT of them.
    c.call("MULTI")
    for i in (2, 3, 4):
        c.call("XADD", "s", f"{i}-0", "f", str(i))
    c.call("EXEC")
    assert w.read() == [[b"s", [[b"2-0", [b"f", b"2"]], [b"3-0", [b"f", b"3"]]]]]


def test_xread_all_waiters_get_the_entry(r, c, clients):
    ws = clients(3)
    for w in ws:
        w.send_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(c, 3)
    c.call("XADD", "s", "1-0", "f", "v")
    for w in ws:
        assert w.read() == [[b"s", [[b"1-0", [b"f", b"v"]]]]]


def test_xread_block_timeout(r, c, clients):
    (w,) = clients(1)
    t0 = time.monotonic()
    w.send_command("XREAD", "BLOCK", "300", "STREAMS", "s", "$")
    wait_blocked(c, 1)
    assert w.read() is None
    assert time.monotonic() - t0 >= 0.25
    wait_blocked(c, 0)


def test_xread_timeout_resp3_is_null(r, c, clients):
    (w,) = clients(1)
    w.call("HELLO", 3)
    w.send_command("XREAD", "BLOCK", "100", "STREAMS", "s", "$")
    assert w.read_raw() == b"_\r\n"


def test_xread_stream_deleted_keeps_waiting(r, c, clients):
    (w,) = clients(1)
    c.call("XADD", "s", "1-0", "f", "v")
    w.send_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(c, 1)
    c.call("DEL", "s")
    assert no_reply_yet(w, 0.2)
    assert blocked_clients(c) == 1
    c.call("XADD", "s", "2-0", "f", "v2")
    assert w.read() == [[b"s", [[b"2-0", [b"f", b"v2"]]]]]


def test_xread_not_woken_by_other_type(r, c, clients):
    (w,) = clients(1)
    w.send_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(c, 1)
    c.call("MULTI")
    c.call("XADD", "s", "1-0", "f", "v")
    c.call("DEL", "s")
    c.call("LPUSH", "s", "x")
    c.call("EXEC")
    assert no_reply_yet(w, 0.2)
    c.call("DEL", "s")
    c.call("XADD", "s", "2-0", "f", "v")
    assert w.read() == [[b"s", [[b"2-0", [b"f", b"v"]]]]]


def test_xread_resp3_wake_shape(r, c, clients):
    (w,) = clients(1)
    w.call("HELLO", 3)
    w.send_command("XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$")
    wait_blocked(c, 1)
    c.call("XADD", "b", "1-0", "f", "v")
    assert w.read() == {b"b": [[b"1-0", [b"f", b"v"]]]}


# ------------------------------------------------------------ XREADGROUP


def test_xreadgroup_block_woken_by_xadd(r, c, clients):
    (w,) = clients(1)
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    w.send_command("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(c, 1)
    c.call("XADD", "s", "1-0", "f", "v")
    assert w.read() == [[b"s", [[b"1-0", [b"f", b"v"]]]]]
    assert c.call("XPENDING", "s", "g") == [1, b"1-0", b"1-0", [[b"alice", b"1"]]]


def test_xreadgroup_waiters_are_served_fifo(r, c, clients):
    ws = clients(3)
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    for i, w in enumerate(ws):
        w.send_command("XREADGROUP", "GROUP", "g", f"c{i}", "COUNT", "1", "BLOCK", "0",
                       "STREAMS", "s", ">")
        wait_blocked(c, i + 1)
    for i, w in enumerate(ws):
        c.call("XADD", "s", f"{i + 1}-0", "n", str(i))
        # The longest waiter is served; the others keep waiting.
        assert w.read() == [[b"s", [[f"{i + 1}-0".encode(), [b"n", str(i).encode()]]]]]
        wait_blocked(c, 2 - i)
    owners = {row[0]: row[1] for row in c.call("XPENDING", "s", "g", "-", "+", "10")}
    assert owners == {b"1-0": b"c0", b"2-0": b"c1", b"3-0": b"c2"}


def test_xreadgroup_one_entry_one_waiter(r, c, clients):
    a, b = clients(2)
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    a.send_command("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(c, 1)
    b.send_command("XREADGROUP", "GROUP", "g", "b", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(c, 2)
    c.call("XADD", "s", "1-0", "f", "v")
    assert a.read() == [[b"s", [[b"1-0", [b"f", b"v"]]]]]
    assert no_reply_yet(b, 0.2)
    wait_blocked(c, 1)
    c.call("XADD", "s", "2-0", "f", "v")
    assert b.read() == [[b"s", [[b"2-0", [b"f", b"v"]]]]]


def test_xreadgroup_several_streams(r, c, clients):
    (w,) = clients(1)
    for k in ("a", "b"):
        c.call("XGROUP", "CREATE", k, "g", "$", "MKSTREAM")
    w.send_command("XREADGROUP", "GROUP", "g", "x", "BLOCK", "0", "STREAMS", "a", "b", ">", ">")
    wait_blocked(c, 1)
    c.call("XADD", "b", "7-0", "f", "v")
    assert w.read() == [[b"b", [[b"7-0", [b"f", b"v"]]]]]


def test_xreadgroup_group_destroyed_under_waiter(r, c, clients):
    (w,) = clients(1)
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    w.send_command("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(c, 1)
    assert c.call("XGROUP", "DESTROY", "s", "g") == 1
    assert w.read() == RespError(NOGROUP_READ.format("s", "g"))
    wait_blocked(c, 0)


def test_xreadgroup_stream_deleted_under_waiter(r, c, clients):
    (w,) = clients(1)
    c.call("XADD", "s", "1-0", "f", "v")
    c.call("XGROUP", "CREATE", "s", "g", "$")
    w.send_command("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(c, 1)
    c.call("DEL", "s")
    assert w.read() == RespError(NOGROUP_READ.format("s", "g"))
    wait_blocked(c, 0)


def test_xreadgroup_stream_replaced_by_other_type(r, c, clients):
    (w,) = clients(1)
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    w.send_command("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(c, 1)
    c.call("SET", "s", "x")
    assert w.read() == RespError(WRONGTYPE)


def test_xreadgroup_flushall_under_waiter(r, c, clients):
    (w,) = clients(1)
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    w.send_command("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(c, 1)
    c.call("FLUSHALL")
    assert w.read() == RespError(NOGROUP_READ.format("s", "g"))


def test_xreadgroup_block_timeout(r, c, clients):
    (w,) = clients(1)
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    t0 = time.monotonic()
    w.send_command("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "250", "STREAMS", "s", ">")
    assert w.read() is None
    assert time.monotonic() - t0 >= 0.2
    # The consumer was created by the attempt.
    assert [x[1] for x in c.call("XINFO", "CONSUMERS", "s", "g")] == [b"alice"]


def test_xreadgroup_history_never_blocks(r, c, clients):
    (w,) = clients(1)
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    t0 = time.monotonic()
    assert w.call("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", "0") == [[b"s", []]]
    assert time.monotonic() - t0 < 2


# ------------------------------------------------------------ disconnects and MULTI


def test_disconnect_while_blocked_leaves_nothing_behind(r, c, clients):
    a, b = clients(2)
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    a.send_command("XREADGROUP", "GROUP", "g", "gone", "BLOCK", "0", "STREAMS", "s", ">")
    a2 = clients(1)[0]
    a2.send_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(c, 2)
    a.close()
    a2.close()
    wait_blocked(c, 0)
    # The next waiter is served normally, and nothing went to the vanished client.
    b.send_command("XREADGROUP", "GROUP", "g", "here", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(c, 1)
    c.call("XADD", "s", "1-0", "f", "v")
    assert b.read() == [[b"s", [[b"1-0", [b"f", b"v"]]]]]
    owners = {row[0]: row[1] for row in c.call("XPENDING", "s", "g", "-", "+", "10")}
    assert owners == {b"1-0": b"here"}


def test_blocking_reads_inside_multi_do_not_block(r, c):
    c.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c.call("MULTI")
    c.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    c.call("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    c.call("XADD", "s", "1-0", "f", "v")
    c.call("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    t0 = time.monotonic()
    assert c.call("EXEC") == [None, None, b"1-0", [[b"s", [[b"1-0", [b"f", b"v"]]]]]]
    assert time.monotonic() - t0 < 2
    assert blocked_clients(c) == 0


def test_client_unblock_ends_wait(r, c, clients):
    (w,) = clients(1)
    wid = w.call("CLIENT", "ID")
    w.send_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(c, 1)
    assert c.call("CLIENT", "UNBLOCK", wid) == 1
    assert w.read() is None
    wait_blocked(c, 0)
