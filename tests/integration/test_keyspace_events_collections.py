"""Keyspace notifications of the collection commands: lists, hashes, sets, sorted sets, geo and
streams (consumer groups included), and of blocked clients a write serves. Each test states,
as Redis 7.2 emits them, the events of a command in order: their names, the key, the class
(l h s z t, g for "del", n for "new") that notify-keyspace-events must enable, nothing for a
write that changes nothing, and "del" after the event of a write that emptied its key."""

import pytest
import redis

from conftest import IS_WEIR, wait_until


def blocked_clients(r):
    return r.info("clients")["blocked_clients"]


class Listener:
    """A connection PSUBSCRIBEd to every keyspace and keyevent channel of every database.

    take() returns what arrived since the last call, as (channel, message) strings: it
    publishes a marker on a channel of its own and reads up to it, so nothing is waited for
    by time."""

    SENTINEL = "__test_events_done__"

    def __init__(self, r, client):
        self.r = r
        self.sub = client.pubsub()
        self.sub.psubscribe("__key*@*__:*")
        self.sub.subscribe(self.SENTINEL)
        confirmed = 0
        while confirmed < 2:
            msg = self.sub.get_message(timeout=5)
            assert msg is not None, "no subscription confirmation"
            if msg["type"] in ("psubscribe", "subscribe"):
                confirmed += 1

    def take(self):
        self.r.publish(self.SENTINEL, "x")
        out = []
        while True:
            msg = self.sub.get_message(timeout=5)
            assert msg is not None, f"the marker never came; so far {out}"
            if msg["type"] == "message" and msg["channel"] == self.SENTINEL.encode():
                return out
            if msg["type"] == "pmessage":
                out.append((msg["channel"].decode(), msg["data"].decode()))

    def close(self):
        self.sub.close()


@pytest.fixture
def listen(r, connect, set_config):
    """listen(flags="KEA") -> Listener, with notify-keyspace-events set to flags."""
    listeners = []

    def start(flags="KEA"):
        set_config("notify-keyspace-events", flags)
        lst = Listener(r, connect())
        listeners.append(lst)
        return lst

    yield start
    for lst in listeners:
        lst.close()


def both(*events, db=0):
    """What K and E together send for (event, key) pairs: the keyspace message, then the
    keyevent one, for each event in turn."""
    out = []
    for event, key in events:
        out.append((f"__keyspace@{db}__:{key}", event))
        out.append((f"__keyevent@{db}__:{event}", key))
    return out


def keyevents(messages):
    """The (event, key) pairs of the keyevent channel among messages."""
    prefix = "__keyevent@"
    return [(ch.split("__:", 1)[1], data) for ch, data in messages if ch.startswith(prefix)]


@pytest.fixture
def ev(r, listen, connect):
    """ev(*command) -> the (event, key) pairs that command produced with KEA, after checking
    that the keyspace channel carried the same events in the same order."""
    lst = listen("KEA")
    # Commands go through a client without redis-py's reply parsers (some need the options
    # the typed methods pass).
    plain = connect()
    plain.response_callbacks.clear()

    def run(*command, expect_error=False):
        lst.take()  # whatever the setup produced
        if expect_error:
            with pytest.raises(redis.ResponseError):
                plain.execute_command(*command)
        else:
            plain.execute_command(*command)
        got = lst.take()
        pairs = keyevents(got)
        assert got == both(*pairs), got
        return pairs

    run.listener = lst
    return run


# ---------------------------------------------------------------- classes and channels


def test_both_channels_and_their_order(r, listen):
    lst = listen("KEA")
    r.rpush("l", "a", "b")
    r.lpop("l", 2)
    assert lst.take() == [
        ("__keyspace@0__:l", "rpush"),
        ("__keyevent@0__:rpush", "l"),
        ("__keyspace@0__:l", "lpop"),
        ("__keyevent@0__:lpop", "l"),
        ("__keyspace@0__:l", "del"),
        ("__keyevent@0__:del", "l"),
    ]


def test_keyspace_only_and_keyevent_only(r, listen):
    lst = listen("Kl")
    r.rpush("l", "a")
    r.rpop("l")
    # "del" is generic (g): off.
    assert lst.take() == [("__keyspace@0__:l", "rpush"), ("__keyspace@0__:l", "rpop")]
    lst.close()
    lst = listen("Eg")
    r.rpush("l", "a")
    r.rpop("l")
    assert lst.take() == [("__keyevent@0__:del", "l")]


def test_database_index_in_channel(r, listen):
    lst = listen("KEA")
    r.execute_command("SELECT", 5)
    try:
        r.sadd("s", "m")
        assert lst.take() == both(("sadd", "s"), db=5)
    finally:
        r.execute_command("SELECT", 0)


