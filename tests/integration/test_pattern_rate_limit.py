"""A sliding-window rate limiter as users write it on sorted sets: one
MULTI/EXEC per request that drops the entries older than the window, records
the request, counts the window and refreshes the key's TTL:

    MULTI
    ZREMRANGEBYSCORE key 0 <now - window>
    ZADD key <now> <now>-<uuid>
    ZCARD key
    EXPIRE key <window seconds>
    EXEC

The request is allowed when the count is within the limit. Every request is
recorded, denied ones included, so a client that keeps hammering stays
denied. Because each transaction is atomic, N concurrent requests in one
window see the counts 1..N exactly once each, and exactly `limit` of them are
allowed, whatever the interleaving."""

import math
import threading
import time
import uuid

import pytest
import redis

from conftest import wait_until


class Limiter:
    def __init__(self, client, limit, window_ms):
        self.client = client
        self.limit = limit
        self.window_ms = window_ms

    def hit(self, key, now_ms):
        """Records a request at now_ms; returns (allowed, count in the window)."""
        p = self.client.pipeline(transaction=True)
        p.zremrangebyscore(key, 0, now_ms - self.window_ms)
        p.zadd(key, {f"{now_ms}-{uuid.uuid4()}": now_ms})
        p.zcard(key)
        p.expire(key, math.ceil(self.window_ms / 1000))
        removed, added, count, expire_set = p.execute()
        assert added == 1 and expire_set is True
        return count <= self.limit, count


def model_decisions(limit, window_ms, times):
    """What the limiter must answer for requests at these times, one after another."""
    kept, out = [], []
    for now in times:
        kept = [t for t in kept if t > now - window_ms]
        kept.append(now)
        out.append((len(kept) <= limit, len(kept)))
    return out


def test_sequential_decisions_follow_the_window(r):
    limiter = Limiter(r, limit=3, window_ms=1000)
    times = [0, 100, 200, 300, 999, 1000, 1100, 1150, 1250, 2300, 2301, 2302, 2303, 5000]
    got = [limiter.hit("user:1", t) for t in times]
    assert got == model_decisions(3, 1000, times)
    # The window holds the last second of requests only.
    assert r.zcount("user:1", 4001, 5000) == r.zcard("user:1") == 1
    assert 0 < r.ttl("user:1") <= 1


def test_denied_requests_still_count(r):
    limiter = Limiter(r, limit=2, window_ms=10_000)
    decisions = [limiter.hit("k", 1000 + i)[0] for i in range(5)]
    assert decisions == [True, True, False, False, False]
    assert r.zcard("k") == 5


def run_concurrently(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n
    errors = []

    def worker(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as e:  # surfaced in the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


@pytest.mark.parametrize("clients", [8, 24])
def test_concurrent_burst_allows_exactly_the_limit(server, r, clients):
    limit = 5
    conns = [server.client() for _ in range(clients)]
    try:
        now = 1_000_000
        results = run_concurrently(clients, lambda i: Limiter(conns[i], limit, 60_000).hit("burst", now))
    finally:
        for conn in conns:
            conn.connection_pool.disconnect()
    counts = sorted(count for _, count in results)
    assert counts == list(range(1, clients + 1))
    assert sum(allowed for allowed, _ in results) == limit
    assert all(allowed == (count <= limit) for allowed, count in results)
    assert r.zcard("burst") == clients


def test_concurrent_rounds_slide_the_window(server, r):
    clients, limit, window = 12, 4, 1000
    conns = [server.client() for _ in range(clients)]
    try:
        for round_no in range(6):
            # Rounds are further apart than the window: each starts from an empty window.
            now = 10_000 + round_no * (window + 1)
            results = run_concurrently(
                clients, lambda i: Limiter(conns[i], limit, window).hit("rounds", now))
            assert sorted(c for _, c in results) == list(range(1, clients + 1))
            assert sum(a for a, _ in results) == limit
            assert r.zcard("rounds") == clients
    finally:
        for conn in conns:
            conn.connection_pool.disconnect()


def test_concurrent_users_on_many_keys(server, r):
    # Keys in different hash slots: on a threaded server they live in different shards, and
    # every transaction touches one of them.
    users, per_user, limit = 6, 10, 3
    conns = [server.client() for _ in range(users * 2)]
    try:
        def work(i):
            limiter = Limiter(conns[i], limit, 60_000)
            return [limiter.hit(f"user:{i % users}", 5_000 + j) for j in range(per_user)]

        results = run_concurrently(len(conns), work)
    finally:
        for conn in conns:
            conn.connection_pool.disconnect()
    for u in range(users):
        mine = [x for i, res in enumerate(results) if i % users == u for x in res]
        assert sorted(c for _, c in mine) == list(range(1, 2 * per_user + 1))
        assert sum(a for a, _ in mine) == limit
        assert r.zcard(f"user:{u}") == 2 * per_user


def test_idle_key_expires_with_the_window(r):
    limiter = Limiter(r, limit=10, window_ms=1000)
    assert limiter.hit("idle", int(time.time() * 1000)) == (True, 1)
    assert r.ttl("idle") == 1
    wait_until(lambda: r.exists("idle") == 0, seconds=5, msg="limiter key expired")
    # A fresh window after expiry.
    assert limiter.hit("idle", int(time.time() * 1000)) == (True, 1)


def test_watch_based_check_then_add(r, server):
    # The optimistic variant: count first, add only when allowed, retried on conflict.
    limit, clients = 3, 10
    conns = [server.client() for _ in range(clients)]

    def attempt(i):
        client = conns[i]
        while True:
            with client.pipeline(transaction=True) as p:
                try:
                    p.watch("opt")
                    if p.zcard("opt") >= limit:
                        p.unwatch()
                        return False
                    p.multi()
                    p.zadd("opt", {f"req-{i}": 1000})
                    p.expire("opt", 60)
                    p.execute()
                    return True
                except redis.WatchError:
                    continue

    try:
        results = run_concurrently(clients, attempt)
    finally:
        for conn in conns:
            conn.connection_pool.disconnect()
    assert sum(results) == limit
    assert r.zcard("opt") == limit
