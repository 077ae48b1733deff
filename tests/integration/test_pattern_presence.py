"""The presence pattern as applications use it: a set per room of the users
online there (SADD online:<room> <user>), a per-user heartbeat key with a TTL
(SET presence:<user> 1 EX 90), and a reader that prunes members whose heartbeat
expired (SMEMBERS, then EXISTS of each presence key, then SREM of the stale
ones). TTLs here are milliseconds so the tests stay fast."""

import time

import pytest


def heartbeat(r, room, user, ttl_ms=60000):
    p = r.pipeline(transaction=False)
    p.sadd(f"online:{room}", user)
    p.set(f"presence:{user}", 1, px=ttl_ms)
    p.execute()


def leave(r, room, user):
    r.srem(f"online:{room}", user)


def online(r, room):
    """Users online in room; prunes those whose presence key is gone."""
    key = f"online:{room}"
    users = sorted(r.smembers(key))
    if not users:
        return []
    p = r.pipeline(transaction=False)
    for u in users:
        p.exists(b"presence:" + u)
    alive = p.execute()
    stale = [u for u, ok in zip(users, alive) if not ok]
    if stale:
        r.srem(key, *stale)
    return [u for u, ok in zip(users, alive) if ok]


def names(*xs):
    return sorted(x.encode() for x in xs)


def wait_expired(r, *keys, seconds=5.0):
    deadline = time.monotonic() + seconds
    while any(r.pexpiretime(k) > 0 and r.exists(k) for k in keys):
        assert time.monotonic() < deadline, f"{keys} did not expire"
        time.sleep(0.01)


def test_join_and_list(r):
    for u in ["alice", "bob", "carol"]:
        heartbeat(r, "lobby", u)
    assert online(r, "lobby") == names("alice", "bob", "carol")
    assert r.scard("online:lobby") == 3
    assert r.smismember("online:lobby", ["alice", "dave"]) == [1, 0]


def test_expired_heartbeats_are_pruned(r):
    heartbeat(r, "lobby", "alice", ttl_ms=60000)
    heartbeat(r, "lobby", "bob", ttl_ms=50)
    heartbeat(r, "lobby", "carol", ttl_ms=50)
    time.sleep(0.12)
    assert online(r, "lobby") == names("alice")
    # The prune really removed them from the set.
    assert r.smembers("online:lobby") == {b"alice"}
    assert r.scard("online:lobby") == 1


def test_heartbeat_renews_presence(r):
    heartbeat(r, "lobby", "alice", ttl_ms=150)
    for _ in range(4):
        time.sleep(0.05)
        heartbeat(r, "lobby", "alice", ttl_ms=150)
    assert online(r, "lobby") == names("alice")
    assert 0 < r.pttl("presence:alice") <= 150


def test_last_user_leaving_deletes_the_room(r):
    heartbeat(r, "room1", "alice", ttl_ms=50)
    time.sleep(0.1)
    assert online(r, "room1") == []
    assert r.exists("online:room1") == 0
    heartbeat(r, "room2", "bob")
    leave(r, "room2", "bob")
    assert r.exists("online:room2") == 0


def test_lazy_expiry_without_active_expire(server_factory):
    """With active expiry off, expired presence keys are still in memory; EXISTS
    must report them gone, so the prune still works."""
    srv = server_factory("--enable-debug-command", "yes")
    r = srv.client()
    try:
        assert r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
        heartbeat(r, "lobby", "alice")
        for i in range(20):
            heartbeat(r, "lobby", f"ghost{i}", ttl_ms=20)
        time.sleep(0.06)
        assert r.dbsize() >= 22  # the expired keys were not collected
        assert online(r, "lobby") == names("alice")
        assert r.scard("online:lobby") == 1
    finally:
        r.connection_pool.disconnect()


def test_active_expiry_collects_presence_keys(r):
    for i in range(50):
        heartbeat(r, "lobby", f"u{i}", ttl_ms=30)
    heartbeat(r, "lobby", "stay")
    deadline = time.monotonic() + 5
    while r.dbsize() > 2:  # online:lobby and presence:stay
        assert time.monotonic() < deadline, "active expiry did not collect the presence keys"
        time.sleep(0.05)
    # The set itself keeps the stale members until the app prunes them.
    assert r.scard("online:lobby") == 51
    assert online(r, "lobby") == names("stay")


def test_user_in_several_rooms(r):
    heartbeat(r, "a", "alice")
    heartbeat(r, "b", "alice")
    heartbeat(r, "b", "bob", ttl_ms=50)
    heartbeat(r, "c", "bob", ttl_ms=50)
    heartbeat(r, "c", "carol")
    time.sleep(0.1)
    for room in ["a", "b", "c"]:
        online(r, room)
    assert r.sinter("online:a", "online:b") == {b"alice"}
    assert r.sunion("online:a", "online:b", "online:c") == {b"alice", b"carol"}
    assert r.sunionstore("online:all", ["online:a", "online:b", "online:c"]) == 2


def test_prune_in_a_transaction(r):
    """A careful reader prunes under WATCH so a user who rejoins between the read
    and the SREM is not dropped."""
    heartbeat(r, "lobby", "alice", ttl_ms=30)
    heartbeat(r, "lobby", "bob")
    time.sleep(0.08)
    key = "online:lobby"
    with r.pipeline(transaction=True) as p:
        p.watch(key)
        users = p.smembers(key)
        stale = [u for u in users if not p.exists(b"presence:" + u)]
        p.multi()
        p.srem(key, *stale)
        assert p.execute() == [1]
    assert r.smembers(key) == {b"bob"}


def test_rejoin_during_prune_aborts_transaction(r, connect):
    """SADD of a member already there changes nothing, so WATCH on the room alone
    would miss a rejoin; watching the stale users' presence keys catches it."""
    other = connect()
    heartbeat(r, "lobby", "alice", ttl_ms=30)
    time.sleep(0.08)
    key = "online:lobby"
    with r.pipeline(transaction=True) as p:
        p.watch(key)
        users = p.smembers(key)
        stale = [u for u in users if not p.exists(b"presence:" + u)]
        assert stale == [b"alice"]
        p.watch(*[b"presence:" + u for u in stale])
        # alice comes back before the prune commits: a no-op SADD, a new presence key.
        heartbeat(other, "lobby", "alice")
        p.multi()
        p.srem(key, *stale)
        with pytest.raises(Exception):
            p.execute()
    assert online(r, "lobby") == names("alice")


def test_no_op_rejoin_does_not_touch_the_room(r, connect):
    other = connect()
    heartbeat(r, "lobby", "alice")
    with r.pipeline(transaction=True) as p:
        p.watch("online:lobby")
        heartbeat(other, "lobby", "alice")
        p.multi()
        p.scard("online:lobby")
        assert p.execute() == [1]


def test_many_users(r):
    users = [f"user{i}" for i in range(1000)]
    p = r.pipeline(transaction=False)
    for i, u in enumerate(users):
        p.sadd("online:big", u)
        p.set(f"presence:{u}", 1, px=40 if i % 2 else 60000)
    p.execute()
    assert r.object("encoding", "online:big") == b"hashtable"
    time.sleep(0.1)
    live = online(r, "big")
    assert live == sorted(u.encode() for u in users[::2])
    assert r.scard("online:big") == 500
    # SSCAN walks the room in pages as a dashboard would.
    cursor, seen = 0, set()
    while True:
        cursor, page = r.sscan("online:big", cursor, count=100)
        seen.update(page)
        if cursor == 0:
            break
    assert seen == set(live)
