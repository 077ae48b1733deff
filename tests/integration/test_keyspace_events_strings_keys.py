"""Keyspace notifications (notify-keyspace-events) of the string, bit, HyperLogLog, SORT STORE
and generic key commands: the event names, their classes, the order of the events of one
command, the __keyspace@<db>__ / __keyevent@<db>__ channels, 'n' (new) and 'x' (expired), and
that a write that changes nothing (or a class that is off) announces nothing. Written against
Redis 7.2.6.

Every check subscribes a raw connection to __key*__:* and to a sentinel channel; after the
commands under test it PUBLISHes to the sentinel, so the events collected are exactly those
the commands caused (their messages arrive before the sentinel's)."""

import time

import pytest

from conftest import IS_WEIR, RawConnection, wait_until

SENTINEL = "kse-sentinel"


class Events:
    """A subscriber to every keyspace and keyevent channel."""

    def __init__(self, conn):
        self.conn = conn
        conn.send_command("PSUBSCRIBE", "__key*__:*")
        assert conn.read() == [b"psubscribe", b"__key*__:*", 1]
        conn.send_command("SUBSCRIBE", SENTINEL)
        assert conn.read() == [b"subscribe", SENTINEL.encode(), 2]

    def raw(self, r):
        """The (channel, payload) messages published since the last call."""
        assert r.publish(SENTINEL, "end") == 1
        out = []
        while True:
            msg = self.conn.read()
            if msg[0] == b"message":
                assert msg[1] == SENTINEL.encode(), msg
                return out
            assert msg[0] == b"pmessage" and msg[1] == b"__key*__:*", msg
            out.append((msg[2].decode(), msg[3].decode()))

    def events(self, r, db=0):
        """With K and E both on: the (event, key) pairs, checking that every event came as a
        keyspace message followed by its keyevent message, all in database db."""
        msgs = self.raw(r)
        assert len(msgs) % 2 == 0, msgs
        out = []
        for i in range(0, len(msgs), 2):
            (space_ch, event), (event_ch, key) = msgs[i], msgs[i + 1]
            assert space_ch == f"__keyspace@{db}__:{key}", msgs
            assert event_ch == f"__keyevent@{db}__:{event}", msgs
            out.append((event, key))
        return out


@pytest.fixture
def ev(r, raw, set_config):
    set_config("notify-keyspace-events", "KEA")
    return Events(raw())


@pytest.fixture
def evn(r, raw, set_config):
    """As ev, with 'n' (new key) events too."""
    set_config("notify-keyspace-events", "KEAn")
    return Events(raw())


# ------------------------------------------------------------ configuration, channels, classes


def test_nothing_published_when_off(r, raw, set_config):
    set_config("notify-keyspace-events", "")
    e = Events(raw())
    r.set("k", "v")
    r.expire("k", 100)
    r.delete("k")
    assert e.raw(r) == []


def test_keyspace_and_keyevent_channels(r, raw, set_config):
    set_config("notify-keyspace-events", "K$")
    e = Events(raw())
    r.set("k", "v")
    assert e.raw(r) == [("__keyspace@0__:k", "set")]
    set_config("notify-keyspace-events", "E$")
    r.set("k", "v")
    assert e.raw(r) == [("__keyevent@0__:set", "k")]
    set_config("notify-keyspace-events", "KE$")
    r.set("k", "v")
    assert e.raw(r) == [("__keyspace@0__:k", "set"), ("__keyevent@0__:set", "k")]


def test_classes_without_k_or_e_publish_nothing(r, raw, set_config):
    set_config("notify-keyspace-events", "A")
    e = Events(raw())
    r.set("k", "v")
    r.delete("k")
    assert e.raw(r) == []


