"""Transactions: MULTI EXEC DISCARD WATCH UNWATCH."""

import threading
import time

import pytest
import redis

from conftest import RespError, encode_command, wait_until

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
EXECABORT = "EXECABORT Transaction discarded because of previous errors."


def arity(cmd):
    return f"ERR wrong number of arguments for '{cmd}' command"


@pytest.fixture
def two(r, raw):
    """Two independent raw connections (the watcher and the other client)."""
    return raw(), raw()


# ------------------------------------------------------------ MULTI / EXEC


def test_multi_exec_basic(r, c):
    assert c.call("MULTI") == b"OK"
    assert c.call("SET", "a", "1") == b"QUEUED"
    assert c.call("INCR", "a") == b"QUEUED"
    assert c.call("GET", "a") == b"QUEUED"
    assert c.call("MGET", "a", "missing") == b"QUEUED"
    assert c.call("EXEC") == [b"OK", 2, b"2", [b"2", None]]
    assert c.call("GET", "a") == b"2"


def test_multi_commands_not_visible_before_exec(r, two):
    a, b = two
    a.call("MULTI")
    a.call("SET", "k", "v")
    assert b.call("GET", "k") is None
    assert a.call("EXEC") == [b"OK"]
    assert b.call("GET", "k") == b"v"


def test_empty_transaction(r, c):
    assert c.call("MULTI") == b"OK"
    assert c.call("EXEC") == []


def test_discard(r, c):
    c.call("SET", "a", "1")
    assert c.call("MULTI") == b"OK"
    c.call("SET", "a", "2")
    c.call("DEL", "a")
    assert c.call("DISCARD") == b"OK"
    assert c.call("GET", "a") == b"1"
    # the connection is back to normal mode
    assert c.call("SET", "b", "x") == b"OK"


def test_multi_state_errors(r, c):
    assert c.error("EXEC") == "ERR EXEC without MULTI"
    assert c.error("DISCARD") == "ERR DISCARD without MULTI"
    c.call("MULTI")
    assert c.error("MULTI") == "ERR MULTI calls can not be nested"
    assert c.error("WATCH", "x") == "ERR WATCH inside MULTI is not allowed"
    # those errors do not abort the transaction
    assert c.call("PING") == b"QUEUED"
    assert c.call("EXEC") == [b"PONG"]


def test_execabort_on_unknown_command(r, c):
    c.call("MULTI")
    assert c.call("SET", "a", "1") == b"QUEUED"
    err = c.error("NOSUCHCOMMAND", "x")
    assert err == "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' "
    assert c.call("SET", "b", "1") == b"QUEUED"
    assert c.error("EXEC") == EXECABORT
    assert c.call("EXISTS", "a", "b") == 0
    # the client is out of MULTI state afterwards
    assert c.error("EXEC") == "ERR EXEC without MULTI"


def test_execabort_on_arity_error(r, c):
    c.call("MULTI")
    c.call("SET", "a", "1")
    assert c.error("GET") == arity("get")
    assert c.error("EXEC") == EXECABORT
    assert c.call("EXISTS", "a") == 0
    assert c.call("PING") == b"PONG"


def test_rejected_exec_discards_the_transaction(r, two):
    """Redis's rejectCommand turns a rejected EXEC into execCommandAbort: the transaction and
    the watches end, and the reply names the reason (without its ERR prefix)."""
    c, other = two
    abort = "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"
    c.call("WATCH", "w")
    assert c.call("MULTI") == b"OK"
    assert c.call("SET", "a", "1") == b"QUEUED"
    assert c.error("EXEC", "x") == abort
    assert c.call("GET", "a") is None  # not queued: the transaction is over
    assert c.error("EXEC") == "ERR EXEC without MULTI"
    # The watch went with it: a change to w no longer fails the next transaction.
    other.call("SET", "w", "changed")
    assert c.call("MULTI") == b"OK"
    assert c.call("SET", "a", "2") == b"QUEUED"
    assert c.call("EXEC") == [b"OK"]
    # Outside MULTI too.
    assert c.error("EXEC", "x", "y") == abort
    assert c.call("PING") == b"PONG"


