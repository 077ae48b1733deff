"""Pub/Sub over the wire: classic, pattern and shard channels with redis-py and
raw RESP2/RESP3 connections, subscribed mode, PUBSUB introspection, delivery
across event-loop threads without loss, duplication or reordering, and the
messenger team's pattern (seed 004): presence keys whose expiry is announced,
chat messages fanned out to several backend instances, a subscriber that
reconnects and resubscribes."""

import re
import selectors
import threading
import time

import pytest
import redis

from conftest import Push, RespError, encode_command, timeout, wait_until


def next_message(ps, seconds=5.0):
    """The next message (not a subscription confirmation) on a redis-py PubSub."""
    deadline = time.monotonic() + timeout(seconds)
    while time.monotonic() < deadline:
        m = ps.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if m is not None:
            return m
    pytest.fail("no message arrived")


# ---- redis-py ---------------------------------------------------------------


def test_subscribe_publish_get_message(r, connect):
    ps = connect().pubsub()
    ps.subscribe("news", "sport")
    assert ps.get_message(timeout=timeout(2)) == {
        "type": "subscribe", "pattern": None, "channel": b"news", "data": 1}
    assert ps.get_message(timeout=timeout(2))["data"] == 2
    assert r.publish("news", "hello") == 1
    assert r.publish("nobody", "x") == 0
    m = next_message(ps)
    assert (m["type"], m["channel"], m["data"]) == ("message", b"news", b"hello")
    ps.unsubscribe("news")
    assert ps.get_message(timeout=timeout(2)) == {
        "type": "unsubscribe", "pattern": None, "channel": b"news", "data": 1}
    assert r.publish("news", "gone") == 0
    ps.close()


def test_pattern_subscription_and_receiver_count(r, connect):
    ps = connect().pubsub()
    ps.psubscribe("chat.*", "chat.?oom")
    ps.subscribe("chat.room")
    for _ in range(3):
        assert ps.get_message(timeout=timeout(2)) is not None
    # One channel subscriber and two matching patterns: three receivers, as Redis counts.
    assert r.publish("chat.room", "hi") == 3
    got = sorted((m["type"], m["pattern"]) for m in (next_message(ps) for _ in range(3)))
    assert got == [("message", None), ("pmessage", b"chat.*"), ("pmessage", b"chat.?oom")]
    assert r.publish("chat.lobby", "x") == 1
    m = next_message(ps)
    assert (m["type"], m["pattern"], m["channel"], m["data"]) == (
        "pmessage", b"chat.*", b"chat.lobby", b"x")
    assert r.pubsub_numpat() == 2
    ps.close()


def test_glob_rules_of_patterns(r, connect):
    ps = connect().pubsub()
    ps.psubscribe("a[bc]d", r"e\*f", "g[^x]h")
    for _ in range(3):
        ps.get_message(timeout=timeout(2))
    assert r.publish("abd", "1") == 1
    assert r.publish("aed", "1") == 0
    assert r.publish("e*f", "1") == 1
    assert r.publish("eXf", "1") == 0
    assert r.publish("gyh", "1") == 1
    assert r.publish("gxh", "1") == 0
    ps.close()


def test_listen_and_run_in_thread(r, connect):
    ps = connect().pubsub()
    received = []
    done = threading.Event()

    def handler(m):
        received.append(m["data"])
        if len(received) == 100:
            done.set()

    ps.subscribe(**{"events": handler})
    worker = ps.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        wait_until(lambda: r.pubsub_numsub("events")[0][1] == 1, msg="subscription")
        for i in range(100):
            r.publish("events", str(i))
        assert done.wait(timeout(10))
        assert received == [str(i).encode() for i in range(100)]
    finally:
        worker.stop()
        worker.join(timeout(5))
        ps.close()


def test_pubsub_introspection(r, connect):
    a, b = connect().pubsub(), connect().pubsub()
    a.subscribe("c1", "c2")
    b.subscribe("c2")
    b.psubscribe("p*")
    for ps, n in ((a, 2), (b, 2)):
        for _ in range(n):
            ps.get_message(timeout=timeout(2))
    wait_until(lambda: r.pubsub_numpat() == 1, msg="pattern")
    assert sorted(r.pubsub_channels()) == [b"c1", b"c2"]
    assert r.pubsub_channels("*1") == [b"c1"]
    assert r.pubsub_numsub("c1", "c2", "c3") == [(b"c1", 1), (b"c2", 2), (b"c3", 0)]
    a.close()
    b.close()
    wait_until(lambda: r.pubsub_channels() == [] and r.pubsub_numpat() == 0,
               msg="a disconnect to leave nothing behind")
    help_lines = r.execute_command("PUBSUB", "HELP")
    assert help_lines[0].startswith(b"PUBSUB <subcommand>")
    with pytest.raises(redis.ResponseError, match="unknown subcommand"):
        r.execute_command("PUBSUB", "NOPE")


# ---- raw RESP2 --------------------------------------------------------------