def test_class_off_publishes_nothing(r, raw, set_config):
    # String writes on, generic off: SET EX announces "set" but not its "expire".
    set_config("notify-keyspace-events", "KE$")
    e = Events(raw())
    r.set("k", "v", ex=100)
    r.expire("k", 200)
    r.persist("k")
    r.delete("k")
    assert e.events(r) == [("set", "k")]
    # Generic on, string off.
    set_config("notify-keyspace-events", "KEg")
    r.set("k", "v", ex=100)
    r.incr("n")
    r.append("k", "x")
    r.rename("k", "k2")
    r.delete("k2", "n")
    assert e.events(r) == [("expire", "k"), ("rename_from", "k"), ("rename_to", "k2"),
                           ("del", "k2"), ("del", "n")]
    # List class only: SORT ... STORE announces "sortstore" (a list event).
    r.rpush("l", 3, 1, 2)
    set_config("notify-keyspace-events", "KEl")
    r.sort("l", store="dst")
    r.set("s", "v")
    assert e.events(r) == [("sortstore", "dst")]
    set_config("notify-keyspace-events", "KE$g")
    r.sort("l", store="dst")
    assert e.events(r) == []


def test_new_only_with_n(r, raw, set_config):
    set_config("notify-keyspace-events", "KEn")
    e = Events(raw())
    r.set("k", "v")
    r.set("k", "w")
    r.delete("k")
    r.mset({"a": 1, "b": 2})
    assert e.events(r) == [("new", "k"), ("new", "a"), ("new", "b")]
    # 'A' does not include 'n'.
    set_config("notify-keyspace-events", "KEA")
    r.set("c", "v")
    assert e.events(r) == [("set", "c")]
    # 'n' next to 'A' still announces "new". Redis's CONFIG GET hides the 'n' ("AKE"), Weir's
    # shows it (docs/compatibility.md).
    set_config("notify-keyspace-events", "KEAn")
    shown = r.config_get("notify-keyspace-events")["notify-keyspace-events"]
    assert shown == ("AnKE" if IS_WEIR else "AKE")
    r.set("d", "v")
    assert e.events(r) == [("new", "d"), ("set", "d")]
    set_config("notify-keyspace-events", "KEn$")
    assert r.config_get("notify-keyspace-events") == {"notify-keyspace-events": "$nKE"}


def test_events_in_other_database(r, raw, set_config):
    set_config("notify-keyspace-events", "KEA")
    e = Events(raw())
    c = raw()
    assert c.call("SELECT", 3) == b"OK"
    assert c.call("SET", "k", "v") == b"OK"
    assert c.call("DEL", "k") == 1
    assert e.events(r, db=3) == [("set", "k"), ("del", "k")]


# ------------------------------------------------------------ SET family


def test_set(evn, r):
    r.set("k", "v")
    assert evn.events(r) == [("new", "k"), ("set", "k")]
    r.set("k", "w")
    assert evn.events(r) == [("set", "k")]
    r.set("k", "x", ex=100)
    assert evn.events(r) == [("set", "k"), ("expire", "k")]
    r.set("k", "y", keepttl=True)
    assert evn.events(r) == [("set", "k")]
    r.set("k2", "v", px=100000)
    assert evn.events(r) == [("new", "k2"), ("set", "k2"), ("expire", "k2")]
    r.set("k2", "v", exat=int(time.time()) + 100)
    r.set("k2", "v", pxat=int(time.time() * 1000) + 100000)
    assert evn.events(r) == [("set", "k2"), ("expire", "k2")] * 2
    assert r.set("k", "z", get=True) == b"y"
    assert evn.events(r) == [("set", "k")]


def test_set_that_writes_nothing(ev, r):
    r.set("k", "v")
    ev.events(r)
    assert r.set("k", "w", nx=True) is None
    assert r.set("missing", "w", xx=True) is None
    assert r.set("k", "w", nx=True, get=True) == b"v"
    r.lpush("list", "a")
    ev.events(r)
    with pytest.raises(Exception):
        r.set("list", "w", get=True)
    with pytest.raises(Exception):
        r.set("k", "w", ex=0)
    assert ev.events(r) == []


def test_setnx_setex_psetex(evn, r):
    assert r.setnx("k", "v") is True
    assert evn.events(r) == [("new", "k"), ("set", "k")]
    assert r.setnx("k", "w") is False
    assert evn.events(r) == []
    r.setex("k", 100, "v")
    assert evn.events(r) == [("set", "k"), ("expire", "k")]
    r.psetex("p", 100000, "v")
    assert evn.events(r) == [("new", "p"), ("set", "p"), ("expire", "p")]


