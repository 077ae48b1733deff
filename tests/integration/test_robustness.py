"""Robustness: random garbage, clients vanishing mid-request, thousands of
idle connections, the maxclients limit, concurrent clients."""

import random
import resource
import socket
import struct
import threading
import time

import pytest

from conftest import SCALE, RawConnection, encode_command, timeout, wait_until


def info_field(conn, section, field):
    text = conn.call("INFO", section).decode()
    for line in text.split("\r\n"):
        if line.startswith(field + ":"):
            return line.split(":", 1)[1]
    raise AssertionError(f"{field} not in INFO {section}")


def reset_close(sock):
    """Close with an RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@pytest.fixture
def seeded(r, c):
    """Store data that must survive whatever the test throws at the server."""
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.set(f"keep:{i}", f"value-{i}")
    pipe.set("keep:big", b"\x00\xff" * 50000)
    pipe.execute()
    c.call("SELECT", 2)
    c.call("SET", "keep:db2", "two", "EX", 1000)
    c.call("SELECT", 0)
    return r


def check_seeded(raw):
    conn = raw()
    assert conn.call("PING") == b"PONG"
    values = conn.call("MGET", *[f"keep:{i}" for i in range(500)])
    assert values == [f"value-{i}".encode() for i in range(500)]
    assert conn.call("GET", "keep:big") == b"\x00\xff" * 50000
    conn.call("SELECT", 2)
    assert conn.call("GET", "keep:db2") == b"two"
    assert conn.call("TTL", "keep:db2") > 900


# ------------------------------------------------------------ garbage


SAFE_COMMANDS = [
    ("SET", "g:a", "1"), ("GET", "g:a"), ("INCR", "g:n"), ("APPEND", "g:s", "xyz"),
    ("MSET", "g:1", "a", "g:2", "b"), ("MGET", "g:1", "g:2"), ("SETRANGE", "g:r", "3", "ab"),
    ("BITFIELD", "g:bf", "INCRBY", "u8", "0", "1"), ("PING",), ("ECHO", "hi"), ("EXISTS", "g:a"),
    ("GETRANGE", "g:s", "0", "-1"), ("SETBIT", "g:b", "7", "1"), ("TTL", "g:a"),
]


def garbage_payloads(rnd, count):
    """Deterministic mix of random bytes, mutated RESP and broken framing."""
    out = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            out.append(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 400))))
        elif kind == 1:
            data = bytearray(b"".join(encode_command(*rnd.choice(SAFE_COMMANDS)) for _ in range(5)))
            for _ in range(rnd.randrange(1, 6)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
            out.append(bytes(data))
        elif kind == 2:
            data = b"".join(encode_command(*rnd.choice(SAFE_COMMANDS)) for _ in range(5))
            cut = rnd.randrange(1, len(data))
            out.append(data[:cut] + bytes(rnd.randrange(256) for _ in range(20)))
        elif kind == 3:
            tokens = [b"*", b"$", b"\r\n", b"\r", b"\n", b"-1", b"0", b"3", b"99", b"SET", b"GET",
                      b"\x00", b"+", b":", b"%", b"~", b'"', b"'", b" ", b"g:x"]
            out.append(b"".join(rnd.choice(tokens) for _ in range(rnd.randrange(5, 80))))
        else:
            out.append(b"*2\r\n$3\r\nGET\r\n$" + str(rnd.randrange(0, 100)).encode() + b"\r\n" +
                       bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 120))))
    return out


def test_random_garbage_does_not_kill_server(server, seeded, raw):
    rnd = random.Random(20240601)
    payloads = garbage_payloads(rnd, 300)
    for i, payload in enumerate(payloads):
        s = socket.create_connection((server.host, server.port), timeout=timeout(5))
        try:
            s.sendall(payload)
        except OSError:
            pass
        if i % 3 == 0:
            reset_close(s)
        elif i % 3 == 1:
            s.shutdown(socket.SHUT_WR)
            s.settimeout(0.05)
            try:
                while s.recv(65536):
                    pass
            except OSError:
                pass
            s.close()
        else:
            s.close()
    assert server.alive()
    check_seeded(raw)


def test_garbage_on_long_lived_connection_then_valid_client(server, seeded, raw):
    rnd = random.Random(7)
    c = raw()
    for payload in garbage_payloads(rnd, 40):
        try:
            c.send(payload)
        except OSError:
            break
    c.close()
    check_seeded(raw)
    assert server.alive()


def test_binary_keys_and_values(r, c):
    rnd = random.Random(11)
    stored = {}
    for _ in range(200):
        key = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 30)))
        value = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 300)))
        stored[key] = value
        assert c.call("SET", key, value) == b"OK"
    for key, value in stored.items():
        assert c.call("GET", key) == value
    assert c.call("DBSIZE") == len(stored)


# ------------------------------------------------------------ vanishing clients


@pytest.mark.parametrize("close", ["fin", "rst"])
def test_disconnect_mid_bulk(server, seeded, raw, close):
    s = socket.create_connection((server.host, server.port))
    s.sendall(b"*3\r\n$3\r\nSET\r\n$8\r\nhalf:big\r\n$100000\r\n" + b"x" * 50000)
    time.sleep(0.05)
    (reset_close if close == "rst" else socket.socket.close)(s)
    s = socket.create_connection((server.host, server.port))
    s.sendall(b"*3\r\n$3\r\nSET\r\n$10\r\nhalf:small\r\n$10\r\n01234")
    (reset_close if close == "rst" else socket.socket.close)(s)
    s = socket.create_connection((server.host, server.port))
    s.sendall(b"*3\r\n$3\r\nSET\r\n$4\r\nha")  # mid-argument header
    (reset_close if close == "rst" else socket.socket.close)(s)
    s = socket.create_connection((server.host, server.port))
    s.sendall(b"SET half:inline value-without-newline")
    (reset_close if close == "rst" else socket.socket.close)(s)
    conn = raw()
    wait_until(lambda: conn.call("EXISTS", "half:big", "half:small", "half:inline") == 0
               and conn.call("PING") == b"PONG", msg="server to drop half requests")
    check_seeded(raw)


def test_disconnect_while_big_reply_pending(server, r, raw):
    r.set("huge", b"h" * (8 * 1024 * 1024))
    for _ in range(5):
        s = socket.create_connection((server.host, server.port))
        s.sendall(encode_command("GET", "huge") * 4)  # 32 MB of replies, never read
        time.sleep(0.02)
        reset_close(s)
    conn = raw()
    assert conn.call("STRLEN", "huge") == 8 * 1024 * 1024
    wait_until(lambda: int(info_field(conn, "clients", "connected_clients")) <= 3,
               seconds=10, msg="dead clients to be freed")


def test_disconnect_inside_multi_discards(server, r, raw):
    a = raw()
    a.call("MULTI")
    a.call("SET", "tx:key", "1")
    a.close()
    b = raw()
    b.call("WATCH", "w")
    b.close()
    conn = raw()
    time.sleep(0.05)
    assert conn.call("EXISTS", "tx:key") == 0
    assert conn.call("SET", "w", "1") == b"OK"


def test_pipeline_then_disconnect_executes_what_arrived(server, r, raw):
    s = socket.create_connection((server.host, server.port))
    s.sendall(b"".join(encode_command("INCR", "pd:counter") for _ in range(1000)))
    s.shutdown(socket.SHUT_WR)
    data = b""
    s.settimeout(timeout(10))
    while data.count(b"\r\n") < 1000:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    assert data.count(b"\r\n") == 1000
    assert raw().call("GET", "pd:counter") == b"1000"


# ------------------------------------------------------------ many connections


def fd_budget():
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft


def test_2000_idle_connections(server_factory, raw):
    n = min(2000, fd_budget() - 300)
    if n < 500:
        pytest.skip(f"file descriptor limit too low ({fd_budget()})")
    server = server_factory()
    admin = raw(port=server.port)
    # the readiness probe may not be released yet
    wait_until(lambda: int(info_field(admin, "clients", "connected_clients")) == 1, msg="probe release")
    base = 1
    socks = []
    try:
        for _ in range(n):
            s = socket.create_connection((server.host, server.port), timeout=timeout(10))
            socks.append(s)
        for s in socks:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
        for s in socks:
            data = b""
            while not data.endswith(b"\r\n"):
                chunk = s.recv(64)
                assert chunk, "connection closed"
                data += chunk
            assert data == b"+PONG\r\n"
        assert int(info_field(admin, "clients", "connected_clients")) == base + n
        # the server stays responsive with all of them idle
        t0 = time.monotonic()
        for i in range(200):
            assert admin.call("SET", f"idle:{i}", i) == b"OK"
        assert time.monotonic() - t0 < timeout(5)
        # a few of the idle ones still work
        for s in socks[:: max(1, n // 20)]:
            s.sendall(encode_command("GET", "idle:7"))
            assert s.recv(64) == b"$1\r\n7\r\n"
    finally:
        for s in socks:
            s.close()
    wait_until(lambda: int(info_field(admin, "clients", "connected_clients")) == base,
               seconds=15, msg="closed connections to be released")


def test_connection_churn(server, r, raw):
    for i in range(500):
        s = socket.create_connection((server.host, server.port), timeout=timeout(5))
        s.sendall(encode_command("INCR", "churn"))
        assert s.recv(64).startswith(b":")
        if i % 2:
            reset_close(s)
        else:
            s.close()
    conn = raw()
    assert conn.call("GET", "churn") == b"500"
    wait_until(lambda: int(info_field(conn, "clients", "connected_clients")) <= 3,
               seconds=10, msg="churned connections to be released")


# ------------------------------------------------------------ maxclients


def test_maxclients_reply_and_recovery(server_factory):
    limit = 20
    srv = server_factory("--maxclients", str(limit))
    first = RawConnection(srv.host, srv.port)
    held = [first]
    try:
        # The start-up probe's connection may still be closing on another loop.
        wait_until(lambda: int(info_field(first, "clients", "connected_clients")) == 1,
                   msg="only the first connection")
        for _ in range(limit - 1):
            conn = RawConnection(srv.host, srv.port)
            assert conn.call("PING") == b"PONG"
            held.append(conn)
        for _ in range(3):
            extra = RawConnection(srv.host, srv.port)
            assert extra.read_until_closed() == b"-ERR max number of clients reached\r\n"
            extra.close()
        for conn in held[:5]:
            conn.close()
        del held[:5]
        admin = held[0]

        def connected():
            return int(info_field(admin, "clients", "connected_clients"))

        wait_until(lambda: connected() == limit - 5, msg="clients to be released")
        for _ in range(5):
            conn = RawConnection(srv.host, srv.port)
            assert conn.call("PING") == b"PONG"
            held.append(conn)
        extra = RawConnection(srv.host, srv.port)
        assert extra.read_until_closed() == b"-ERR max number of clients reached\r\n"
        extra.close()
    finally:
        for conn in held:
            conn.close()


def test_maxclients_config_set_at_runtime(server_factory):
    srv = server_factory()
    admin = RawConnection(srv.host, srv.port)
    others = []
    try:
        # The start-up probe's connection may still be closing on another loop.
        wait_until(lambda: int(info_field(admin, "clients", "connected_clients")) == 1,
                   msg="only the admin connection")
        assert admin.call("CONFIG", "SET", "maxclients", "3") == b"OK"
        for _ in range(2):
            conn = RawConnection(srv.host, srv.port)
            assert conn.call("PING") == b"PONG"
            others.append(conn)
        extra = RawConnection(srv.host, srv.port)
        assert extra.read_until_closed() == b"-ERR max number of clients reached\r\n"
        extra.close()
        assert admin.call("CONFIG", "SET", "maxclients", "100") == b"OK"
        conn = RawConnection(srv.host, srv.port)
        assert conn.call("PING") == b"PONG"
        others.append(conn)
    finally:
        admin.close()
        for conn in others:
            conn.close()


# ------------------------------------------------------------ concurrency


def test_concurrent_incr_is_exact(server, r):
    workers, per_worker = 8, 500
    errors = []

    def work():
        try:
            client = server.client()
            pipe = client.pipeline(transaction=False)
            for _ in range(per_worker):
                pipe.incr("shared")
                pipe.incrby("shared:by", 3)
                pipe.append("shared:log", "x")
            pipe.execute()
            client.connection_pool.disconnect()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout(60))
    assert not errors, errors
    assert r.get("shared") == str(workers * per_worker).encode()
    assert r.get("shared:by") == str(3 * workers * per_worker).encode()
    assert r.strlen("shared:log") == workers * per_worker


def test_concurrent_transactions_are_isolated(server, r):
    """Each transaction moves one unit between two keys; the sum never
    changes, as seen from a concurrent reader using MGET."""
    r.mset({"acct:a": 10000, "acct:b": 0})
    stop = threading.Event()
    bad = []
    errors = []

    def mover():
        try:
            client = server.client()
            for _ in range(300):
                pipe = client.pipeline(transaction=True)
                pipe.decr("acct:a")
                pipe.incr("acct:b")
                pipe.execute()
            client.connection_pool.disconnect()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    def reader():
        client = server.client()
        while not stop.is_set():
            a, b = client.mget("acct:a", "acct:b")
            if int(a) + int(b) != 10000:
                bad.append((a, b))
        client.connection_pool.disconnect()

    movers = [threading.Thread(target=mover) for _ in range(4)]
    rd = threading.Thread(target=reader)
    rd.start()
    for t in movers:
        t.start()
    for t in movers:
        t.join(timeout(60))
    stop.set()
    rd.join(timeout(10))
    assert not errors, errors
    assert not bad, bad[:5]
    assert r.mget("acct:a", "acct:b") == [b"8800", b"1200"]


def test_slow_reader_does_not_block_others(server, r, raw):
    r.set("blob", b"b" * (1024 * 1024))
    slow = raw()
    slow.send(encode_command("GET", "blob") * 20)  # 20 MB pending, not read yet
    fast = raw()
    t0 = time.monotonic()
    for i in range(100):
        assert fast.call("INCR", "fast") == i + 1
    assert time.monotonic() - t0 < timeout(5)
    for _ in range(20):
        assert len(slow.read()) == 1024 * 1024


def _client_field(conn, name, field):
    for line in conn.call("CLIENT", "LIST").decode().splitlines():
        fields = dict(kv.split("=", 1) for kv in line.split(" "))
        if fields["name"] == name:
            return int(fields[field])
    raise AssertionError(f"client {name} not listed")


def test_unread_pipeline_costs_bounded_memory(server, r, raw):
    """A client that pipelines 300 GETs of a 1 MB value and reads nothing holds at most a couple
    of replies in the server (Redis would buffer all 300 MB); the rest waits in its socket, and
    every reply still arrives once it reads."""
    value = b"v" * (1024 * 1024)
    r.set("mb", value)
    used_before = int(info_field(raw(), "memory", "used_memory"))
    slow = raw()
    slow.call("CLIENT", "SETNAME", "slow")
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    # Sent from a thread: the server stops reading, so sendall itself waits for the replies.
    sender = threading.Thread(target=slow.send, args=(encode_command("GET", "mb") * 300,))
    sender.start()
    watcher = raw()
    time.sleep(0.5 * SCALE)
    omem = _client_field(watcher, "slow", "omem")
    used_after = int(info_field(watcher, "memory", "used_memory"))
    assert omem <= 3 * len(value), omem
    assert used_after - used_before < 16 * len(value), used_after - used_before
    assert watcher.call("PING") == b"PONG"  # others are served meanwhile
    for _ in range(300):
        assert slow.read() == value
    sender.join(timeout(10))
    assert slow.call("PING") == b"PONG"


@pytest.mark.parametrize("value_size", [200 * 1024, 700 * 1024, 1024 * 1024 + 1])
def test_held_back_pipeline_resumes_when_replies_drain(server, r, raw, value_size):
    """Requests held back while replies pile up run again however the output drains: in one
    write, a little at a time, or while the client is still sending."""
    value = b"w" * value_size
    r.set("big", value)
    conn = raw()
    count = 200
    sender = threading.Thread(target=conn.send, args=(encode_command("GET", "big") * count,))
    sender.start()
    for i in range(count):
        if i % 50 == 0:
            time.sleep(0.05)  # let the server's output pile up, then drain it at once
        assert conn.read() == value
    sender.join(timeout(10))
    assert conn.call("PING") == b"PONG"