def test_resp2_subscribed_mode(raw):
    c = raw()
    c.send_command("SUBSCRIBE", "a", "b")
    assert c.read() == [b"subscribe", b"a", 1]
    assert c.read() == [b"subscribe", b"b", 2]
    assert c.call("GET", "k") == RespError(
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
        "are allowed in this context")
    assert c.call("PING") == [b"pong", b""]
    assert c.call("PING", "hi") == [b"pong", b"hi"]
    c.send_command("PSUBSCRIBE", "x*")
    assert c.read() == [b"psubscribe", b"x*", 3]
    c.send_command("UNSUBSCRIBE")
    got = sorted([c.read(), c.read()])
    assert got == [[b"unsubscribe", b"a", 2], [b"unsubscribe", b"b", 1]] or \
        got == [[b"unsubscribe", b"a", 1], [b"unsubscribe", b"b", 2]]
    c.send_command("PUNSUBSCRIBE")
    assert c.read() == [b"punsubscribe", b"x*", 0]
    # Out of subscribed mode: everything runs again.
    assert c.call("PING") == b"PONG"
    c.send_command("UNSUBSCRIBE")
    assert c.read() == [b"unsubscribe", None, 0]


def test_reset_leaves_subscribed_mode(r, raw):
    c = raw()
    c.send_command("SUBSCRIBE", "a")
    c.read()
    c.send_command("PSUBSCRIBE", "z*")
    c.read()
    assert c.call("RESET") == b"RESET"
    assert c.call("PING") == b"PONG"
    assert r.publish("a", "x") == 0
    assert r.pubsub_numpat() == 0


def test_client_reply_off_still_gets_messages(r, raw):
    c = raw()
    c.send_command("CLIENT", "REPLY", "OFF")
    c.send_command("SUBSCRIBE", "a")
    # The confirmation and the messages are pushes: REPLY OFF does not silence them.
    assert c.read() == [b"subscribe", b"a", 1]
    r.publish("a", "m")
    assert c.read() == [b"message", b"a", b"m"]


def test_shard_channels(r, raw):
    sub = raw()
    sub.send_command("SSUBSCRIBE", "orders")
    assert sub.read() == [b"ssubscribe", b"orders", 1]
    # Shard and classic channels are separate namespaces.
    assert r.publish("orders", "x") == 0
    assert r.execute_command("SPUBLISH", "orders", "o1") == 1
    assert sub.read() == [b"smessage", b"orders", b"o1"]
    assert r.execute_command("PUBSUB", "SHARDCHANNELS") == [b"orders"]
    assert r.execute_command("PUBSUB", "SHARDNUMSUB", "orders", "x") == [b"orders", 1, b"x", 0]
    assert r.execute_command("PUBSUB", "CHANNELS") == []
    # Subscribed mode holds for shard subscriptions too.
    assert sub.call("GET", "k").__class__ is RespError
    sub.send_command("SUNSUBSCRIBE")
    assert sub.read() == [b"sunsubscribe", b"orders", 0]
    assert r.execute_command("SPUBLISH", "orders", "o2") == 0


def test_ssubscribe_refused_inside_multi(raw):
    c = raw()
    assert c.call("MULTI") == b"OK"
    assert c.call("SSUBSCRIBE", "orders") == b"QUEUED"
    assert c.call("EXEC") == [
        RespError("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")]
    assert c.call("PING") == b"PONG"  # not subscribed


# ---- raw RESP3 --------------------------------------------------------------


def test_resp3_pushes_interleave_with_replies(r, raw):
    c = raw()
    c.call("HELLO", "3")
    c.send_command("SUBSCRIBE", "ch")
    assert c.read() == Push([b"subscribe", b"ch", 1])
    assert c.call("SET", "k", "v") == b"OK"
    r.publish("ch", "m1")
    assert c.read() == Push([b"message", b"ch", b"m1"])
    assert c.call("GET", "k") == b"v"
    # A message to itself arrives after the reply of the command that published it.
    c.send_command("PUBLISH", "ch", "self")
    assert c.read() == 1
    assert c.read() == Push([b"message", b"ch", b"self"])
    # ... and after the whole EXEC reply.
    c.send_command("MULTI")
    c.send_command("PING", "abc")
    c.send_command("PUBLISH", "ch", "bar")
    c.send_command("EXEC")
    assert c.read() == b"OK"
    assert c.read() == b"QUEUED"
    assert c.read() == b"QUEUED"
    assert c.read() == [b"abc", 1]
    assert c.read() == Push([b"message", b"ch", b"bar"])


def test_resp3_numsub_is_a_flat_array(raw):
    c = raw()
    c.call("HELLO", "3")
    assert c.call("PUBSUB", "NUMSUB", "a", "b") == [b"a", 0, b"b", 0]


# ---- fan-out across threads ---------------------------------------------------


MESSAGE = re.compile(rb"\*3\r\n\$7\r\nmessage\r\n\$(\d+)\r\n([^\r]*)\r\n\$\d+\r\n(\d+)\r\n")


