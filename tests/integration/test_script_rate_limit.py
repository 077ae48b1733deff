"""Lua scripts as client libraries use them: the chatbot team's sliding-window
rate limiter (one script per request, loaded with redis-py's register_script,
so EVALSHA with the NOSCRIPT fallback to SCRIPT LOAD), redis-py's Lock (its
release/extend/reacquire are scripts), EVALSHA in pipelines before and after
the script is loaded, and `redis-cli --eval`.

The limiter script takes the time from the server (TIME), so the requests'
times are in the order the server ran them; it drops the entries older than the
window, counts the rest, and only when that is below the limit records the
request and refreshes the key's TTL:

    ZREMRANGEBYSCORE key -inf <now - window>
    ZCARD key                      -> allowed when below the limit
    ZADD key <now> <now>:<unique id from the client>  (allowed only)
    PEXPIRE key <window ms>        (allowed only)

It returns {allowed 0/1, now in microseconds}. Because each call is atomic,
the allowed times of any number of concurrent clients hold at most `limit`
requests in any window, and replaying every request's time through the same
rule gives exactly the requests the server allowed."""

import hashlib
import os
import pathlib
import threading
import time

import pytest
from redis.exceptions import LockError, LockNotOwnedError, NoScriptError

from conftest import timeout, wait_until

LIMITER = (pathlib.Path(__file__).resolve().parent.parent / "lua" /
           "sliding_window_limiter.lua").read_text()

LIMITER_SHA = hashlib.sha1(LIMITER.encode()).hexdigest()


def model_allowed(times, limit, window_us):
    """The requests the limiter must allow, given every request's time in the order run."""
    kept, allowed = [], []
    for now in times:
        kept = [t for t in kept if t > now - window_us]
        if len(kept) < limit:
            kept.append(now)
            allowed.append(now)
    return allowed


def test_limiter_loads_itself_with_evalsha_and_noscript_fallback(r):
    r.script_flush()
    limiter = r.register_script(LIMITER)
    assert limiter.sha == LIMITER_SHA
    assert r.script_exists(LIMITER_SHA) == [False]
    # The first call's EVALSHA gets NOSCRIPT; redis-py loads the script and calls it again.
    allowed, now = limiter(keys=["rl:seq"], args=[10_000, 3, "a"])
    assert allowed == 1 and now > 0
    assert r.script_exists(LIMITER_SHA) == [True]
    got = [limiter(keys=["rl:seq"], args=[10_000, 3, f"r{i}"])[0] for i in range(4)]
    assert got == [1, 1, 0, 0]
    # Denied requests are not recorded; the allowed ones are, scored by their time.
    entries = r.zrange("rl:seq", 0, -1, withscores=True)
    assert len(entries) == 3
    for member, score in entries:
        assert member.decode().split(":")[0] == str(int(score))
    assert 9_000 < r.pttl("rl:seq") <= 10_000
    # After SCRIPT FLUSH the next call falls back again, transparently.
    r.script_flush()
    assert limiter(keys=["rl:seq"], args=[10_000, 3, "z"])[0] == 0
    assert r.script_exists(LIMITER_SHA) == [True]


def test_limiter_window_slides(r):
    limiter = r.register_script(LIMITER)
    window_ms = 400

    def hit(i):
        return limiter(keys=["rl:slide"], args=[window_ms, 2, i])

    allowed, first = hit(0)
    assert allowed == 1
    time.sleep(0.2)
    allowed, second = hit(1)
    assert allowed == 1
    assert hit(2)[0] == 0
    # Once the first request is a window old one more is allowed, while the second one still
    # counts; the key expires a window after the last allowed request.
    got = []
    wait_until(lambda: got.append(hit("x")) or got[-1][0] == 1, seconds=2,
               msg="a request allowed once the window slid")
    third = got[-1][1]
    assert third - first >= window_ms * 1000
    kept = [t for t in (second, third) if t > third - window_ms * 1000]  # second, unless late
    assert [int(s) for _, s in r.zrange("rl:slide", 0, -1, withscores=True)] == kept
    assert all(a == 0 and t - first < window_ms * 1000 for a, t in got[:-1])
    wait_until(lambda: r.exists("rl:slide") == 0, seconds=2, msg="the limiter key expired")


