"""Client-side caching: CLIENT TRACKING and its invalidation messages (Redis 7.2's tracking.c).

RESP3 clients get `>2 invalidate [keys]` pushes on their own connection; REDIRECT sends them to
another client, as a Pub/Sub message on __redis__:invalidate to a RESP2 subscriber. Checked
against Redis 7.2.6 too (WEIR_BIN=.../redis-server).
"""

import socket
import time

import pytest

from conftest import Push, RespError, timeout, wait_until


@pytest.fixture
def resp3(r, raw):
    """A RESP3 raw connection on a FLUSHALLed server."""

    def make():
        conn = raw()
        assert conn.call("HELLO", "3")[b"proto"] == 3
        return conn

    return make


def no_more_data(conn, seconds=0.2):
    """True when nothing arrives on conn for a little while."""
    conn._compact()
    if conn.buf:
        return False
    conn.sock.settimeout(seconds)
    try:
        chunk = conn.sock.recv(1 << 16)
    except socket.timeout:
        return True
    finally:
        conn.sock.settimeout(timeout(15))
    conn.buf += chunk
    return not chunk


def subscriber(raw):
    """A RESP2 client subscribed to __redis__:invalidate, and its id."""
    sub = raw()
    sub_id = sub.call("CLIENT", "ID")
    assert sub.call("SUBSCRIBE", "__redis__:invalidate") == [b"subscribe", b"__redis__:invalidate", 1]
    return sub, sub_id


def test_default_mode_invalidates_read_keys_once(resp3, raw):
    c = resp3()
    w = raw()
    assert c.call("CLIENT", "TRACKING", "ON") == b"OK"
    w.call("SET", "k1", "v")
    w.call("SET", "k2", "v")
    assert c.call("GET", "k1") == b"v"
    w.call("SET", "k2", "x")  # never read: no message
    w.call("SET", "k1", "x")
    assert c.read() == Push([b"invalidate", [b"k1"]])
    w.call("SET", "k1", "y")  # forgotten after the first invalidation
    assert c.call("PING") == b"PONG"
    assert no_more_data(c)


def test_own_write_invalidation_follows_reply(resp3):
    c = resp3()
    c.call("CLIENT", "TRACKING", "ON")
    c.call("HSET", "h", "f", "1")
    assert c.call("HGET", "h", "f") == b"1"
    # Our own write: the reply first, then the push.
    assert c.call("HDEL", "h", "f") == 1
    assert c.read() == Push([b"invalidate", [b"h"]])


def test_invalidation_after_transaction_reply(resp3):
    c = resp3()
    c.call("CLIENT", "TRACKING", "ON")
    c.call("MSET", "a{t}", "1", "b{t}", "2")
    c.call("GET", "a{t}")
    c.call("MULTI")
    c.call("INCR", "a{t}")
    c.call("GET", "b{t}")
    assert c.call("EXEC") == [2, b"2"]
    assert c.read() == Push([b"invalidate", [b"a{t}"]])


def test_noloop_skips_own_writes(resp3, raw):
    c = resp3()
    w = raw()
    c.call("CLIENT", "TRACKING", "ON", "NOLOOP")
    c.call("MGET", "a{t}", "b{t}")
    assert c.call("SET", "a{t}", "1") == b"OK"
    w.call("SET", "b{t}", "1")
    assert c.read() == Push([b"invalidate", [b"b{t}"]])
    assert c.call("PING") == b"PONG"


def test_bcast_prefixes_batch_per_prefix(resp3, raw):
    c = resp3()
    w = raw()
    assert c.call("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a:", "PREFIX", "b:") == b"OK"
    w.call("MSET", "a:1{t}", "1", "a:2{t}", "2", "b:1{t}", "3", "c:1{t}", "4")
    got = sorted([c.read(), c.read()], key=lambda m: m[1])
    assert got == [Push([b"invalidate", [b"a:1{t}", b"a:2{t}"]]),
                   Push([b"invalidate", [b"b:1{t}"]])]
    w.call("SET", "c:2", "x")  # no matching prefix
    assert c.call("PING") == b"PONG"
    info = c.call("CLIENT", "TRACKINGINFO")
    assert info[b"flags"] == {b"on", b"bcast"}
    assert info[b"prefixes"] == [b"a:", b"b:"]


