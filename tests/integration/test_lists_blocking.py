"""Blocking list commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP woken by writes
from other connections, FIFO among waiters, timeouts (fractional, 0 = forever),
MULTI, disconnects, INFO blocked_clients, CLIENT UNBLOCK."""

import threading
import time

import pytest

from conftest import RespError, timeout, wait_until

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def blocked_clients(c):
    info = c.call("INFO", "clients").decode()
    for line in info.splitlines():
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    raise AssertionError("no blocked_clients in INFO clients")


def wait_blocked(c, n):
    wait_until(lambda: blocked_clients(c) == n, msg=f"{n} blocked clients")


@pytest.fixture
def other(r, raw):
    """A second connection for the writes that wake the blocked one."""
    return raw()


def test_blpop_woken_by_rpush(r, c, other):
    c.send_command("BLPOP", "{t}a", "{t}b", 0)
    wait_blocked(other, 1)
    assert other.call("RPUSH", "{t}b", "x", "y") == 2
    assert c.read() == [b"{t}b", b"x"]
    assert other.call("LRANGE", "{t}b", 0, -1) == [b"y"]
    wait_blocked(other, 0)


def test_brpop_takes_the_tail(r, c, other):
    c.send_command("BRPOP", "l", 0)
    wait_blocked(other, 1)
    other.call("RPUSH", "l", "1", "2", "3")
    assert c.read() == [b"l", b"3"]
    assert other.call("LRANGE", "l", 0, -1) == [b"1", b"2"]


def test_popped_last_element_deletes_key(r, c, other):
    c.send_command("BLPOP", "l", 0)
    wait_blocked(other, 1)
    other.call("LPUSH", "l", "only")
    assert c.read() == [b"l", b"only"]
    assert other.call("EXISTS", "l") == 0


def test_first_key_in_argument_order_serves(r, c, other):
    other.call("RPUSH", "{t}b", "b")
    other.call("RPUSH", "{t}c", "c")
    assert c.call("BLPOP", "{t}a", "{t}c", "{t}b", 0) == [b"{t}c", b"c"]


def test_keys_on_different_shards(r, c, other):
    keys = [f"key:{i}" for i in range(10)]
    c.send_command("BLPOP", *keys, 0)
    wait_blocked(other, 1)
    other.call("RPUSH", "key:7", "v")
    assert c.read() == [b"key:7", b"v"]


def test_blmove_woken_moves_to_destination(r, c, other):
    c.send_command("BLMOVE", "{t}src", "{t}dst", "RIGHT", "LEFT", 0)
    wait_blocked(other, 1)
    other.call("RPUSH", "{t}src", "a", "b")
    assert c.read() == b"b"
    assert other.call("LRANGE", "{t}src", 0, -1) == [b"a"]
    assert other.call("LRANGE", "{t}dst", 0, -1) == [b"b"]


def test_blmove_across_shards(r, c, other):
    c.send_command("BLMOVE", "source-key", "destination-key", "LEFT", "RIGHT", 0)
    wait_blocked(other, 1)
    other.call("RPUSH", "source-key", "v")
    assert c.read() == b"v"
    assert other.call("LRANGE", "destination-key", 0, -1) == [b"v"]
    assert other.call("EXISTS", "source-key") == 0


def test_brpoplpush_woken(r, c, other):
    c.send_command("BRPOPLPUSH", "{t}src", "{t}dst", 0)
    wait_blocked(other, 1)
    other.call("RPUSH", "{t}src", "a", "b")
    assert c.read() == b"b"
    assert other.call("LRANGE", "{t}dst", 0, -1) == [b"b"]


def test_blmove_same_key_rotates_when_woken(r, c, other):
    c.send_command("BLMOVE", "l", "l", "LEFT", "RIGHT", 0)
    wait_blocked(other, 1)
    other.call("RPUSH", "l", "x")
    assert c.read() == b"x"
    assert other.call("LRANGE", "l", 0, -1) == [b"x"]


def test_blmove_destination_of_wrong_type_errors_and_keeps_element(r, c, other):
    c.send_command("BLMOVE", "{t}src", "{t}dst", "LEFT", "LEFT", 0)
    wait_blocked(other, 1)
    other.call("SET", "{t}dst", "string")
    other.call("RPUSH", "{t}src", "x")
    reply = c.read()
    assert isinstance(reply, RespError) and str(reply) == WRONGTYPE
    assert other.call("LRANGE", "{t}src", 0, -1) == [b"x"]