def test_limiter_under_20_concurrent_clients(server, r):
    clients, limit, window_ms, seconds = 20, 30, 250, 2.0
    window_us = window_ms * 1000
    limiter = r.register_script(LIMITER)
    limiter(keys=["rl:warm"], args=[window_ms, limit, "warm"])  # loaded: no NOSCRIPT race
    conns = [server.client() for _ in range(clients)]
    results = [[] for _ in range(clients)]
    errors = []
    deadline = []
    barrier = threading.Barrier(clients, action=lambda: deadline.append(time.monotonic() + seconds))

    def hammer(i):
        try:
            barrier.wait()
            n = 0
            while time.monotonic() < deadline[0]:
                allowed, now = limiter(keys=["rl:hot"], args=[window_ms, limit, f"{i}-{n}"],
                                       client=conns[i])
                results[i].append((now, allowed))
                n += 1
        except Exception as e:  # surfaced in the main thread
            errors.append(e)

    threads = [threading.Thread(target=hammer, args=(i,), daemon=True) for i in range(clients)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout(seconds + 30))
    finally:
        for conn in conns:
            conn.connection_pool.disconnect()
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)

    # Each client saw its own requests in time order (the server ran them one at a time).
    for mine in results:
        times = [now for now, _ in mine]
        assert times == sorted(times)
    requests = sorted(x for mine in results for x in mine)
    assert len(requests) > clients * 10, f"only {len(requests)} requests in {seconds} s"
    allowed = [now for now, a in requests if a == 1]
    # No window holds more than `limit` allowed requests: the request `limit` places after
    # any allowed one came at least a window later.
    for k in range(len(allowed) - limit):
        assert allowed[k + limit] - allowed[k] >= window_us, (
            f"{limit + 1} requests allowed within {allowed[k + limit] - allowed[k]} us")
    # And exactly the requests the rule allows were allowed (a request at the same
    # microsecond as another may be either: compare the allowed times, not the requests).
    assert allowed == model_allowed([now for now, _ in requests], limit, window_us)
    # Hammered for `seconds`, the limiter let through `limit` per window or close to it.
    windows = seconds * 1_000_000 / window_us
    assert limit * (windows - 1) <= len(allowed) <= limit * (windows + 1), len(allowed)
    # What is left in the key is the allowed requests of the last request's window (unless
    # the key has expired since: a window after the last allowed request).
    left = [int(score) for _, score in r.zrange("rl:hot", 0, -1, withscores=True)]
    assert left in ([t for t in allowed if t > requests[-1][0] - window_us], [])


# ------------------------------------------------------------ redis-py Lock


def test_lock_acquire_release_and_a_second_client_blocked_out(r, connect):
    other = connect()
    lock = r.lock("lock:res", timeout=10)
    rival = other.lock("lock:res", timeout=10, sleep=0.01)
    assert lock.acquire(blocking=False)
    assert lock.owned() and lock.locked()
    assert not rival.acquire(blocking=False)
    t0 = time.monotonic()
    assert not rival.acquire(blocking=True, blocking_timeout=0.3)
    assert time.monotonic() - t0 >= 0.25
    assert not rival.owned() and rival.locked()
    # Only the owner's token releases it: release is a script that compares the token.
    rival.local.token = b"not-the-owner"
    with pytest.raises(LockNotOwnedError):
        rival.release()
    assert r.exists("lock:res") == 1
    lock.release()
    assert r.exists("lock:res") == 0
    assert rival.acquire(blocking=False)
    rival.release()


def test_lock_extend_and_reacquire(r):
    lock = r.lock("lock:ext", timeout=1)
    assert lock.acquire(blocking=False)
    assert 0 < r.pttl("lock:ext") <= 1000
    assert lock.extend(2)  # adds to the time left
    assert 2000 < r.pttl("lock:ext") <= 3000
    assert lock.extend(5, replace_ttl=True)
    assert 4000 < r.pttl("lock:ext") <= 5000
    assert lock.reacquire()  # back to the lock's own timeout
    assert 0 < r.pttl("lock:ext") <= 1000
    # Another holder's token extends nothing (the extend script compares the token).
    impostor = r.lock("lock:ext", timeout=1)
    impostor.local.token = b"not-the-owner"
    with pytest.raises(LockNotOwnedError):
        impostor.extend(10)
    with pytest.raises(LockNotOwnedError):
        impostor.reacquire()
    assert 0 < r.pttl("lock:ext") <= 1000
    lock.release()
    assert r.exists("lock:ext") == 0
    with pytest.raises(LockError):
        lock.extend(1)  # released: no token any more


def test_lock_expires_and_the_old_owner_cannot_release(r, connect):
    lock = r.lock("lock:exp", timeout=0.2)
    assert lock.acquire(blocking=False)
    rival = connect().lock("lock:exp", timeout=5)
    # Blocks until the first lock expires.
    assert rival.acquire(blocking=True, blocking_timeout=timeout(3))
    assert rival.owned() and not lock.owned()
    with pytest.raises(LockNotOwnedError):
        lock.extend(1)
    with pytest.raises(LockNotOwnedError):
        lock.reacquire()
    with pytest.raises(LockNotOwnedError):
        lock.release()
    assert r.exists("lock:exp") == 1
    rival.release()