def test_bcast_empty_prefix_and_noloop(resp3, raw):
    c = resp3()
    w = raw()
    c.call("CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP")
    c.call("SET", "mine", "1")  # NOLOOP: not told about its own write
    w.call("SET", "theirs", "1")
    assert c.read() == Push([b"invalidate", [b"theirs"]])
    assert c.call("PING") == b"PONG"


def test_bcast_expired_key(resp3, raw):
    c = resp3()
    c.call("CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP", "PREFIX", "exp")
    c.call("SET", "expkey", "v", "PX", "1")
    # Expiry is no client's write: NOLOOP does not hide it.
    assert c.read() == Push([b"invalidate", [b"expkey"]])


def test_prefix_errors(resp3):
    c = resp3()
    assert c.error("CLIENT", "TRACKING", "ON", "PREFIX", "a") == \
        "ERR PREFIX option requires BCAST mode to be enabled"
    assert c.error("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "FOOBAR", "PREFIX", "FOO") == \
        ("ERR Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'. "
         "Prefixes for a single client must not overlap.")
    c.call("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "FOO", "PREFIX", "BAR")
    assert c.error("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "FO") == \
        ("ERR Prefix 'FO' overlaps with an existing prefix 'FOO'. "
         "Prefixes for a single client must not overlap.")
    assert c.error("CLIENT", "TRACKING", "ON") == \
        ("ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
         "and then re-enabling it with a different mode.")
    assert c.error("CLIENT", "TRACKING", "ON", "BCAST", "OPTIN") == \
        "ERR OPTIN and OPTOUT are not compatible with BCAST"
    c.call("CLIENT", "TRACKING", "OFF")
    assert c.error("CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT") == \
        "ERR You can't specify both OPTIN mode and OPTOUT mode"
    c.call("CLIENT", "TRACKING", "ON", "OPTIN")
    assert c.error("CLIENT", "TRACKING", "ON", "OPTOUT") == \
        ("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
         "and then re-enabling it with a different mode.")
    assert c.error("CLIENT", "TRACKING", "ON", "REDIRECT", "999999") == \
        "ERR The client ID you want redirect to does not exist"
    assert c.error("CLIENT", "TRACKING", "ON", "REDIRECT", "x") == \
        "ERR value is not an integer or out of range"
    assert c.error("CLIENT", "TRACKING", "ON", "BOGUS") == "ERR syntax error"
    assert c.error("CLIENT", "TRACKING", "MAYBE") == "ERR syntax error"
    assert c.error("CLIENT", "CACHING", "NO") == \
        "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
    c.call("CLIENT", "TRACKING", "OFF")
    assert c.error("CLIENT", "CACHING", "YES") == \
        ("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN "
         "or OPTOUT mode enabled")


def test_optin(resp3, raw):
    c = resp3()
    w = raw()
    c.call("CLIENT", "TRACKING", "ON", "OPTIN")
    c.call("GET", "k1")  # not cached without CLIENT CACHING yes
    assert c.call("CLIENT", "CACHING", "YES") == b"OK"
    assert c.call("CLIENT", "TRACKINGINFO")[b"flags"] == {b"on", b"optin", b"caching-yes"}
    c.call("GET", "k2")
    c.call("GET", "k3")  # CACHING yes held for one command only
    w.call("SET", "k1", "x")
    w.call("SET", "k3", "x")
    w.call("SET", "k2", "x")
    assert c.read() == Push([b"invalidate", [b"k2"]])
    assert c.call("PING") == b"PONG"
    assert no_more_data(c)


def test_optout(resp3, raw):
    c = resp3()
    w = raw()
    c.call("CLIENT", "TRACKING", "ON", "OPTOUT")
    assert c.call("CLIENT", "CACHING", "NO") == b"OK"
    c.call("GET", "k1")  # not cached
    c.call("GET", "k2")
    w.call("SET", "k1", "x")
    w.call("SET", "k2", "x")
    assert c.read() == Push([b"invalidate", [b"k2"]])


def test_redirect_to_resp2_subscriber(r, raw):
    sub, sub_id = subscriber(raw)
    c = raw()
    assert c.call("CLIENT", "TRACKING", "ON", "REDIRECT", str(sub_id)) == b"OK"
    assert c.call("CLIENT", "GETREDIR") == sub_id
    c.call("SET", "a{t}", "1")
    c.call("SET", "b{t}", "1")
    c.call("GET", "a{t}")
    c.call("INCR", "b{t}")
    c.call("INCR", "a{t}")
    assert sub.read() == [b"message", b"__redis__:invalidate", [b"a{t}"]]
    # CLIENT LIST shows the tracking flag and the redirection.
    line = c.call("CLIENT", "INFO").decode()
    assert " flags=t " in line and f" redir={sub_id} " in line


def test_redirect_to_resp3_client(r, raw, resp3):
    target = resp3()
    target_id = target.call("CLIENT", "ID")
    c = raw()
    c.call("CLIENT", "TRACKING", "ON", "REDIRECT", str(target_id))
    c.call("GET", "k")
    c.call("SET", "k", "1")
    assert target.read() == Push([b"invalidate", [b"k"]])


def test_redirect_broken(resp3, raw):
    sub, sub_id = subscriber(raw)
    c = resp3()
    w = raw()
    c.call("CLIENT", "TRACKING", "ON", "REDIRECT", str(sub_id))
    c.call("GET", "k")
    assert sub.call("QUIT") == b"OK"
    sub.read_until_closed()
    w.call("SET", "k", "2")
    assert c.read() == Push([b"tracking-redir-broken", sub_id])
    info = c.call("CLIENT", "TRACKINGINFO")
    assert info[b"flags"] == {b"on", b"broken_redirect"}
    assert info[b"redirect"] == sub_id
    line = c.call("CLIENT", "INFO").decode()
    assert " flags=tR " in line


@pytest.mark.parametrize("cmd", [("FLUSHALL",), ("FLUSHDB",), ("FLUSHALL", "ASYNC")])
def test_flush_sends_null(resp3, raw, cmd):
    sub, sub_id = subscriber(raw)
    c = raw()
    c.call("CLIENT", "TRACKING", "ON", "REDIRECT", str(sub_id))
    c.call("GET", "k1")
    c.call("GET", "k2")
    info = c.call("INFO", "stats").decode()
    assert "tracking_total_keys:2\r\n" in info
    w = raw()
    assert w.call(*cmd) == b"OK"
    assert sub.read() == [b"message", b"__redis__:invalidate", None]
    info = c.call("INFO", "stats").decode()
    assert "tracking_total_keys:0\r\n" in info


def test_flush_in_transaction_null_after_reply(resp3):
    c = resp3()
    c.call("CLIENT", "TRACKING", "ON")
    c.call("SET", "a", "1")
    c.call("GET", "a")
    c.call("MULTI")
    c.call("FLUSHDB")
    assert c.call("EXEC") == [b"OK"]
    assert c.read() == Push([b"invalidate", None])


def test_tracking_table_max_keys(r, raw, set_config):
    sub, sub_id = subscriber(raw)
    c = raw()
    c.call("CLIENT", "TRACKING", "ON", "REDIRECT", str(sub_id))
    n = 250
    c.pipeline([("GET", f"key{i}") for i in range(n)])
    assert f"tracking_total_keys:{n}\r\n" in c.call("INFO", "stats").decode()
    set_config("tracking-table-max-keys", "1")
    seen = set()
    for _ in range(n - 1):
        msg = sub.read()
        assert msg[:2] == [b"message", b"__redis__:invalidate"]
        seen.update(msg[2])
    assert len(seen) == n - 1
    assert sub.call("PING") == [b"pong", b""]
    assert "tracking_total_keys:1\r\n" in c.call("INFO", "stats").decode()


def test_info_and_client_list(r, raw, resp3):
    a = raw()
    b = raw()
    a.call("CLIENT", "TRACKING", "ON")
    a.call("GET", "key1")
    a.call("GET", "key2")
    b.call("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "prefix:")
    info = a.call("INFO").decode()
    assert "tracking_clients:2\r\n" in info
    assert "tracking_total_keys:2\r\n" in info
    assert "tracking_total_items:2\r\n" in info
    assert "tracking_total_prefixes:1\r\n" in info
    assert " flags=tB " in b.call("CLIENT", "INFO").decode()
    assert " redir=0 " in b.call("CLIENT", "INFO").decode()
    b.call("CLIENT", "TRACKING", "OFF")
    assert " flags=N " in b.call("CLIENT", "INFO").decode()
    assert " redir=-1 " in b.call("CLIENT", "INFO").decode()
    b.close()
    a.call("RESET")
    assert r.info("clients")["tracking_clients"] == 0


def test_trackinginfo_and_getredir(raw):
    c = raw()
    assert c.call("CLIENT", "TRACKINGINFO") == [b"flags", [b"off"], b"redirect", -1, b"prefixes", []]
    assert c.call("CLIENT", "GETREDIR") == -1
    c.call("CLIENT", "TRACKING", "ON", "NOLOOP")
    assert c.call("CLIENT", "GETREDIR") == 0
    assert c.call("CLIENT", "TRACKINGINFO") == \
        [b"flags", [b"on", b"noloop"], b"redirect", 0, b"prefixes", []]
    c.call("CLIENT", "TRACKING", "OFF")
    c.call("CLIENT", "TRACKING", "ON", "BCAST")
    assert c.call("CLIENT", "TRACKINGINFO")[5] == [b""]


def test_script_reads_are_tracked(resp3, raw):
    c = resp3()
    w = raw()
    c.call("CLIENT", "TRACKING", "ON")
    # A script that only writes tracks nothing; one that reads tracks what it read.
    c.call("EVAL", "redis.call('set', 'k3{t}', 'bar')", "2", "k1{t}", "k2{t}")
    w.call("MSET", "k1{t}", "2", "k2{t}", "2")
    assert c.call("PING") == b"PONG"
    c.call("EVAL", "return redis.call('get', 'k2{t}')", "2", "k1{t}", "k2{t}")
    w.call("MSET", "k1{t}", "3", "k2{t}", "3")
    assert c.read() == Push([b"invalidate", [b"k2{t}"]])
    assert c.call("PING") == b"PONG"


def test_unblocked_client_gets_invalidation_after_reply(resp3, raw):
    c = resp3()
    w = raw()
    w.call("RPUSH", "list2{t}", "a")
    c.call("CLIENT", "TRACKING", "ON")
    c.call("LRANGE", "list2{t}", "0", "-1")
    c.send_command("BLMOVE", "list1{t}", "list2{t}", "LEFT", "LEFT", "0")
    wait_until(lambda: w.call("INFO", "clients").decode().find("blocked_clients:1\r\n") >= 0)
    w.call("RPUSH", "list1{t}", "foo")
    assert c.read() == b"foo"
    assert c.read() == Push([b"invalidate", [b"list2{t}"]])


def test_many_clients_across_threads(r, raw, resp3):
    clients = [resp3() for _ in range(8)]
    for i, c in enumerate(clients):
        c.call("CLIENT", "TRACKING", "ON")
        c.call("GET", "shared")
        c.call("GET", f"own{i}")
    w = raw()
    w.call("SET", "shared", "1")
    for i, c in enumerate(clients):
        assert c.read() == Push([b"invalidate", [b"shared"]])
        w.call("SET", f"own{i}", "1")
        assert c.read() == Push([b"invalidate", [f"own{i}".encode()]])
    for c in clients:
        c.close()
    wait_until(lambda: r.info("clients")["tracking_clients"] == 0)