def test_blmove_chain_serves_the_next_waiter(r, raw, other):
    a, b = raw(), raw()
    a.send_command("BLMOVE", "{t}1", "{t}2", "LEFT", "LEFT", 0)
    b.send_command("BLMOVE", "{t}2", "{t}3", "LEFT", "LEFT", 0)
    wait_blocked(other, 2)
    other.call("RPUSH", "{t}1", "v")
    assert a.read() == b"v"
    assert b.read() == b"v"
    assert other.call("LRANGE", "{t}3", 0, -1) == [b"v"]
    assert other.call("EXISTS", "{t}1", "{t}2") == 0


def test_blmpop_woken_with_count(r, c, other):
    c.send_command("BLMPOP", 0, 2, "{t}a", "{t}b", "RIGHT", "COUNT", 2)
    wait_blocked(other, 1)
    other.call("RPUSH", "{t}b", "1", "2", "3")
    assert c.read() == [b"{t}b", [b"3", b"2"]]
    assert other.call("LRANGE", "{t}b", 0, -1) == [b"1"]


def test_fifo_among_waiters(r, raw, other):
    clients = [raw() for _ in range(4)]
    for i, cl in enumerate(clients):
        cl.send_command("BLPOP", "q", 0)
        wait_blocked(other, i + 1)
    other.call("RPUSH", "q", "a", "b", "c")
    assert clients[0].read() == [b"q", b"a"]
    assert clients[1].read() == [b"q", b"b"]
    assert clients[2].read() == [b"q", b"c"]
    wait_blocked(other, 1)
    other.call("RPUSH", "q", "d")
    assert clients[3].read() == [b"q", b"d"]


def test_fifo_with_mixed_commands(r, raw, other):
    first, second = raw(), raw()
    first.send_command("BRPOP", "q", 0)
    wait_blocked(other, 1)
    second.send_command("BLMPOP", 0, 1, "q", "LEFT", "COUNT", 5)
    wait_blocked(other, 2)
    other.call("RPUSH", "q", "a", "b", "c")
    assert first.read() == [b"q", b"c"]
    assert second.read() == [b"q", [b"a", b"b"]]


def test_fractional_timeout(r, c):
    start = time.monotonic()
    assert c.call_raw("BLPOP", "nothing", "0.2") == b"*-1\r\n"
    elapsed = time.monotonic() - start
    assert 0.15 <= elapsed < timeout(2)


@pytest.mark.parametrize("cmd", [
    ("BRPOP", "{t}a", "{t}b", "0.1"),
    ("BLMPOP", "0.1", 2, "{t}a", "{t}b", "LEFT"),
    ("BLMOVE", "{t}a", "{t}b", "LEFT", "LEFT", "0.1"),
    ("BRPOPLPUSH", "{t}a", "{t}b", "0.1"),
])
def test_timeout_replies_null_array(r, c, cmd):
    assert c.call_raw(*cmd) == b"*-1\r\n"
    c.call("HELLO", 3)
    assert c.call_raw(*cmd) == b"_\r\n"


def test_zero_waits_until_served(r, c, other):
    c.send_command("BLPOP", "l", 0)
    time.sleep(0.5)
    assert blocked_clients(other) == 1
    other.call("RPUSH", "l", "late")
    assert c.read() == [b"l", b"late"]


def test_timeout_then_connection_still_usable(r, c):
    assert c.call("BLPOP", "l", "0.05") is None
    assert c.call("PING") == b"PONG"
    assert blocked_clients(c) == 0


def test_inside_multi_answers_nil_at_once(r, c):
    c.call("MULTI")
    c.call("BLPOP", "l", 0)
    c.call("BLMOVE", "{t}a", "{t}b", "LEFT", "LEFT", 0)
    c.call("BLMPOP", 0, 1, "l", "LEFT")
    start = time.monotonic()
    assert c.call_raw("EXEC") == b"*3\r\n*-1\r\n$-1\r\n*-1\r\n"
    assert time.monotonic() - start < timeout(1)


def test_inside_multi_serves_when_data_exists(r, c):
    c.call("RPUSH", "l", "x")
    c.call("MULTI")
    c.call("BLPOP", "l", 0)
    assert c.call("EXEC") == [[b"l", b"x"]]


def test_push_inside_multi_wakes_after_exec(r, c, other):
    c.send_command("BLPOP", "l", 0)
    wait_blocked(other, 1)
    other.call("MULTI")
    other.call("RPUSH", "l", "a")
    other.call("RPUSH", "l", "b")
    assert other.call("EXEC") == [1, 2]
    assert c.read() == [b"l", b"a"]
    assert other.call("LRANGE", "l", 0, -1) == [b"b"]