def test_fanout_50_subscribers_no_loss_no_reorder(server, r, raw):
    """One publisher, 50 subscribers (spread over the threads by the kernel), 100,000
    messages on two channels: every subscriber gets each message of a channel exactly once
    and in publish order."""
    n = 10_000 if timeout(1) > 1 else 100_000
    subs = []
    for _ in range(50):
        s = raw()
        s.send_command("SUBSCRIBE", "ch0", "ch1")
        assert s.read() == [b"subscribe", b"ch0", 1]
        assert s.read() == [b"subscribe", b"ch1", 2]
        subs.append(s)
    assert r.pubsub_numsub("ch0")[0][1] == 50
    sel = selectors.DefaultSelector()
    for i, s in enumerate(subs):
        s.sock.setblocking(False)
        sel.register(s.sock, selectors.EVENT_READ, i)
    received = [bytearray() for _ in subs]
    publisher = raw()
    batch = 1000
    sent = 0
    expected_bytes = None
    while sent < n:
        cmds = b"".join(encode_command("PUBLISH", f"ch{i % 2}", str(i))
                        for i in range(sent, min(n, sent + batch)))
        publisher.send(cmds)
        for _ in range(min(batch, n - sent)):
            assert publisher.read() == 50
        sent += batch
        for key, _ in sel.select(timeout=0):
            received[key.data] += key.fileobj.recv(1 << 20)
    expected_bytes = sum(len(b"*3\r\n$7\r\nmessage\r\n$3\r\nch0\r\n$%d\r\n%d\r\n" % (len(str(i)), i))
                         for i in range(n))
    deadline = time.monotonic() + timeout(60)
    while any(len(b) < expected_bytes for b in received):
        assert time.monotonic() < deadline, "messages were lost"
        for key, _ in sel.select(timeout=0.5):
            received[key.data] += key.fileobj.recv(1 << 20)
    for buf in received:
        assert len(buf) == expected_bytes, "a subscriber got more or less than it should"
        per_channel = {b"ch0": [], b"ch1": []}
        for m in MESSAGE.finditer(buf):
            per_channel[m.group(2)].append(int(m.group(3)))
        assert per_channel[b"ch0"] == list(range(0, n, 2))
        assert per_channel[b"ch1"] == list(range(1, n, 2))


def test_publishers_on_many_threads(server, r, connect):
    """Four publishers on their own connections; each subscriber sees each publisher's
    messages in that publisher's order."""
    ps = connect().pubsub()
    ps.subscribe("multi")
    ps.get_message(timeout=timeout(2))
    per = 2000

    def publish(tag):
        c = server.client()
        p = c.pipeline(transaction=False)
        for i in range(per):
            p.publish("multi", f"{tag}:{i}")
        p.execute()
        c.connection_pool.disconnect()

    threads = [threading.Thread(target=publish, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seen = {t: [] for t in range(4)}
    for _ in range(4 * per):
        tag, i = next_message(ps)["data"].split(b":")
        seen[int(tag)].append(int(i))
    for t in range(4):
        assert seen[t] == list(range(per))
    ps.close()


# ---- the messenger team's pattern (seed 004) ---------------------------------


def test_messenger_presence_expiry_and_chat_fanout(r, connect, set_config):
    """Presence keys with a TTL whose expiry the backends hear about, chat messages fanned
    out to every backend instance, and a backend that reconnects and resubscribes."""
    set_config("notify-keyspace-events", "Ex")
    backends = [connect().pubsub() for _ in range(3)]
    for b in backends:
        b.subscribe("chat:room:1")
        b.psubscribe("__keyevent@0__:expired")
        b.get_message(timeout=timeout(2))
        b.get_message(timeout=timeout(2))
    r.sadd("online:users", "alice", "bob")
    r.set("online:alice", 1, px=100)
    r.set("online:bob", 1, ex=90)
    assert r.publish("chat:room:1", "alice: hi") == 3
    for b in backends:
        m = next_message(b)
        assert (m["channel"], m["data"]) == (b"chat:room:1", b"alice: hi")
    # alice's presence expires (active expiry, no client touching it): every backend hears it.
    for b in backends:
        m = next_message(b, seconds=10)
        assert (m["type"], m["channel"], m["data"]) == (
            "pmessage", b"__keyevent@0__:expired", b"online:alice")
    r.srem("online:users", "alice")
    assert r.smembers("online:users") == {b"bob"}
    # A backend drops its connection and comes back: it gets what is published afterwards.
    backends[0].close()
    wait_until(lambda: r.pubsub_numsub("chat:room:1")[0][1] == 2, msg="the disconnect")
    again = connect().pubsub()
    again.subscribe("chat:room:1")
    again.get_message(timeout=timeout(2))
    assert r.publish("chat:room:1", "bob: back?") == 3
    assert next_message(again)["data"] == b"bob: back?"
    for b in backends[1:] + [again]:
        b.close()