def test_getset_getdel(evn, r):
    assert r.getset("k", "v") is None
    assert evn.events(r) == [("new", "k"), ("set", "k")]
    assert r.getset("k", "w") == b"v"
    assert evn.events(r) == [("set", "k")]
    assert r.getdel("k") == b"w"
    assert evn.events(r) == [("del", "k")]
    assert r.getdel("k") is None
    assert evn.events(r) == []


def test_getex(ev, r):
    r.set("k", "v")
    ev.events(r)
    assert r.getex("k") == b"v"
    assert ev.events(r) == []
    r.getex("k", ex=100)
    assert ev.events(r) == [("expire", "k")]
    r.getex("k", px=200000)
    r.getex("k", exat=int(time.time()) + 300)
    r.getex("k", pxat=int(time.time() * 1000) + 400000)
    assert ev.events(r) == [("expire", "k")] * 3
    r.getex("k", persist=True)
    assert ev.events(r) == [("persist", "k")]
    # PERSIST on a key without a TTL changes nothing.
    r.getex("k", persist=True)
    assert ev.events(r) == []
    # An absolute time already past deletes the key.
    assert r.getex("k", exat=1) == b"v"
    assert ev.events(r) == [("del", "k")]
    r.set("k", "v")
    ev.events(r)
    assert r.getex("k", pxat=1) == b"v"
    assert ev.events(r) == [("del", "k")]
    assert r.getex("missing", ex=10) is None
    assert ev.events(r) == []


def test_mset_msetnx(evn, r):
    r.set("a", "0")
    evn.events(r)
    r.mset({"a": 1, "b": 2})
    assert evn.events(r) == [("set", "a"), ("new", "b"), ("set", "b")]
    assert r.msetnx({"c": 1, "d": 2}) is True
    assert evn.events(r) == [("new", "c"), ("set", "c"), ("new", "d"), ("set", "d")]
    assert r.msetnx({"e": 1, "a": 2}) is False
    assert evn.events(r) == []


def test_append_setrange(evn, r):
    assert r.append("k", "ab") == 2
    assert evn.events(r) == [("new", "k"), ("append", "k")]
    assert r.append("k", "cd") == 4
    assert evn.events(r) == [("append", "k")]
    assert r.setrange("k", 1, "X") == 4
    assert evn.events(r) == [("setrange", "k")]
    assert r.setrange("s", 3, "Y") == 4
    assert evn.events(r) == [("new", "s"), ("setrange", "s")]
    # An empty value writes nothing, on an existing key or a missing one.
    assert r.setrange("s", 10, "") == 4
    assert r.setrange("missing", 10, "") == 0
    assert evn.events(r) == []


def test_counters(evn, r):
    assert r.incr("n") == 1
    assert evn.events(r) == [("new", "n"), ("incrby", "n")]
    r.decr("n")
    r.incrby("n", 5)
    r.decrby("n", 2)
    assert evn.events(r) == [("incrby", "n")] * 3
    assert r.incrbyfloat("f", 1.5) == 1.5
    assert evn.events(r) == [("new", "f"), ("incrbyfloat", "f")]
    r.incrbyfloat("n", 0.5)
    assert evn.events(r) == [("incrbyfloat", "n")]
    r.set("s", "abc")
    evn.events(r)
    with pytest.raises(Exception):
        r.incr("s")
    with pytest.raises(Exception):
        r.incrbyfloat("s", 1)
    assert evn.events(r) == []


# ------------------------------------------------------------ bits


def test_setbit(evn, r):
    assert r.setbit("b", 7, 1) == 0
    assert evn.events(r) == [("new", "b"), ("setbit", "b")]
    # Same value: nothing changes.
    assert r.setbit("b", 7, 1) == 1
    assert evn.events(r) == []
    assert r.setbit("b", 7, 0) == 1
    assert evn.events(r) == [("setbit", "b")]
    # Clearing a bit past the end still grows the string: a write.
    assert r.setbit("b", 100, 0) == 0
    assert evn.events(r) == [("setbit", "b")]
    # Creating a key with a zero bit is a write too.
    assert r.setbit("z", 3, 0) == 0
    assert evn.events(r) == [("new", "z"), ("setbit", "z")]