def run_one_of_each_class(r):
    r.rpush("l", "a")
    r.hset("h", "f", "v")
    r.sadd("s", "m")
    r.zadd("z", {"m": 1})
    r.xadd("x", {"f": "v"}, id="1-1")
    r.delete("l")


ONE_OF_EACH = [
    ("l", [("rpush", "l")]),
    ("h", [("hset", "h")]),
    ("s", [("sadd", "s")]),
    ("z", [("zadd", "z")]),
    ("t", [("xadd", "x")]),
    ("g", [("del", "l")]),
    ("n", [("new", "l"), ("new", "h"), ("new", "s"), ("new", "z"), ("new", "x")]),
]


@pytest.mark.parametrize("cls,expected", ONE_OF_EACH, ids=[c for c, _ in ONE_OF_EACH])
def test_each_class_alone(r, listen, cls, expected):
    lst = listen("KE" + cls)
    run_one_of_each_class(r)
    assert lst.take() == both(*expected)


@pytest.mark.parametrize("cls", ["l", "h", "s", "z", "t", "g"])
def test_each_class_off(r, listen, cls):
    flags = "".join(c for c in "g$lshzxet" if c != cls)
    lst = listen("KE" + flags)
    run_one_of_each_class(r)
    everything = [p for c, pairs in ONE_OF_EACH if c != "n" for p in pairs]
    expected = [p for c, pairs in ONE_OF_EACH if c not in ("n", cls) for p in pairs]
    assert len(expected) < len(everything)
    assert lst.take() == both(*expected)


def test_no_class_or_no_channel_emits_nothing(r, listen):
    for flags in ("", "K", "E", "KE", "A"):
        lst = listen(flags)
        run_one_of_each_class(r)
        assert lst.take() == [], flags
        lst.close()
        r.flushall()


def test_new_comes_before_the_write_that_created_the_key(r, listen):
    lst = listen("KEg$lshzxetn")
    r.lpush("l", "a")
    r.lpush("l", "b")
    r.hset("h", "f", "v")
    r.sadd("s", "a")
    r.zadd("z", {"a": 1})
    r.xadd("x", {"f": "v"}, id="1-1")
    r.lmove("l", "l2", "LEFT", "RIGHT")
    assert lst.take() == both(
        ("new", "l"), ("lpush", "l"),
        ("lpush", "l"),
        ("new", "h"), ("hset", "h"),
        ("new", "s"), ("sadd", "s"),
        ("new", "z"), ("zadd", "z"),
        ("new", "x"), ("xadd", "x"),
        ("new", "l2"), ("rpush", "l2"), ("lpop", "l"),
    )


def test_new_with_all_classes(r, listen):
    # A does not include n; Redis shows "AKE" yet keeps n on, Weir shows the n it keeps
    # (docs/compatibility.md).
    lst = listen("KEAn")
    shown = r.config_get("notify-keyspace-events")["notify-keyspace-events"]
    assert shown == ("AnKE" if IS_WEIR else "AKE")
    r.rpush("l", "a")
    assert lst.take() == both(("new", "l"), ("rpush", "l"))


# ---------------------------------------------------------------- lists


def test_list_pushes(r, ev):
    assert ev("LPUSH", "l", "a", "b") == [("lpush", "l")]
    assert ev("RPUSH", "l", "c") == [("rpush", "l")]
    assert ev("LPUSHX", "l", "d") == [("lpush", "l")]
    assert ev("RPUSHX", "l", "e", "f") == [("rpush", "l")]
    assert ev("LPUSHX", "missing", "d") == []
    assert ev("RPUSHX", "missing", "d") == []
    r.set("str", "x")
    assert ev("LPUSH", "str", "a", expect_error=True) == []


def test_linsert_lset(r, ev):
    r.rpush("l", "a", "b")
    assert ev("LINSERT", "l", "BEFORE", "b", "x") == [("linsert", "l")]
    assert ev("LINSERT", "l", "AFTER", "nope", "x") == []
    assert ev("LINSERT", "missing", "AFTER", "a", "x") == []
    assert ev("LSET", "l", 0, "z") == [("lset", "l")]
    assert ev("LSET", "l", 10, "z", expect_error=True) == []