def test_lock_serialises_read_modify_write(server, r):
    # Ten clients increment a counter with GET then SET, under the lock: no update is lost.
    clients, rounds = 10, 20
    conns = [server.client() for _ in range(clients)]
    errors = []

    def work(i):
        try:
            for _ in range(rounds):
                with conns[i].lock("lock:counter", timeout=5, blocking_timeout=timeout(20),
                                   sleep=0.001):
                    value = int(conns[i].get("counter") or 0)
                    conns[i].set("counter", value + 1)
        except Exception as e:  # surfaced in the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout(60))
    finally:
        for conn in conns:
            conn.connection_pool.disconnect()
    assert not errors, errors
    assert int(r.get("counter")) == clients * rounds
    assert r.exists("lock:counter") == 0


# ------------------------------------------------------------ EVALSHA in pipelines


INCR_BY = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
INCR_BY_SHA = hashlib.sha1(INCR_BY.encode()).hexdigest()


def test_pipeline_evalsha_noscript_then_loaded(r):
    r.script_flush()
    p = r.pipeline(transaction=False)
    p.set("pl:n", 1)
    p.evalsha(INCR_BY_SHA, 1, "pl:n", 5)
    p.get("pl:n")
    out = p.execute(raise_on_error=False)
    assert out[0] is True
    assert isinstance(out[1], NoScriptError)
    assert str(out[1]).startswith("No matching script")
    assert out[2] == b"1"  # the commands around it ran

    assert r.script_load(INCR_BY) == INCR_BY_SHA
    p = r.pipeline(transaction=False)
    p.evalsha(INCR_BY_SHA, 1, "pl:n", 5)
    p.evalsha(INCR_BY_SHA, 1, "pl:n", 10)
    p.get("pl:n")
    assert p.execute() == [6, 16, b"16"]


def test_transaction_evalsha_noscript_then_loaded(r):
    r.script_flush()
    p = r.pipeline(transaction=True)
    p.set("tx:n", 1)
    p.evalsha(INCR_BY_SHA, 1, "tx:n", 5)
    p.incr("tx:n")
    # NOSCRIPT is an error at run time inside EXEC: the other commands still ran.
    with pytest.raises(NoScriptError):
        p.execute()
    assert r.get("tx:n") == b"2"

    r.script_load(INCR_BY)
    p = r.pipeline(transaction=True)
    p.set("tx:n", 1)
    p.evalsha(INCR_BY_SHA, 1, "tx:n", 5)
    p.incr("tx:n")
    assert p.execute() == [True, 6, 7]


def test_registered_script_in_a_pipeline_loads_itself(r):
    # redis-py's Script in a pipeline: before sending, the pipeline asks SCRIPT EXISTS and
    # loads what is missing, then sends EVALSHA.
    r.script_flush()
    incr_by = r.register_script(INCR_BY)
    for transaction in (False, True):
        r.delete("rs:n")
        p = r.pipeline(transaction=transaction)
        incr_by(keys=["rs:n"], args=[2], client=p)
        incr_by(keys=["rs:n"], args=[3], client=p)
        p.get("rs:n")
        assert p.execute() == [2, 5, b"5"]
        assert r.script_exists(INCR_BY_SHA) == [True]
        r.script_flush()


# ------------------------------------------------------------ redis-cli --eval


EVAL_FILE = """-- KEYS: a string and a list; ARGV: two values
redis.call('SET', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[2], ARGV[1])
return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], redis.call('GET', KEYS[1]),
        redis.call('LLEN', KEYS[2]), tonumber(ARGV[2]) * 2}
"""


@pytest.fixture
def eval_file(server):
    path = os.path.join(server.dir, "script.lua")
    with open(path, "w") as f:
        f.write(EVAL_FILE)
    return path


def test_redis_cli_eval(r, cli, eval_file):
    out = cli("--eval", eval_file, "key1", "key2", ",", "arg1", "21")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "key1\nkey2\narg1\n21\narg1\n2\n42\n"
    out = cli("--no-raw", "--eval", eval_file, "key1", "key2", ",", "again", "5")
    assert out.stdout == ('1) "key1"\n2) "key2"\n3) "again"\n4) "5"\n5) "again"\n'
                          '6) (integer) 4\n7) (integer) 10\n')
    assert r.get("key1") == b"again"
    assert r.lrange("key2", 0, -1) == [b"21", b"arg1", b"5", b"again"]


def test_redis_cli_eval_error(r, cli, eval_file):
    r.set("key2", "a string, not a list")
    out = cli("--no-raw", "--eval", eval_file, "key1", "key2", ",", "x", "1")
    assert out.stdout.startswith("(error) WRONGTYPE Operation against a key holding the wrong kind")
    assert r.get("key1") == b"x"  # what the script did before the error stays done
