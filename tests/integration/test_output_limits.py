"""Bounded memory per client: client-output-buffer-limit (normal and pubsub classes, hard and
soft limits), CLIENT LIST's memory fields and maxmemory-clients (client eviction).

Clients that "stop reading" are raw sockets with a small receive buffer, so the server's
kernel buffers fill quickly and the rest piles up in the server's output buffer.
"""

import socket
import threading
import time

import pytest

from conftest import ConnectionClosed, RawConnection, encode_command, timeout, wait_until


def slow_client(server, rcvbuf=4096):
    """A RawConnection whose socket has a small receive buffer (set before connecting)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout(15))
    s.connect((server.host, server.port))
    conn = RawConnection.__new__(RawConnection)
    conn.sock = s
    conn.buf = b""
    conn.pos = 0
    return conn


def subscriber(server, name, channel, rcvbuf=4096):
    c = slow_client(server, rcvbuf)
    assert c.call("CLIENT", "SETNAME", name) == b"OK"
    c.send_command("SUBSCRIBE", channel)
    assert c.read() == [b"subscribe", channel.encode(), 1]
    return c


def clients(r):
    """CLIENT LIST as {name: {field: value}} (unnamed clients under their id)."""
    out = {}
    for line in r.execute_command("CLIENT", "LIST").decode().splitlines():
        fields = dict(kv.split("=", 1) for kv in line.split(" ") if "=" in kv)
        out[fields.get("name") or fields["id"]] = fields
    return out


def stat(r, field):
    """An INFO stats field as int, or None when the server has none (Redis 7.2 lacks the
    *_limit_disconnections counters, which came with 7.4)."""
    v = r.info("stats").get(field)
    return None if v is None else int(v)


def closed_by_server(conn, seconds=5.0):
    """Reads (and drops) whatever the server sent until it closes the connection."""
    conn.sock.settimeout(timeout(seconds))
    try:
        while conn.sock.recv(1 << 16):
            pass
    except (ConnectionResetError, BrokenPipeError):
        pass
    return True


def publish_until(r, channel, payload, stop, max_messages, batch=50):
    """Publishes payload in pipelined batches until stop() is true; returns how many."""
    sent = 0
    while sent < max_messages:
        p = r.pipeline(transaction=False)
        for _ in range(batch):
            p.publish(channel, payload)
        p.execute()
        sent += batch
        if stop():
            return sent
    pytest.fail(f"condition not reached after {sent} messages")


def test_config_roundtrip(r, set_config):
    set_config("client-output-buffer-limit", "normal 1mb 2mb 60 replica 3mb 4mb 70 pubsub 5mb 6mb 80")
    assert r.config_get("client-output-buffer-limit")["client-output-buffer-limit"] == (
        "normal 1048576 2097152 60 slave 3145728 4194304 70 pubsub 5242880 6291456 80")


def test_pubsub_hard_limit_slow_subscriber_dropped_others_keep_receiving(server, r, set_config):
    set_config("client-output-buffer-limit", "pubsub 1mb 0 0")
    before = stat(r, "client_output_buffer_limit_disconnections")
    slow = subscriber(server, "slow-sub", "news")
    fast = RawConnection(server.host, server.port)
    fast.send_command("SUBSCRIBE", "news")
    assert fast.read() == [b"subscribe", b"news", 1]

    received = []
    errors = []

    def reader():
        try:
            while True:
                received.append(fast.read()[2])
        except Exception as e:  # noqa: BLE001 - ends the thread; checked below
            errors.append(e)

    t = threading.Thread(target=reader, daemon=True)
    t.start()

    payload_size = 8000
    sent = 0
    # Publish until the slow subscriber is gone; every PUBLISH reply says how many got it.
    while True:
        p = r.pipeline(transaction=False)
        for i in range(50):
            p.publish("news", b"%08d" % (sent + i) + b"x" * (payload_size - 8))
        counts = p.execute()
        sent += 50
        if counts[-1] <= 1:
            break
        assert sent < 20000, "slow subscriber never disconnected"
    wait_until(lambda: len(received) >= sent or errors, seconds=20,
               msg=f"fast subscriber receiving all {sent} messages")
    assert not errors, errors
    assert [int(m[:8]) for m in received] == list(range(sent))
    fast.close()
    t.join(timeout(5))
    # Disconnected at its limit, without taking the server down with it.
    assert "slow-sub" not in clients(r)
    assert closed_by_server(slow)
    after = stat(r, "client_output_buffer_limit_disconnections")
    if before is not None:
        assert after == before + 1
    slow.close()


def test_pubsub_hard_limit_omem_at_disconnect(server, r, set_config, threads):
    # Redis's obuf-limits test: omem is seen close to the limit, and never far past it.
    set_config("client-output-buffer-limit", "pubsub 100000 0 0")
    slow = subscriber(server, "hard-sub", "foo")
    omem = 0
    for _ in range(100000):
        # Batches while far from the limit, single messages near it.
        p = r.pipeline(transaction=False)
        for _ in range(50 if omem < 50000 else 1):
            p.publish("foo", "bar")
        p.execute()
        c = clients(r).get("hard-sub")
        if c is None:
            break
        omem = int(c["omem"])
        assert omem < 200000
    else:
        pytest.fail("never disconnected")
    if threads in (None, 1):
        # With several threads, messages reach the subscriber's loop through its inbox in
        # bursts, so the last omem seen before the close may be well under the limit.
        assert omem >= 70000
    slow.close()


@pytest.mark.parametrize("traffic", [True, False], ids=["with-traffic", "no-traffic"])
def test_pubsub_soft_limit_after_period(server, r, set_config, traffic):
    soft_seconds = 2
    set_config("client-output-buffer-limit", f"pubsub 0 100000 {soft_seconds}")
    slow = subscriber(server, "soft-sub", "foo")
    payload = b"x" * 1000
    over_since = None
    deadline = time.monotonic() + timeout(30)
    while time.monotonic() < deadline:
        if over_since is None:
            p = r.pipeline(transaction=False)
            for _ in range(20):
                p.publish("foo", payload)
            p.execute()
        elif traffic:
            r.publish("foo", payload)
        c = clients(r).get("soft-sub")
        now = time.monotonic()
        if c is None:
            assert over_since is not None, "closed before reaching the soft limit"
            elapsed = now - over_since
            # Over the limit for more than soft_seconds (whole seconds, as Redis counts).
            assert elapsed >= soft_seconds - 0.2, elapsed
            assert elapsed <= soft_seconds + 3, elapsed
            break
        if int(c["omem"]) >= 100000:
            if over_since is None:
                over_since = now
        elif traffic:
            over_since = None  # the kernel took it: not over the limit continuously
        time.sleep(0.01)
    else:
        pytest.fail("soft limit never enforced")
    assert closed_by_server(slow)
    slow.close()


def test_normal_limit_pipelined_gets_without_reading(server, r, set_config):
    set_config("client-output-buffer-limit", "normal 512kb 0 0")
    before = stat(r, "client_output_buffer_limit_disconnections")
    r.set("big", b"v" * 100_000)
    c = slow_client(server)
    assert c.call("CLIENT", "SETNAME", "piper") == b"OK"
    c.send(encode_command("GET", "big") * 200)
    wait_until(lambda: "piper" not in clients(r), msg="pipelining client closed")
    assert closed_by_server(c)
    after = stat(r, "client_output_buffer_limit_disconnections")
    if before is not None:
        assert after == before + 1
    # A client that reads each reply is never near the limit.
    for _ in range(20):
        assert len(r.get("big")) == 100_000
    c.close()


def test_normal_limit_single_reply_gets_nothing(server, r, set_config):
    # Redis's "No response for single command if client output buffer hard limit is enforced".
    set_config("client-output-buffer-limit", "normal 100000 0 0")
    item = b"x" * 1000
    r.lpush("mylist", *([item] * 150))
    c = RawConnection(server.host, server.port)
    assert c.call("CLIENT", "SETNAME", "mybiglist") == b"OK"
    c.send_command("LRANGE", "mylist", 0, -1)
    wait_until(lambda: "mybiglist" not in clients(r), msg="client closed")
    c.sock.settimeout(timeout(5))
    assert c.sock.recv(1 << 16) == b""
    c.close()
    # Other clients still get big replies (the default normal class has no limit).
    r.config_set("client-output-buffer-limit", "normal 0 0 0")
    assert len(r.lrange("mylist", 0, -1)) == 150


def test_client_list_omem_grows_then_shrinks(server, r):
    slow = subscriber(server, "grower", "feed")
    c0 = clients(r)["grower"]
    for f in ("qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
              "tot-mem"):
        assert f in c0, f
    assert int(c0["omem"]) == 0
    payload = b"y" * 4000
    publish_until(r, "feed", payload, lambda: int(clients(r)["grower"]["omem"]) > 200_000, 5000)
    c1 = clients(r)["grower"]
    assert int(c1["tot-mem"]) >= int(c1["omem"]) > 200_000
    # Now it reads everything it was sent: its pending output drains to nothing.
    slow.sock.settimeout(0.2)
    deadline = time.monotonic() + timeout(20)
    while time.monotonic() < deadline:
        try:
            while slow.sock.recv(1 << 16):
                pass
        except socket.timeout:
            pass
        if int(clients(r)["grower"]["omem"]) == 0:
            break
    assert int(clients(r)["grower"]["omem"]) == 0
    assert int(clients(r)["grower"]["obl"]) == 0
    slow.close()


def test_client_list_memory_fields_of_self(r):
    line = r.execute_command("CLIENT", "INFO").decode()
    fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    # The running CLIENT INFO's own request: "*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n".
    assert fields["qbuf"] == "26"
    assert int(fields["argv-mem"]) > 0
    assert fields["multi-mem"] == "0"
    assert fields["obl"] == "0" and fields["oll"] == "0" and fields["omem"] == "0"
    assert int(fields["tot-mem"]) > 0
    # MULTI's queue shows in multi-mem (and in tot-mem).
    m = RawConnection(r.connection_pool.connection_kwargs["host"],
                      r.connection_pool.connection_kwargs["port"])
    assert m.call("CLIENT", "SETNAME", "multi") == b"OK"
    base = int(clients(r)["multi"]["tot-mem"])
    assert m.call("MULTI") == b"OK"
    assert m.call("SET", "k", b"z" * 5000) == b"QUEUED"
    c = clients(r)["multi"]
    assert int(c["multi-mem"]) >= 5000
    assert int(c["tot-mem"]) >= base + 5000
    assert m.call("DISCARD") == b"OK"
    assert clients(r)["multi"]["multi-mem"] == "0"
    m.close()


def test_maxmemory_clients_evicts_biggest_spares_no_evict(server, r, set_config):
    set_config("maxmemory-clients", "0")
    set_config("client-output-buffer-limit", "pubsub 0 0 0")
    before = int(r.info("stats")["evicted_clients"])
    r.execute_command("CLIENT", "NO-EVICT", "on")  # the test's own connection stays
    a = subscriber(server, "evictable", "bulk")
    b = slow_client(server)
    assert b.call("CLIENT", "SETNAME", "protected") == b"OK"
    assert b.call("CLIENT", "NO-EVICT", "on") == b"OK"
    b.send_command("SUBSCRIBE", "trickle")
    assert b.read() == [b"subscribe", b"trickle", 1]
    small = [RawConnection(server.host, server.port) for _ in range(3)]
    for i, s in enumerate(small):
        assert s.call("CLIENT", "SETNAME", f"small{i}") == b"OK"

    def omem(name):
        return int(clients(r)[name]["omem"])

    publish_until(r, "trickle", b"z" * 16000, lambda: omem("protected") > 1_000_000, 20000, 20)
    publish_until(r, "bulk", b"z" * 16000, lambda: omem("evictable") > 8_000_000, 20000, 20)
    # With several threads, messages may still be on their way to a subscriber's loop: wait
    # until what both hold stops moving.
    last = None
    for _ in range(100):
        cl = clients(r)
        now = (cl["evictable"]["tot-mem"], cl["protected"]["tot-mem"])
        if now == last:
            break
        last = now
        time.sleep(0.1)
    ta, tb = int(now[0]), int(now[1])
    # Room for the protected client's buffer to double (a late message) without going over.
    limit = 2 * tb + 1_000_000
    assert ta > limit
    # Over the limit with both; under it once the biggest evictable one is gone.
    r.config_set("maxmemory-clients", str(limit))
    wait_until(lambda: "evictable" not in clients(r), msg="evictable client evicted")
    time.sleep(0.3)
    cl = clients(r)
    assert "protected" in cl
    for i in range(3):
        assert f"small{i}" in cl, server.log()
        assert small[i].call("PING") == b"PONG"
    assert int(r.info("stats")["evicted_clients"]) == before + 1
    assert closed_by_server(a)
    # The NO-EVICT client is spared even when it alone is over the limit.
    r.config_set("maxmemory-clients", str(max(tb // 2, 200_000)))
    time.sleep(0.5)
    cl = clients(r)
    assert "protected" in cl
    r.config_set("maxmemory-clients", "0")
    r.execute_command("CLIENT", "NO-EVICT", "off")
    for s in small:
        s.close()
    a.close()
    b.close()