def test_push_then_delete_in_multi_keeps_waiting(r, c, other):
    c.send_command("BLPOP", "l", 0)
    wait_blocked(other, 1)
    other.call("MULTI")
    other.call("RPUSH", "l", "a")
    other.call("DEL", "l")
    assert other.call("EXEC") == [1, 1]
    time.sleep(0.1)
    assert blocked_clients(other) == 1
    other.call("RPUSH", "l", "b")
    assert c.read() == [b"l", b"b"]


def test_wrong_type_write_does_not_wake(r, c, other):
    c.send_command("BLPOP", "k", 0)
    wait_blocked(other, 1)
    other.call("SET", "k", "string")
    time.sleep(0.1)
    assert blocked_clients(other) == 1
    other.call("DEL", "k")
    other.call("RPUSH", "k", "v")
    assert c.read() == [b"k", b"v"]


def test_other_database_does_not_wake(r, c, other):
    assert c.call("SELECT", 1) == b"OK"
    c.send_command("BLPOP", "k", 0)
    wait_blocked(other, 1)
    other.call("RPUSH", "k", "db0")
    time.sleep(0.1)
    assert blocked_clients(other) == 1
    other.call("SELECT", 1)
    other.call("RPUSH", "k", "db1")
    assert c.read() == [b"k", b"db1"]
    other.call("SELECT", 0)
    assert other.call("LRANGE", "k", 0, -1) == [b"db0"]


def test_disconnect_while_blocked_leaves_nothing_behind(r, raw, other):
    gone = raw()
    gone.send_command("BLPOP", "l", 0)
    wait_blocked(other, 1)
    gone.close()
    wait_blocked(other, 0)
    other.call("RPUSH", "l", "kept")
    time.sleep(0.05)
    assert other.call("LRANGE", "l", 0, -1) == [b"kept"]
    # A new waiter is served normally afterwards.
    again = raw()
    again.send_command("BLPOP", "l", "l2", 0)
    assert again.read() == [b"l", b"kept"]


def test_blocked_clients_in_info(r, raw, other):
    waiters = [raw() for _ in range(3)]
    for i, w in enumerate(waiters):
        w.send_command("BRPOP", f"k{i}", 0)
    wait_blocked(other, 3)
    other.call("RPUSH", "k1", "x")
    assert waiters[1].read() == [b"k1", b"x"]
    wait_blocked(other, 2)


def test_client_unblock_timeout_and_error(r, raw, other):
    w = raw()
    wid = w.call("CLIENT", "ID")
    w.send_command("BLPOP", "l", 0)
    wait_blocked(other, 1)
    assert other.call("CLIENT", "UNBLOCK", wid, "TIMEOUT") == 1
    assert w.read() is None
    assert other.call("CLIENT", "UNBLOCK", wid) == 0
    w.send_command("BLMOVE", "{t}a", "{t}b", "LEFT", "LEFT", 0)
    wait_blocked(other, 1)
    assert other.call("CLIENT", "UNBLOCK", wid, "ERROR") == 1
    reply = w.read()
    assert isinstance(reply, RespError)
    assert str(reply) == "UNBLOCKED client unblocked via CLIENT UNBLOCK"
    assert w.call("PING") == b"PONG"
    wait_blocked(other, 0)


def test_many_producers_and_consumers(r, raw, other):
    n_consumers, per_producer, n_producers = 5, 200, 4
    got = []
    lock = threading.Lock()

    def consume(conn):
        while True:
            reply = conn.call("BRPOP", "jobs", "2")
            if reply is None:
                return
            with lock:
                got.append(reply[1])

    consumers = [raw() for _ in range(n_consumers)]
    threads = [threading.Thread(target=consume, args=(cn,)) for cn in consumers]
    for t in threads:
        t.start()
    wait_blocked(other, n_consumers)
    producers = [raw() for _ in range(n_producers)]

    def produce(conn, p):
        for i in range(per_producer):
            conn.call("LPUSH", "jobs", f"{p}:{i}")

    pthreads = [threading.Thread(target=produce, args=(pc, p)) for p, pc in enumerate(producers)]
    for t in pthreads:
        t.start()
    for t in pthreads:
        t.join()
    for t in threads:
        t.join(timeout(30))
    expected = {f"{p}:{i}".encode() for p in range(n_producers) for i in range(per_producer)}
    assert sorted(got) == sorted(expected)
    assert other.call("EXISTS", "jobs") == 0