def test_list_pops(r, ev):
    r.rpush("l", "a", "b", "c", "d", "e")
    assert ev("LPOP", "l") == [("lpop", "l")]
    assert ev("RPOP", "l") == [("rpop", "l")]
    assert ev("LPOP", "l", 2) == [("lpop", "l")]
    assert ev("LPOP", "l", 0) == []
    assert ev("RPOP", "l", 5) == [("rpop", "l"), ("del", "l")]
    assert ev("LPOP", "l") == []
    assert ev("RPOP", "l", 3) == []
    r.rpush("l", "a")
    assert ev("LPOP", "l") == [("lpop", "l"), ("del", "l")]


def test_lmpop(r, ev):
    r.rpush("b", "1", "2", "3")
    assert ev("LMPOP", 2, "a", "b", "LEFT") == [("lpop", "b")]
    assert ev("LMPOP", 2, "a", "b", "RIGHT", "COUNT", 5) == [("rpop", "b"), ("del", "b")]
    assert ev("LMPOP", 2, "a", "b", "RIGHT") == []


def test_lrem(r, ev):
    r.rpush("l", "a", "b", "a", "c")
    assert ev("LREM", "l", 0, "a") == [("lrem", "l")]
    assert ev("LREM", "l", 0, "zz") == []
    assert ev("LREM", "missing", 0, "a") == []
    assert ev("LREM", "l", 1, "b") == [("lrem", "l")]
    assert ev("LREM", "l", -1, "c") == [("lrem", "l"), ("del", "l")]


def test_ltrim(r, ev):
    r.rpush("l", "a", "b", "c", "d")
    assert ev("LTRIM", "l", 1, -1) == [("ltrim", "l")]
    # Announced even when nothing was trimmed.
    assert ev("LTRIM", "l", 0, -1) == [("ltrim", "l")]
    assert ev("LTRIM", "missing", 0, 1) == []
    assert ev("LTRIM", "l", 5, 10) == [("ltrim", "l"), ("del", "l")]


def test_lmove_and_rpoplpush(r, ev):
    r.rpush("src", "a", "b", "c")
    assert ev("LMOVE", "src", "dst", "LEFT", "RIGHT") == [("rpush", "dst"), ("lpop", "src")]
    assert ev("LMOVE", "src", "dst", "RIGHT", "LEFT") == [("lpush", "dst"), ("rpop", "src")]
    assert ev("RPOPLPUSH", "src", "dst") == [("lpush", "dst"), ("rpop", "src"), ("del", "src")]
    assert ev("RPOPLPUSH", "src", "dst") == []
    assert ev("LMOVE", "src", "dst", "LEFT", "LEFT") == []
    # One list rotating: the push, then the pop.
    assert ev("LMOVE", "dst", "dst", "LEFT", "RIGHT") == [("rpush", "dst"), ("lpop", "dst")]
    assert ev("RPOPLPUSH", "dst", "dst") == [("lpush", "dst"), ("rpop", "dst")]
    r.rpush("one", "x")
    assert ev("LMOVE", "one", "one", "RIGHT", "LEFT") == [("lpush", "one"), ("rpop", "one")]
    r.set("str", "x")
    assert ev("LMOVE", "dst", "str", "LEFT", "LEFT", expect_error=True) == []


def test_blocking_list_commands_served_at_once(r, ev):
    r.rpush("l", "a", "b")
    assert ev("BLPOP", "missing", "l", 0) == [("lpop", "l")]
    assert ev("BRPOP", "l", 0) == [("rpop", "l"), ("del", "l")]
    r.rpush("l", "a", "b")
    assert ev("BLMPOP", 0, 1, "l", "RIGHT", "COUNT", 1) == [("rpop", "l")]
    assert ev("BLMOVE", "l", "d", "LEFT", "LEFT", 0) == [
        ("lpush", "d"), ("lpop", "l"), ("del", "l")]
    assert ev("BRPOPLPUSH", "d", "e", 0) == [("lpush", "e"), ("rpop", "d"), ("del", "d")]


# ---------------------------------------------------------------- blocked clients served


def serve_blocked(r, raw_client, blocking, write, lst):
    """Blocks raw_client in `blocking`, runs `write` on r, and returns the events of the write
    and of the blocked command it served, and the served reply."""
    lst.take()
    raw_client.send_command(*blocking)
    wait_until(lambda: blocked_clients(r) == 1, msg="the client to block")
    setup = lst.take()
    r.execute_command(*write)
    reply = raw_client.read()
    wait_until(lambda: blocked_clients(r) == 0, msg="the client to be served")
    got = lst.take()
    pairs = keyevents(got)
    assert got == both(*pairs), got
    return keyevents(setup), pairs, reply


@pytest.fixture
def blocked(r, raw, listen):
    lst = listen("KEA")
    client = raw()

    def run(blocking, write):
        return serve_blocked(r, client, blocking, write, lst)

    return run


