"""Users' pattern: a list as a reliable write buffer (work queue).

Producers LPUSH jobs; five consumers move each job atomically into a
processing list (BRPOPLPUSH or BLMOVE), process it, and acknowledge it by
removing it from the processing list in the same MULTI that records the
outcome. A failed job is pushed back for a retry; after MAX_ATTEMPTS it goes
to a dead-letter list. One consumer "crashes" while holding jobs (it never
acknowledges them); a reaper later moves what is left in the processing list
back onto the queue. At the end nothing is lost and nothing was processed
twice."""

import threading
import zlib

import pytest

from conftest import timeout, wait_until

QUEUE = "wb:{q}:queue"
PROCESSING = "wb:{q}:processing"
DONE = "wb:{q}:done"
DEAD = "wb:{q}:dead"
MAX_ATTEMPTS = 3
N_PRODUCERS = 3
JOBS_PER_PRODUCER = 200
N_CONSUMERS = 5


def attempts_key(job):
    return f"wb:{{q}}:attempts:{job}"


def outcome(job, attempt):
    """Deterministic failure model: some jobs always fail (dead-lettered),
    some fail once or twice before succeeding, the rest succeed at once."""
    h = zlib.crc32(job.encode())
    if h % 11 == 0:
        return False
    if h % 5 == 0:
        return attempt > 2
    if h % 3 == 0:
        return attempt > 1
    return True


class Consumer(threading.Thread):
    def __init__(self, server, index, stats, crash_after=None):
        super().__init__(daemon=True)
        self.server = server
        self.index = index
        self.stats = stats
        self.crash_after = crash_after
        self.error = None

    def take(self, r):
        # Alternate between the two blocking moves that implement the pattern.
        if self.index % 2 == 0:
            job = r.brpoplpush(QUEUE, PROCESSING, timeout=1)
        else:
            job = r.blmove(QUEUE, PROCESSING, 1, "RIGHT", "LEFT")
        return job.decode() if job is not None else None

    def run(self):
        try:
            self.loop()
        except Exception as e:  # reported by the test
            self.error = e

    def loop(self):
        r = self.server.client()
        taken = 0
        while True:
            job = self.take(r)
            if job is None:
                if self.stats["producers_done"].is_set():
                    break
                continue
            taken += 1
            if self.crash_after is not None and taken > self.crash_after:
                # Crash: hold the job in PROCESSING without acknowledging it, and drop the
                # connection. The reaper must recover it.
                with self.stats["lock"]:
                    self.stats["crashed"].append(job)
                if taken >= self.crash_after + 3:
                    r.connection_pool.disconnect()
                    return
                continue
            attempt = r.incr(attempts_key(job))
            ok = outcome(job, attempt)
            pipe = r.pipeline(transaction=True)
            pipe.lrem(PROCESSING, 1, job)
            if ok:
                # The side effect: must happen exactly once per job.
                pipe.set(f"wb:{{q}}:effect:{job}", self.index, nx=True)
                pipe.rpush(DONE, job)
            elif attempt >= MAX_ATTEMPTS:
                pipe.rpush(DEAD, job)
            else:
                pipe.lpush(QUEUE, job)
            replies = pipe.execute()
            assert replies[0] == 1, f"ack of {job} removed {replies[0]} entries"
            if ok:
                assert replies[1] is True, f"{job} processed twice"
        r.connection_pool.disconnect()


def run_consumers(server, stats, crash=False):
    consumers = [Consumer(server, i, stats, crash_after=5 if crash and i == 4 else None)
                 for i in range(N_CONSUMERS)]
    for c in consumers:
        c.start()
    return consumers


def join(consumers):
    for c in consumers:
        c.join(timeout(60))
        assert not c.is_alive(), "consumer did not finish"
        if c.error is not None:
            raise c.error


def test_write_buffer_nothing_lost_nothing_twice(server, r):
    stats = {"lock": threading.Lock(), "crashed": [], "producers_done": threading.Event()}
    consumers = run_consumers(server, stats, crash=True)

    def produce(p):
        pr = server.client()
        for i in range(JOBS_PER_PRODUCER):
            pr.lpush(QUEUE, f"job:{p}:{i}")
        pr.connection_pool.disconnect()

    producers = [threading.Thread(target=produce, args=(p,)) for p in range(N_PRODUCERS)]
    for t in producers:
        t.start()
    for t in producers:
        t.join(timeout(60))
    stats["producers_done"].set()
    join(consumers)

    # The crashed consumer's jobs are still in PROCESSING; nothing else is.
    crashed = sorted(stats["crashed"])
    assert len(crashed) == 3
    assert sorted(j.decode() for j in r.lrange(PROCESSING, 0, -1)) == crashed
    assert r.llen(QUEUE) == 0

    # Reaper: move every unacknowledged job back onto the queue, atomically one by one.
    while r.lmove(PROCESSING, QUEUE, "RIGHT", "LEFT") is not None:
        pass
    assert r.exists(PROCESSING) == 0
    assert r.llen(QUEUE) == 3

    # A second round of consumers (no crash) drains the recovered jobs.
    stats["producers_done"].set()
    join(run_consumers(server, stats))

    all_jobs = {f"job:{p}:{i}" for p in range(N_PRODUCERS) for i in range(JOBS_PER_PRODUCER)}
    done = [j.decode() for j in r.lrange(DONE, 0, -1)]
    dead = [j.decode() for j in r.lrange(DEAD, 0, -1)]
    assert len(done) == len(set(done)), "a job was completed twice"
    assert len(dead) == len(set(dead)), "a job was dead-lettered twice"
    assert set(done) | set(dead) == all_jobs, "jobs were lost"
    assert not set(done) & set(dead)
    assert r.exists(QUEUE, PROCESSING) == 0

    # Every dead job failed MAX_ATTEMPTS times; every done job succeeded on its first good try.
    for job in dead:
        assert int(r.get(attempts_key(job))) == MAX_ATTEMPTS
        assert not outcome(job, MAX_ATTEMPTS)
    for job in done:
        attempts = int(r.get(attempts_key(job)))
        assert outcome(job, attempts) and all(not outcome(job, a) for a in range(1, attempts))
        assert r.exists(f"wb:{{q}}:effect:{job}") == 1
    assert dead, "the failure model should dead-letter some jobs"
    assert any(int(r.get(attempts_key(j))) > 1 for j in done), "some jobs should be retried"


@pytest.mark.parametrize("move", ["BRPOPLPUSH", "BLMOVE"])
def test_blocked_consumer_gets_job_pushed_later(r, server, move):
    got = []

    def consume():
        cl = server.client()
        if move == "BRPOPLPUSH":
            got.append(cl.brpoplpush(QUEUE, PROCESSING, timeout=0))
        else:
            got.append(cl.blmove(QUEUE, PROCESSING, 0, "RIGHT", "LEFT"))
        cl.connection_pool.disconnect()

    t = threading.Thread(target=consume)
    t.start()
    wait_until(lambda: r.info("clients")["blocked_clients"] == 1, msg="consumer blocked")
    r.lpush(QUEUE, "late-job")
    t.join(timeout(10))
    assert got == [b"late-job"]
    assert r.lrange(PROCESSING, 0, -1) == [b"late-job"]
    assert r.exists(QUEUE) == 0