def test_execabort_via_redis_py(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", 1)
    pipe.execute_command("SET", "onlykey")
    with pytest.raises(redis.exceptions.ResponseError):
        pipe.execute()
    assert r.exists("a") == 0


def test_runtime_errors_do_not_abort(r, c):
    c.call("MULTI")
    c.call("SET", "a", "1")
    c.call("LPUSH", "a", "x")
    c.call("INCR", "a")
    c.call("SET", "b", "notanumber")
    c.call("INCR", "b")
    c.call("SET", "c", "3")
    reply = c.call("EXEC")
    assert reply == [b"OK", RespError(WRONGTYPE), 2, b"OK",
                     RespError("ERR value is not an integer or out of range"), b"OK"]
    assert c.call("MGET", "a", "c") == [b"2", b"3"]


def test_runtime_error_without_lists(r, c):
    c.call("SET", "b", "x")
    c.call("MULTI")
    c.call("INCR", "b")
    c.call("SET", "c", "3")
    assert c.call("EXEC") == [RespError("ERR value is not an integer or out of range"), b"OK"]
    assert c.call("GET", "c") == b"3"


def test_select_inside_multi_persists(r, c):
    c.call("MULTI")
    c.call("SELECT", 1)
    c.call("SET", "k", "db1")
    assert c.call("EXEC") == [b"OK", b"OK"]
    assert c.call("GET", "k") == b"db1"  # still on db 1
    c.call("SELECT", 0)
    assert c.call("GET", "k") is None


def test_exec_in_one_pipeline_write(r, c):
    """MULTI ... EXEC sent in a single write, replies read afterwards."""
    payload = b"".join([
        encode_command("MULTI"),
        encode_command("SET", "x", "1"),
        encode_command("INCRBY", "x", "41"),
        encode_command("GET", "x"),
        encode_command("EXEC"),
        encode_command("GET", "x"),
    ])
    c.send(payload)
    assert [c.read() for _ in range(6)] == [
        b"OK", b"QUEUED", b"QUEUED", b"QUEUED", [b"OK", 42, b"42"], b"42"]


def test_many_pipelined_transactions(r, c):
    payload = b""
    for i in range(200):
        payload += encode_command("MULTI") + encode_command("INCR", "n") + \
            encode_command("INCR", "n") + encode_command("EXEC")
    c.send(payload)
    for i in range(200):
        assert c.read() == b"OK"
        assert c.read() == b"QUEUED"
        assert c.read() == b"QUEUED"
        assert c.read() == [2 * i + 1, 2 * i + 2]
    assert c.call("GET", "n") == b"400"


def test_redis_py_transaction_pipeline(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", "1").incr("a").get("a").delete("a").exists("a")
    assert pipe.execute() == [True, 2, b"2", 1, 0]


def test_transaction_is_atomic_wrt_other_clients(r, connect):
    """Transactions from concurrent clients never interleave: the two INCRs
    of one EXEC always return consecutive values."""
    clients = [connect() for _ in range(4)]
    results, errors = [], []

    def work(cl):
        try:
            for _ in range(100):
                pipe = cl.pipeline(transaction=True)
                pipe.incr("counter")
                pipe.incr("counter")
                results.append(tuple(pipe.execute()))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(cl,)) for cl in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 400
    assert all(v2 == v1 + 1 for v1, v2 in results)
    assert sorted(v2 for _, v2 in results) == list(range(2, 801, 2))
    assert r.get("counter") == b"800"


def test_multi_key_commands_across_slots(r, c):
    """Standalone mode: keys in different hash slots (and {tag}ged keys) mix
    freely, inside and outside MULTI."""
    keys = ["alpha", "beta", "gamma", "{user1}:a", "{user1}:b", "{user2}:a"]
    c.call("MULTI")
    c.call("MSET", *[x for k in keys for x in (k, k.upper())])
    c.call("MGET", *keys)
    c.call("RENAME", "alpha", "{user2}:renamed")
    c.call("COPY", "{user1}:a", "zeta")
    c.call("DEL", "beta", "{user1}:b")
    c.call("EXISTS", *keys)
    reply = c.call("EXEC")
    assert reply[0] == b"OK"
    assert reply[1] == [k.upper().encode() for k in keys]
    assert reply[2:] == [b"OK", 1, 2, 3]
    assert c.call("MGET", "{user2}:renamed", "zeta") == [b"ALPHA", b"{USER1}:A"]
    assert c.call("MSETNX", "x{a}", 1, "y{b}", 2) == 1
    assert c.call("BITOP", "OR", "dest", "x{a}", "y{b}", "gamma") == 5


# ------------------------------------------------------------ WATCH


def test_watch_unmodified_key(r, two):
    a, _ = two
    a.call("SET", "x", "1")
    assert a.call("WATCH", "x") == b"OK"
    a.call("MULTI")
    a.call("INCR", "x")
    assert a.call("EXEC") == [2]


def test_watch_modified_by_other_client(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("SET", "x", "2")
    a.call("MULTI")
    a.call("INCR", "x")
    assert a.call("EXEC") is None
    assert a.call("GET", "x") == b"2"


def test_watch_modified_by_same_client(r, c):
    c.call("SET", "x", "1")
    c.call("WATCH", "x")
    c.call("SET", "x", "2")
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") is None


def test_watch_one_of_many(r, two):
    a, b = two
    a.call("MSET", "k1", 1, "k2", 2, "k3", 3)
    a.call("WATCH", "k1", "k2")
    a.call("WATCH", "k3", "k4", "k5")
    b.call("SET", "k5", "created")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_same_value_rewrite_still_touches(r, two):
    a, b = two
    a.call("SET", "x", "same")
    a.call("WATCH", "x")
    b.call("SET", "x", "same")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_read_does_not_touch(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("GET", "x")
    b.call("EXISTS", "x")
    b.call("TTL", "x")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]


def test_watch_failed_noop_write_does_not_touch(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x", "missing")
    assert b.call("SET", "x", "2", "NX") is None
    assert b.call("DEL", "missing") == 0
    assert b.call("EXPIRE", "missing", 10) == 0
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]


def test_watch_missing_key_then_created(r, two):
    a, b = two
    a.call("WATCH", "new")
    b.call("SET", "new", "v")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_key_deleted(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("DEL", "x")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_expire_command_touches(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("EXPIRE", "x", 100)
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_rename_touches_both(r, two):
    a, b = two
    a.call("SET", "src", "1")
    a.call("WATCH", "dst")
    b.call("RENAME", "src", "dst")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None
    a.call("WATCH", "dst")
    b.call("RENAME", "dst", "src2")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_in_other_transaction(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("MULTI")
    b.call("INCR", "x")
    b.call("EXEC")
    a.call("MULTI")
    a.call("INCR", "x")
    assert a.call("EXEC") is None


def test_watch_sees_expiry(r, c):
    """A watched key that expires before EXEC fails the transaction."""
    c.call("SET", "x", "1", "PX", 100)
    c.call("WATCH", "x")
    time.sleep(0.15)
    c.call("MULTI")
    c.call("PING")
    assert c.call("EXEC") is None


def test_watch_sees_expiry_deleted_by_other_reader(r, two):
    a, b = two
    a.call("SET", "x", "1", "PX", 100)
    a.call("WATCH", "x")
    time.sleep(0.15)
    assert b.call("GET", "x") is None  # lazy expiry triggered elsewhere
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_sees_active_expiry(r, two):
    a, b = two
    a.call("SET", "x", "1", "PX", 100)
    a.call("WATCH", "x")
    # wait for the active cycle, without reading the key
    wait_until(lambda: b.call("DBSIZE") == 0, seconds=10, msg="active expiry")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_already_expired_key_is_not_a_change(r, two):
    a, b = two
    a.call("SET", "x", "1", "PX", 1)
    time.sleep(0.05)
    a.call("WATCH", "x")  # logically missing already
    assert b.call("EXISTS", "x") == 0  # deleting the stale key is no change
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]


def test_unwatch(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("SET", "x", "2")
    assert a.call("UNWATCH") == b"OK"
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]
    assert a.call("UNWATCH") == b"OK"


def test_watch_cleared_after_exec(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("SET", "x", "2")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None
    b.call("SET", "x", "3")  # no longer watched
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]
    a.call("WATCH", "x")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]
    b.call("SET", "x", "4")  # successful EXEC also unwatched
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]


def test_discard_unwatches(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("SET", "x", "2")
    a.call("MULTI")
    a.call("DISCARD")
    a.call("MULTI")
    a.call("INCR", "x")
    assert a.call("EXEC") == [3]


def test_watch_execabort_also_unwatches(r, two):
    a, b = two
    a.call("WATCH", "x")
    a.call("MULTI")
    a.error("NOPE")
    assert a.error("EXEC") == EXECABORT
    b.call("SET", "x", "1")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]


def test_watch_remembers_db(r, two):
    a, b = two
    a.call("SELECT", 5)
    a.call("SET", "x", "30")
    a.call("WATCH", "x")
    b.call("SELECT", 1)
    b.call("SET", "x", "10")  # same name, other db
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]
    a.call("WATCH", "x")
    b.call("SELECT", 5)
    b.call("SET", "x", "11")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_then_select_then_exec(r, two):
    a, b = two
    a.call("WATCH", "x")  # db 0
    a.call("SELECT", 2)
    b.call("SET", "x", "1")  # db 0
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_watch_via_redis_py(r):
    r.set("balance", 100)
    with r.pipeline() as pipe:
        pipe.watch("balance")
        current = int(pipe.get("balance"))
        r.set("balance", 50)  # another connection modifies it
        pipe.multi()
        pipe.set("balance", current + 10)
        with pytest.raises(redis.exceptions.WatchError):
            pipe.execute()
    assert r.get("balance") == b"50"


# ------------------------------------------------------------ FLUSH / SWAPDB


def test_flushall_touches_watched_keys(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("FLUSHALL")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_flushall_does_not_touch_missing_watched_keys(r, two):
    a, b = two
    a.call("WATCH", "x")
    b.call("FLUSHALL")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]


def test_flushdb_touches_watched_keys(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("FLUSHDB")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_flushdb_other_db_does_not_touch(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("SELECT", 3)
    b.call("SET", "x", "other")
    b.call("FLUSHDB")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]


def test_flushdb_does_not_touch_missing_watched_keys(r, two):
    a, b = two
    b.call("SET", "other", "1")
    a.call("WATCH", "x")
    b.call("FLUSHDB")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]


def test_flushall_async_touches_watched_keys(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("FLUSHALL", "ASYNC")
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_swapdb_touches_existing_watched_key(r, two):
    a, b = two
    a.call("SET", "x", "30")
    a.call("WATCH", "x")
    b.call("SWAPDB", 0, 1)
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_swapdb_touches_watched_key_that_appears(r, two):
    a, b = two
    b.call("SELECT", 1)
    b.call("SET", "x", "30")
    a.call("WATCH", "x")  # missing in db 0
    b.call("SWAPDB", 0, 1)
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") is None


def test_swapdb_does_not_touch_key_missing_in_both(r, two):
    a, b = two
    b.call("SELECT", 1)
    b.call("SET", "y", "30")
    a.call("SET", "z", "1")
    a.call("WATCH", "x")
    b.call("SWAPDB", 0, 1)
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]


def test_swapdb_unrelated_dbs_do_not_touch(r, two):
    a, b = two
    a.call("SET", "x", "1")
    a.call("WATCH", "x")
    b.call("SELECT", 2)
    b.call("SET", "x", "2")
    b.call("SWAPDB", 2, 3)
    a.call("MULTI")
    a.call("PING")
    assert a.call("EXEC") == [b"PONG"]