def test_blpop_served(blocked):
    setup, events, reply = blocked(("BLPOP", "l", 0), ("RPUSH", "l", "a"))
    assert setup == []
    assert reply == [b"l", b"a"]
    assert events == [("rpush", "l"), ("lpop", "l"), ("del", "l")]


def test_brpop_served_leaves_the_rest(blocked):
    _, events, reply = blocked(("BRPOP", "x", "l", 0), ("RPUSH", "l", "a", "b"))
    assert reply == [b"l", b"b"]
    assert events == [("rpush", "l"), ("rpop", "l")]


def test_blmpop_served(blocked):
    _, events, reply = blocked(("BLMPOP", 0, 1, "l", "LEFT", "COUNT", 5),
                               ("LPUSH", "l", "a", "b"))
    assert reply == [b"l", [b"b", b"a"]]
    assert events == [("lpush", "l"), ("lpop", "l"), ("del", "l")]


def test_blmove_served(blocked):
    _, events, reply = blocked(("BLMOVE", "src", "dst", "RIGHT", "LEFT", 0),
                               ("RPUSH", "src", "a"))
    assert reply == b"a"
    assert events == [("rpush", "src"), ("lpush", "dst"), ("rpop", "src"), ("del", "src")]


def test_brpoplpush_served_by_lmove(r, blocked):
    r.rpush("other", "v")
    _, events, reply = blocked(("BRPOPLPUSH", "src", "dst", 0),
                               ("LMOVE", "other", "src", "LEFT", "LEFT"))
    assert reply == b"v"
    assert events == [
        ("lpush", "src"), ("lpop", "other"), ("del", "other"),
        ("lpush", "dst"), ("rpop", "src"), ("del", "src"),
    ]


def test_bzpopmin_served(blocked):
    _, events, reply = blocked(("BZPOPMIN", "z", 0), ("ZADD", "z", 1, "a", 2, "b"))
    assert reply == [b"z", b"a", b"1"]
    assert events == [("zadd", "z"), ("zpopmin", "z")]


def test_bzpopmax_served_empties(blocked):
    _, events, reply = blocked(("BZPOPMAX", "z", 0), ("ZADD", "z", 1, "a"))
    assert reply == [b"z", b"a", b"1"]
    assert events == [("zadd", "z"), ("zpopmax", "z"), ("del", "z")]


def test_bzmpop_served(blocked):
    _, events, reply = blocked(("BZMPOP", 0, 1, "z", "MAX", "COUNT", 2),
                               ("ZINCRBY", "z", 3, "a"))
    assert reply == [b"z", [[b"a", b"3"]]]
    assert events == [("zincr", "z"), ("zpopmax", "z"), ("del", "z")]


def test_xreadgroup_served(r, blocked):
    r.xgroup_create("x", "g", id="$", mkstream=True)
    setup, events, reply = blocked(("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0,
                                    "STREAMS", "x", ">"),
                                   ("XADD", "x", "1-1", "f", "v"))
    # The consumer is created when the command first runs, before it blocks.
    assert setup == [("xgroup-createconsumer", "x")]
    assert reply == [[b"x", [[b"1-1", [b"f", b"v"]]]]]
    assert events == [("xadd", "x")]


def test_xread_served(blocked):
    _, events, _ = blocked(("XREAD", "BLOCK", 0, "STREAMS", "x", "$"),
                           ("XADD", "x", "1-1", "f", "v"))
    assert events == [("xadd", "x")]


# ---------------------------------------------------------------- hashes


def test_hset_family(r, ev):
    assert ev("HSET", "h", "a", "1", "b", "2") == [("hset", "h")]
    # Announced even when nothing changes.
    assert ev("HSET", "h", "a", "1") == [("hset", "h")]
    assert ev("HMSET", "h", "c", "3") == [("hset", "h")]
    assert ev("HSETNX", "h", "d", "4") == [("hset", "h")]
    assert ev("HSETNX", "h", "d", "5") == []
    assert ev("HSETNX", "h2", "d", "5") == [("hset", "h2")]


def test_hincrby(r, ev):
    assert ev("HINCRBY", "h", "n", 5) == [("hincrby", "h")]
    assert ev("HINCRBY", "h", "n", -1) == [("hincrby", "h")]
    assert ev("HINCRBYFLOAT", "h", "f", "1.5") == [("hincrbyfloat", "h")]
    r.hset("h", "s", "abc")
    assert ev("HINCRBY", "h", "s", 1, expect_error=True) == []
    assert ev("HINCRBYFLOAT", "h", "s", 1, expect_error=True) == []