def test_bitfield(evn, r):
    assert r.bitfield("bf").set("u8", 0, 200).execute() == [0]
    assert evn.events(r) == [("new", "bf"), ("setbit", "bf")]
    # One event for several writes.
    assert r.bitfield("bf").set("u8", 0, 1).incrby("u8", 8, 3).execute() == [200, 3]
    assert evn.events(r) == [("setbit", "bf")]
    # Writing the same value, or only reading, announces nothing.
    assert r.bitfield("bf").set("u8", 0, 1).get("u8", 8).execute() == [1, 3]
    assert r.execute_command("BITFIELD_RO", "bf", "GET", "u8", 0) == [1]
    assert evn.events(r) == []
    # OVERFLOW FAIL on an existing key that stays the same: nothing.
    assert r.bitfield("bf", default_overflow="FAIL").incrby("u8", 0, 300).execute() == [None]
    assert evn.events(r) == []
    # On a missing key the string is still created ("new"), but no write took place.
    assert r.bitfield("bf2", default_overflow="FAIL").incrby("u8", 0, 300).execute() == [None]
    assert evn.events(r) == [("new", "bf2")]
    assert r.get("bf2") == b"\x00"


def test_bitop(evn, r):
    r.set("a", b"\xff")
    r.set("b", b"\x0f")
    evn.events(r)
    assert r.bitop("AND", "d", "a", "b") == 1
    assert evn.events(r) == [("new", "d"), ("set", "d")]
    assert r.bitop("OR", "d", "a", "b") == 1
    assert evn.events(r) == [("set", "d")]
    # An empty result deletes the destination, when it exists.
    assert r.bitop("AND", "d", "missing1", "missing2") == 0
    assert evn.events(r) == [("del", "d")]
    assert r.bitop("AND", "d", "missing1", "missing2") == 0
    assert evn.events(r) == []


# ------------------------------------------------------------ HyperLogLog


def test_pfadd_pfmerge_pfcount(evn, r):
    assert r.pfadd("h", "a", "b") == 1
    assert evn.events(r) == [("new", "h"), ("pfadd", "h")]
    assert r.pfadd("h", "a") == 0
    assert evn.events(r) == []
    assert r.pfadd("h", "c") == 1
    assert evn.events(r) == [("pfadd", "h")]
    # PFADD without elements creates the key.
    assert r.pfadd("empty") == 1
    assert evn.events(r) == [("new", "empty"), ("pfadd", "empty")]
    assert r.pfadd("empty") == 0
    assert evn.events(r) == []
    # PFCOUNT's cache update is a write Redis announces nothing for.
    assert r.pfcount("h") == 3
    assert r.pfcount("h") == 3
    assert r.pfcount("h", "empty") == 3
    assert evn.events(r) == []
    # PFMERGE announces "pfadd" on the destination.
    r.pfadd("h2", "x")
    evn.events(r)
    assert r.pfmerge("m", "h", "h2")
    assert evn.events(r) == [("new", "m"), ("pfadd", "m")]
    assert r.pfmerge("m", "h")
    assert evn.events(r) == [("pfadd", "m")]


# ------------------------------------------------------------ generic key commands


def test_del_unlink(ev, r):
    r.set("a", 1)
    r.set("b", 2)
    r.set("c", 3)
    ev.events(r)
    assert r.delete("a", "missing", "b") == 2
    assert ev.events(r) == [("del", "a"), ("del", "b")]
    assert r.unlink("c", "missing") == 1
    assert ev.events(r) == [("del", "c")]
    assert r.delete("missing") == 0
    assert ev.events(r) == []


def test_rename(evn, r):
    r.set("a", 1)
    evn.events(r)
    r.rename("a", "b")
    assert evn.events(r) == [("new", "b"), ("rename_from", "a"), ("rename_to", "b")]
    # Over an existing key: the old one goes silently, the new one is still "new".
    r.set("c", 2)
    evn.events(r)
    r.rename("b", "c")
    assert evn.events(r) == [("new", "c"), ("rename_from", "b"), ("rename_to", "c")]
    # A key onto itself, a missing source, RENAMENX onto an existing key: nothing.
    r.rename("c", "c")
    with pytest.raises(Exception):
        r.rename("missing", "x")
    r.set("d", 3)
    evn.events(r)
    assert r.renamenx("c", "d") is False
    assert evn.events(r) == []
    assert r.renamenx("c", "e") is True
    assert evn.events(r) == [("new", "e"), ("rename_from", "c"), ("rename_to", "e")]