def test_hdel(r, ev):
    r.hset("h", mapping={"a": 1, "b": 2, "c": 3})
    assert ev("HDEL", "h", "a", "zz") == [("hdel", "h")]
    assert ev("HDEL", "h", "zz") == []
    assert ev("HDEL", "missing", "a") == []
    assert ev("HDEL", "h", "b", "c", "zz") == [("hdel", "h"), ("del", "h")]


def test_hash_reads_emit_nothing(r, ev):
    r.hset("h", "a", 1)
    for cmd in (("HGET", "h", "a"), ("HGETALL", "h"), ("HLEN", "h"), ("HEXISTS", "h", "a"),
                ("HRANDFIELD", "h"), ("HSCAN", "h", 0)):
        assert ev(*cmd) == [], cmd


# ---------------------------------------------------------------- sets


def test_sadd_srem(r, ev):
    assert ev("SADD", "s", "a", "b", "c") == [("sadd", "s")]
    assert ev("SADD", "s", "a") == []
    assert ev("SADD", "s", "a", "d") == [("sadd", "s")]
    assert ev("SREM", "s", "a", "zz") == [("srem", "s")]
    assert ev("SREM", "s", "zz") == []
    assert ev("SREM", "missing", "a") == []
    assert ev("SREM", "s", "b", "c", "d") == [("srem", "s"), ("del", "s")]


def test_spop(r, ev):
    r.sadd("s", "a", "b", "c", "d")
    assert ev("SPOP", "s") == [("spop", "s")]
    assert ev("SPOP", "s", 1) == [("spop", "s")]
    assert ev("SPOP", "s", 0) == []
    assert ev("SPOP", "s", 10) == [("spop", "s"), ("del", "s")]
    assert ev("SPOP", "s") == []
    assert ev("SPOP", "s", 2) == []
    r.sadd("s", "a")
    assert ev("SPOP", "s") == [("spop", "s"), ("del", "s")]
    r.sadd("s", "a", "b")
    assert ev("SPOP", "s", 2) == [("spop", "s"), ("del", "s")]


def test_smove(r, ev):
    r.sadd("src", "a", "b", "c")
    r.sadd("dst", "b")
    assert ev("SMOVE", "src", "dst", "a") == [("srem", "src"), ("sadd", "dst")]
    # The destination already holds it: only the source changes.
    assert ev("SMOVE", "src", "dst", "b") == [("srem", "src")]
    assert ev("SMOVE", "src", "dst", "zz") == []
    assert ev("SMOVE", "src", "src", "c") == []
    assert ev("SMOVE", "missing", "dst", "c") == []
    assert ev("SMOVE", "src", "new", "c") == [("srem", "src"), ("del", "src"), ("sadd", "new")]


def test_set_stores(r, ev):
    r.sadd("a", 1, 2, 3)
    r.sadd("b", 2, 3, 4)
    assert ev("SINTERSTORE", "d", "a", "b") == [("sinterstore", "d")]
    assert ev("SUNIONSTORE", "d", "a", "b") == [("sunionstore", "d")]
    assert ev("SDIFFSTORE", "d", "a", "b") == [("sdiffstore", "d")]
    # An empty result deletes the destination.
    assert ev("SINTERSTORE", "d", "a", "missing") == [("del", "d")]
    assert ev("SINTERSTORE", "d", "a", "missing") == []
    r.sadd("d", "x")
    assert ev("SDIFFSTORE", "d", "a", "a") == [("del", "d")]
    assert ev("SDIFFSTORE", "d", "a", "a") == []
    r.sadd("d", "x")
    assert ev("SUNIONSTORE", "d", "missing") == [("del", "d")]
    r.set("d", "string")
    assert ev("SUNIONSTORE", "d", "a") == [("sunionstore", "d")]
    assert ev("SINTERCARD", 2, "a", "b") == []


def test_set_store_onto_a_new_key_announces_new(r, listen):
    lst = listen("KEg$lshzxetn")
    r.sadd("a", 1)
    r.sunionstore("d", ["a"])
    r.sunionstore("d", ["a"])
    assert lst.take() == both(("new", "a"), ("sadd", "a"), ("new", "d"), ("sunionstore", "d"),
                              ("sunionstore", "d"))


# ---------------------------------------------------------------- sorted sets


def test_zadd(r, ev):
    assert ev("ZADD", "z", 1, "a", 2, "b") == [("zadd", "z")]
    assert ev("ZADD", "z", 1, "a") == []
    assert ev("ZADD", "z", 5, "a") == [("zadd", "z")]
    assert ev("ZADD", "z", "NX", 7, "a") == []
    assert ev("ZADD", "z", "XX", 7, "zz") == []
    assert ev("ZADD", "z", "GT", 1, "a") == []
    assert ev("ZADD", "z", "CH", 1, "a") == [("zadd", "z")]
    assert ev("ZADD", "missing", "XX", 1, "a") == []
    assert ev("ZADD", "z", "INCR", 2, "a") == [("zincr", "z")]
    assert ev("ZADD", "z", "NX", "INCR", 2, "a") == []
    assert ev("ZINCRBY", "z", 2, "c") == [("zincr", "z")]
    r.zadd("inf", {"m": float("inf")})
    assert ev("ZINCRBY", "inf", "-inf", "m", expect_error=True) == []


def test_zrem(r, ev):
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    assert ev("ZREM", "z", "a", "zz") == [("zrem", "z")]
    assert ev("ZREM", "z", "zz") == []
    assert ev("ZREM", "missing", "a") == []
    assert ev("ZREM", "z", "b", "c") == [("zrem", "z"), ("del", "z")]


def test_zremrange(r, ev):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6})
    assert ev("ZREMRANGEBYRANK", "z", 0, 0) == [("zremrangebyrank", "z")]
    assert ev("ZREMRANGEBYRANK", "z", 10, 20) == []
    assert ev("ZREMRANGEBYSCORE", "z", 2, 3) == [("zremrangebyscore", "z")]
    assert ev("ZREMRANGEBYSCORE", "z", 100, 200) == []
    assert ev("ZREMRANGEBYLEX", "z", "[d", "[d") == [("zremrangebylex", "z")]
    assert ev("ZREMRANGEBYLEX", "z", "[x", "[y") == []
    assert ev("ZREMRANGEBYSCORE", "missing", 0, 1) == []
    assert ev("ZREMRANGEBYRANK", "z", 0, -1) == [("zremrangebyrank", "z"), ("del", "z")]


def test_zpop(r, ev):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert ev("ZPOPMIN", "z") == [("zpopmin", "z")]
    # One event however many are popped.
    assert ev("ZPOPMAX", "z", 2) == [("zpopmax", "z")]
    assert ev("ZPOPMIN", "z", 0) == []
    assert ev("ZPOPMIN", "z", 5) == [("zpopmin", "z"), ("del", "z")]
    assert ev("ZPOPMAX", "z") == []
    r.zadd("z", {"a": 1, "b": 2})
    assert ev("ZMPOP", 2, "missing", "z", "MIN") == [("zpopmin", "z")]
    assert ev("ZMPOP", 1, "z", "MAX", "COUNT", 3) == [("zpopmax", "z"), ("del", "z")]
    assert ev("ZMPOP", 1, "z", "MAX") == []
    r.zadd("z", {"a": 1, "b": 2})
    assert ev("BZPOPMIN", "z", 0) == [("zpopmin", "z")]
    assert ev("BZMPOP", 0, 1, "z", "MAX") == [("zpopmax", "z"), ("del", "z")]


def test_zset_stores(r, ev):
    r.zadd("a", {"x": 1, "y": 2})
    r.zadd("b", {"y": 3, "z": 4})
    assert ev("ZUNIONSTORE", "d", 2, "a", "b") == [("zunionstore", "d")]
    assert ev("ZINTERSTORE", "d", 2, "a", "b") == [("zinterstore", "d")]
    assert ev("ZDIFFSTORE", "d", 2, "a", "b") == [("zdiffstore", "d")]
    assert ev("ZRANGESTORE", "d", "a", 0, -1) == [("zrangestore", "d")]
    assert ev("ZRANGESTORE", "d", "a", 0, 0, "REV") == [("zrangestore", "d")]
    # Empty results delete the destination ("del" only when it existed).
    assert ev("ZINTERSTORE", "d", 2, "a", "missing") == [("del", "d")]
    assert ev("ZINTERSTORE", "d", 2, "a", "missing") == []
    r.zadd("d", {"q": 1})
    assert ev("ZRANGESTORE", "d", "a", 5, 10) == [("del", "d")]
    r.zadd("d", {"q": 1})
    assert ev("ZRANGESTORE", "d", "missing", 0, -1) == [("del", "d")]
    assert ev("ZRANGESTORE", "d", "missing", 0, -1) == []
    r.zadd("d", {"q": 1})
    assert ev("ZDIFFSTORE", "d", 2, "a", "a") == [("del", "d")]
    r.set("d", "string")
    assert ev("ZUNIONSTORE", "d", 1, "a") == [("zunionstore", "d")]
    # Reads.
    for cmd in (("ZUNION", 2, "a", "b"), ("ZINTERCARD", 2, "a", "b"), ("ZRANGE", "a", 0, -1),
                ("ZSCORE", "a", "x"), ("ZRANDMEMBER", "a")):
        assert ev(*cmd) == [], cmd