def test_rename_keeps_ttl_without_expire_event(ev, r):
    r.set("a", 1, ex=100)
    ev.events(r)
    r.rename("a", "b")
    assert ev.events(r) == [("rename_from", "a"), ("rename_to", "b")]


def test_move(r, raw, set_config):
    set_config("notify-keyspace-events", "KEAn")
    e = Events(raw())
    r.set("k", "v")
    e.raw(r)
    assert r.move("k", 1) is True
    assert e.raw(r) == [
        ("__keyspace@1__:k", "new"), ("__keyevent@1__:new", "k"),
        ("__keyspace@0__:k", "move_from"), ("__keyevent@0__:move_from", "k"),
        ("__keyspace@1__:k", "move_to"), ("__keyevent@1__:move_to", "k"),
    ]
    # Missing here, or already there: nothing.
    r.set("k", "v2")
    e.raw(r)
    assert r.move("k", 1) is False
    assert r.move("missing", 1) is False
    assert e.raw(r) == []


def test_copy(r, raw, set_config):
    set_config("notify-keyspace-events", "KEAn")
    e = Events(raw())
    r.set("a", "v", ex=100)
    e.raw(r)
    assert r.copy("a", "b") is True
    # The TTL travels with the copy without an "expire" event.
    assert e.events(r) == [("new", "b"), ("copy_to", "b")]
    assert r.copy("a", "b") is False
    assert r.copy("missing", "c") is False
    assert e.events(r) == []
    assert r.copy("a", "b", replace=True) is True
    assert e.events(r) == [("new", "b"), ("copy_to", "b")]
    assert r.copy("a", "a", destination_db=2) is True
    assert e.raw(r) == [("__keyspace@2__:a", "new"), ("__keyevent@2__:new", "a"),
                        ("__keyspace@2__:a", "copy_to"), ("__keyevent@2__:copy_to", "a")]


def test_expire_family(ev, r):
    r.set("k", "v")
    ev.events(r)
    assert r.expire("k", 100) is True
    assert r.pexpire("k", 200000) is True
    assert r.expireat("k", int(time.time()) + 300) is True
    assert r.pexpireat("k", int(time.time() * 1000) + 400000) is True
    assert ev.events(r) == [("expire", "k")] * 4
    # Options that refuse the change, and a missing key: nothing.
    assert r.expire("k", 100, nx=True) is False
    assert r.expire("k", 1000, lt=True) is False
    assert r.expire("missing", 100) is False
    assert ev.events(r) == []
    # A time in the past deletes the key: "del", not "expire" nor "expired".
    assert r.expire("k", -1) is True
    assert ev.events(r) == [("del", "k")]
    r.set("k", "v")
    ev.events(r)
    assert r.pexpireat("k", 1) is True
    assert ev.events(r) == [("del", "k")]


def test_persist(ev, r):
    r.set("k", "v", ex=100)
    ev.events(r)
    assert r.persist("k") is True
    assert ev.events(r) == [("persist", "k")]
    assert r.persist("k") is False
    assert r.persist("missing") is False
    assert ev.events(r) == []


def test_reads_publish_nothing(ev, r):
    r.set("k", "v", ex=100)
    r.rpush("l", 1)
    ev.events(r)
    r.get("k")
    r.mget("k", "missing")
    r.exists("k")
    r.ttl("k")
    r.type("k")
    r.touch("k")
    r.strlen("k")
    r.getrange("k", 0, -1)
    r.getbit("k", 1)
    r.bitcount("k")
    r.bitpos("k", 1)
    r.randomkey()
    r.keys("*")
    r.scan()
    r.dbsize()
    r.object("encoding", "k")
    r.sort("l")
    r.sort_ro("l")
    assert ev.events(r) == []