# ---------------------------------------------------------------- geo


def test_geoadd(r, ev):
    assert ev("GEOADD", "g", 13.361389, 38.115556, "Palermo") == [("zadd", "g")]
    assert ev("GEOADD", "g", 13.361389, 38.115556, "Palermo") == []
    assert ev("GEOADD", "g", "NX", 15.087269, 37.502669, "Palermo") == []
    assert ev("GEOADD", "g", "XX", 15.087269, 37.502669, "Catania") == []
    assert ev("GEOADD", "g", 15.087269, 37.502669, "Catania") == [("zadd", "g")]
    assert ev("GEODIST", "g", "Palermo", "Catania") == []


def test_geo_stores(r, ev):
    r.geoadd("g", [13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"])
    assert ev("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km") == [
        ("geosearchstore", "d")]
    assert ev("GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "Palermo", "BYBOX", 400, 400, "km",
              "STOREDIST") == [("geosearchstore", "d")]
    assert ev("GEORADIUS", "g", 15, 37, 200, "km", "STORE", "d") == [("georadiusstore", "d")]
    assert ev("GEORADIUS", "g", 15, 37, 200, "km", "STOREDIST", "d") == [
        ("georadiusstore", "d")]
    assert ev("GEORADIUSBYMEMBER", "g", "Palermo", 200, "km", "STORE", "d") == [
        ("georadiusstore", "d")]
    # Nothing found, or no source: the destination is deleted.
    assert ev("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km") == [
        ("del", "d")]
    assert ev("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km") == []
    r.zadd("d", {"q": 1})
    assert ev("GEORADIUS", "missing", 15, 37, 200, "km", "STORE", "d") == [("del", "d")]
    assert ev("GEORADIUS", "missing", 15, 37, 200, "km", "STORE", "d") == []
    assert ev("GEOSEARCH", "g", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km") == []


# ---------------------------------------------------------------- streams


def test_xadd_xtrim_xdel(r, ev):
    assert ev("XADD", "x", "1-1", "f", "v") == [("xadd", "x")]
    assert ev("XADD", "x", "1-2", "f", "v") == [("xadd", "x")]
    assert ev("XADD", "x", "1-3", "f", "v") == [("xadd", "x")]
    assert ev("XADD", "x", "MAXLEN", 2, "1-4", "f", "v") == [("xadd", "x"), ("xtrim", "x")]
    assert ev("XADD", "x", "MAXLEN", 10, "1-5", "f", "v") == [("xadd", "x")]
    assert ev("XADD", "x", "1-1", "f", "v", expect_error=True) == []
    assert ev("XADD", "missing", "NOMKSTREAM", "*", "f", "v") == []
    assert ev("XTRIM", "x", "MAXLEN", 2) == [("xtrim", "x")]
    assert ev("XTRIM", "x", "MAXLEN", 2) == []
    assert ev("XTRIM", "missing", "MAXLEN", 2) == []
    assert ev("XTRIM", "x", "MINID", "1-5") == [("xtrim", "x")]
    assert ev("XDEL", "x", "1-5") == [("xdel", "x")]
    # A stream stays when its last entry goes.
    assert ev("XDEL", "x", "1-5") == []
    assert ev("XDEL", "missing", "1-5") == []
    assert r.exists("x") == 1


def test_xsetid(r, ev):
    r.xadd("x", {"f": "v"}, id="1-1")
    assert ev("XSETID", "x", "5-0") == [("xsetid", "x")]
    assert ev("XSETID", "x", "5-0") == [("xsetid", "x")]
    assert ev("XSETID", "x", "0-1", expect_error=True) == []
    assert ev("XSETID", "missing", "5-0", expect_error=True) == []


def test_xgroup(r, ev):
    r.xadd("x", {"f": "v"}, id="1-1")
    assert ev("XGROUP", "CREATE", "x", "g", "$") == [("xgroup-create", "x")]
    assert ev("XGROUP", "CREATE", "x", "g", "$", expect_error=True) == []
    assert ev("XGROUP", "CREATE", "missing", "g", "$", expect_error=True) == []
    assert ev("XGROUP", "CREATE", "y", "g", "$", "MKSTREAM") == [("xgroup-create", "y")]
    assert ev("XGROUP", "SETID", "x", "g", "0") == [("xgroup-setid", "x")]
    assert ev("XGROUP", "SETID", "x", "nope", "0", expect_error=True) == []
    assert ev("XGROUP", "CREATECONSUMER", "x", "g", "c") == [("xgroup-createconsumer", "x")]
    assert ev("XGROUP", "CREATECONSUMER", "x", "g", "c") == []
    assert ev("XGROUP", "DELCONSUMER", "x", "g", "c") == [("xgroup-delconsumer", "x")]
    assert ev("XGROUP", "DELCONSUMER", "x", "g", "c") == []
    assert ev("XGROUP", "DESTROY", "x", "g") == [("xgroup-destroy", "x")]
    assert ev("XGROUP", "DESTROY", "x", "g") == []


def test_xgroup_create_mkstream_announces_new(r, listen):
    lst = listen("KEg$lshzxetn")
    r.xgroup_create("x", "g", id="$", mkstream=True)
    assert lst.take() == both(("new", "x"), ("xgroup-create", "x"))


def test_consumers_created_by_reads_and_claims(r, ev):
    r.xadd("x", {"f": "v"}, id="1-1")
    r.xadd("x", {"f": "v"}, id="1-2")
    r.xgroup_create("x", "g", id="0")
    r.xgroup_create("x", "g2", id="0")
    assert ev("XREADGROUP", "GROUP", "g", "c1", "COUNT", 1, "STREAMS", "x", ">") == [
        ("xgroup-createconsumer", "x")]
    assert ev("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "x", ">") == []
    assert ev("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "x", "0") == []
    # Nothing to read, and no BLOCK: the consumer is still created.
    assert ev("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "x", ">") == [
        ("xgroup-createconsumer", "x")]
    assert ev("XREADGROUP", "GROUP", "g", "c9", "NOACK", "STREAMS", "x", "0") == [
        ("xgroup-createconsumer", "x")]
    assert ev("XACK", "x", "g", "1-1") == []
    assert ev("XCLAIM", "x", "g", "c3", 0, "1-2") == [("xgroup-createconsumer", "x")]
    assert ev("XCLAIM", "x", "g", "c3", 0, "1-2") == []
    assert ev("XCLAIM", "x", "g", "c1", 0, "1-2", "JUSTID") == []
    assert ev("XAUTOCLAIM", "x", "g", "c4", 0, "0") == [("xgroup-createconsumer", "x")]
    assert ev("XAUTOCLAIM", "x", "g", "c4", 0, "0") == []
    assert ev("XPENDING", "x", "g") == []
    assert ev("XINFO", "GROUPS", "x") == []
    assert ev("XINFO", "CONSUMERS", "x", "g") == []
    # Consumers of two streams' groups, in the order of the streams.
    r.xgroup_create("y", "g", id="0", mkstream=True)
    assert ev("XREADGROUP", "GROUP", "g", "c5", "STREAMS", "x", "y", ">", ">") == [
        ("xgroup-createconsumer", "x"), ("xgroup-createconsumer", "y")]


def test_stream_reads_emit_nothing(r, ev):
    r.xadd("x", {"f": "v"}, id="1-1")
    for cmd in (("XRANGE", "x", "-", "+"), ("XREVRANGE", "x", "+", "-"), ("XLEN", "x"),
                ("XREAD", "STREAMS", "x", "0"), ("XINFO", "STREAM", "x")):
        assert ev(*cmd) == [], cmd


# ---------------------------------------------------------------- MULTI and scripts


def test_events_inside_multi_and_scripts(r, listen):
    lst = listen("KEA")
    p = r.pipeline(transaction=True)
    p.rpush("l", "a")
    p.sadd("s", "m")
    p.lpop("l")
    p.execute()
    assert lst.take() == both(("rpush", "l"), ("sadd", "s"), ("lpop", "l"), ("del", "l"))
    r.eval("redis.call('HSET', KEYS[1], 'f', 'v'); redis.call('HDEL', KEYS[1], 'f')", 1, "h")
    assert lst.take() == both(("hset", "h"), ("hdel", "h"), ("del", "h"))


def test_several_blocked_clients_served_by_one_push(r, raw, listen):
    """Several blocked clients served one after another by one push, in FIFO order."""
    lst = listen("KEA")
    clients = [raw() for _ in range(3)]
    for cl in clients:
        cl.send_command("BLPOP", "l", 0)
    wait_until(lambda: blocked_clients(r) == 3, msg="three blocked clients")
    lst.take()
    r.rpush("l", "a", "b", "c", "d")
    replies = [cl.read() for cl in clients]
    assert replies == [[b"l", b"a"], [b"l", b"b"], [b"l", b"c"]]
    assert keyevents(lst.take()) == [("rpush", "l"), ("lpop", "l"), ("lpop", "l"),
                                     ("lpop", "l")]
    assert r.lrange("l", 0, -1) == [b"d"]