def test_sort_store(evn, r):
    r.rpush("l", 3, 1, 2)
    evn.events(r)
    assert r.sort("l", store="dst") == 3
    assert evn.events(r) == [("new", "dst"), ("sortstore", "dst")]
    assert r.sort("l", store="dst") == 3
    assert evn.events(r) == [("sortstore", "dst")]
    # An empty result deletes the destination, when it exists.
    assert r.sort("missing", store="dst") == 0
    assert evn.events(r) == [("del", "dst")]
    assert r.sort("missing", store="dst") == 0
    assert evn.events(r) == []


def test_flush_and_swapdb_publish_nothing(ev, r, raw):
    r.set("a", 1)
    c = raw()
    assert c.call("SELECT", 1) == b"OK"
    assert c.call("SET", "b", 2) == b"OK"
    ev.raw(r)
    r.swapdb(0, 1)
    r.flushdb()
    r.flushall()
    assert ev.raw(r) == []


# ------------------------------------------------------------ expiry ('x')


def test_lazy_expiry_announces_expired(ev, r):
    r.set("k", "v", px=50)
    ev.events(r)
    time.sleep(0.15)
    # Active expiry may find it first; either way one "expired" and no "del".
    r.get("k")
    assert ev.events(r) == [("expired", "k")]


def test_active_expiry_announces_expired(ev, r):
    r.set("k", "v", px=30)
    ev.events(r)
    got = []

    def expired():
        got.extend(ev.events(r))
        return got

    wait_until(expired, seconds=5, msg="expired event")
    assert got == [("expired", "k")]
    assert r.exists("k") == 0


def test_expired_without_x_is_silent(r, raw, set_config):
    set_config("notify-keyspace-events", "KEg$")
    e = Events(raw())
    r.set("k", "v", px=30)
    assert e.events(r) == [("set", "k"), ("expire", "k")]
    time.sleep(0.1)
    assert r.get("k") is None
    assert e.events(r) == []


def test_expired_only_with_x(r, raw, set_config):
    set_config("notify-keyspace-events", "Ex")
    e = Events(raw())
    r.set("k", "v", px=30)
    time.sleep(0.1)
    r.get("k")
    assert e.raw(r) == [("__keyevent@0__:expired", "k")]


def test_write_over_expired_key(server_factory):
    # With active expiry off, SET (or INCR) on a key whose TTL has passed expires it first.
    srv = server_factory("--enable-debug-command", "yes", "--notify-keyspace-events", "KEAn")
    r = srv.client()
    conn = RawConnection(srv.host, srv.port)
    try:
        e = Events(conn)
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
        r.set("k", "v", px=20)
        r.set("n", "1", px=20)
        r.set("s", "1", px=20)
        e.events(r)
        time.sleep(0.1)
        r.set("k", "w")
        assert e.events(r) == [("expired", "k"), ("new", "k"), ("set", "k")]
        r.incr("n")
        assert e.events(r) == [("expired", "n"), ("new", "n"), ("incrby", "n")]
        r.setex("s", 100, "w")
        assert e.events(r) == [("expired", "s"), ("new", "s"), ("set", "s"), ("expire", "s")]
    finally:
        conn.close()
        r.connection_pool.disconnect()


# ------------------------------------------------------------ transactions and scripts


def test_multi_exec_events_in_order(evn, r):
    p = r.pipeline(transaction=True)
    p.set("a", 1)
    p.incr("a")
    p.expire("a", 100)
    p.rename("a", "b")
    p.delete("b")
    p.execute()
    assert evn.events(r) == [("new", "a"), ("set", "a"), ("incrby", "a"), ("expire", "a"),
                             ("new", "b"), ("rename_from", "a"), ("rename_to", "b"),
                             ("del", "b")]


def test_script_writes_announce_events(evn, r):
    r.eval("redis.call('set', KEYS[1], 'v', 'ex', 100); redis.call('append', KEYS[1], 'w'); "
           "redis.call('del', KEYS[1])", 1, "k")
    assert evn.events(r) == [("new", "k"), ("set", "k"), ("expire", "k"), ("append", "k"),
                             ("del", "k")]
