#!/usr/bin/python3
"""Differential tester: the same random command sequences against Weir and Redis.

    python3 tests/differential/difftest.py --seed 7 --commands 20000
    python3 tests/differential/difftest.py --seed 7 --seconds 60 --threads 4 --keep-going

Replies are compared one by one after normalise.py. On a divergence it prints the seed, the
first diverging command, both replies, and the shortest sequence it can find that still
diverges (replayed on freshly flushed servers), as redis-cli-style lines. See README.md.
"""

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generator  # noqa: E402
import normalise  # noqa: E402
from resp import Connection, ConnectionClosed, encode_command, format_reply  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDIS_BIN = os.environ.get("REDIS_BIN", "/usr/bin/redis-server")
EPOCH_STEPS = 1500  # both servers are flushed this often, which keeps repros short
BATCH = 64  # pipelined commands per round trip
BLOCKING = {b"BLPOP", b"BRPOP", b"BLMOVE", b"BRPOPLPUSH", b"BLMPOP", b"BZPOPMIN", b"BZPOPMAX",
            b"BZMPOP"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, argv_for_port):
        self.name = name
        self.argv_for_port = argv_for_port
        self.dir = tempfile.mkdtemp(prefix=f"difftest-{name}-")
        self.proc = None
        self.port = None

    def start(self):
        for _ in range(5):
            self.port = free_port()
            log = open(os.path.join(self.dir, "server.log"), "ab")
            self.proc = subprocess.Popen(self.argv_for_port(self.port, self.dir), cwd=self.dir,
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
            log.close()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    c = Connection("127.0.0.1", self.port, timeout=2)
                    ok = c.call("PING") == ("+", b"PONG")
                    c.close()
                    if ok:
                        return
                except OSError:
                    time.sleep(0.02)
            self.stop()
        raise RuntimeError(f"{self.name} did not start; see {self.dir}/server.log")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Pair:
    """Weir and Redis, with two client connections to each (conn 0 and conn 1)."""

    def __init__(self, weir_bin, threads, timeout):
        self.timeout = timeout
        self.weir = Server("weir", lambda port, d: [
            weir_bin, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
            "no", "--threads", str(threads)])
        self.redis = Server("redis", lambda port, d: [
            REDIS_BIN, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
            "no", "--dir", d, "--daemonize", "no"])
        self.conns = None
        self.weir.start()
        self.redis.start()

    def reset(self):
        """Fresh connections to flushed servers (restarting any that died), with the default
        encoding thresholds."""
        self.close_conns()
        defaults = [str(x) for item in generator.DEFAULT_THRESHOLDS.items() for x in item]
        for server in (self.weir, self.redis):
            if not server.alive():
                server.start()
            admin = Connection("127.0.0.1", server.port, timeout=self.timeout)
            for command in (["FLUSHALL"], ["CONFIG", "SET"] + defaults):
                reply = admin.call(*command)
                if reply != ("+", b"OK"):
                    raise RuntimeError(f"{command[0]} on {server.name}: {reply}")
            admin.close()
        self.conns = [[Connection("127.0.0.1", s.port, timeout=self.timeout)
                       for s in (self.weir, self.redis)] for _ in range(2)]

    def close_conns(self):
        for pair in self.conns or []:
            for c in pair:
                c.close()
        self.conns = None

    def cleanup(self):
        self.close_conns()
        self.weir.cleanup()
        self.redis.cleanup()


class Divergence:
    def __init__(self, index, args, weir_reply, redis_reply, note=""):
        self.index = index
        self.args = args
        self.weir_reply = weir_reply
        self.redis_reply = redis_reply
        self.note = note

    def signature(self):
        return normalise.upper(self.args[0]) if self.args else b""


class ConnState:
    def __init__(self):
        self.in_multi = False
        self.queue = []


def run_steps(pair, steps, ctx, conn_states, base=0, first_only=True):
    """Send `steps` (pipelined per connection) to both servers and compare every reply.

    Returns the divergences found (only the first when first_only)."""
    found = []
    i = 0
    while i < len(steps):
        conn = steps[i][0]
        j = i
        while j < len(steps) and j - i < BATCH and steps[j][0] == conn:
            j += 1
        batch = steps[i:j]
        payload = b"".join(encode_command(args) for _, args in batch)
        replies = []
        for side in (0, 1):
            c = pair.conns[conn][side]
            try:
                c.send(payload)
                replies.append([c.read() for _ in batch])
            except (OSError, ConnectionClosed, ValueError) as e:
                name = ("weir", "redis")[side]
                alive = (pair.weir, pair.redis)[side].alive()
                # find the step it died on is not possible over a pipeline: blame the batch
                found.append(Divergence(base + j - 1, batch[-1][1], None, None,
                                        f"{name} {'alive' if alive else 'DIED'}: {e!r} "
                                        f"(during steps {base + i}..{base + j - 1})"))
                return found
        for k, (_, args) in enumerate(batch):
            d = compare_step(args, replies[0][k], replies[1][k], ctx, conn_states[conn])
            if d is not None:
                found.append(Divergence(base + i + k, args, replies[0][k], replies[1][k], d))
                if first_only:
                    return found
        i = j
    return found


def compare_step(args, weir_reply, redis_reply, ctx, state):
    """None when the replies agree, else a short note."""
    name = normalise.upper(args[0])
    ctx.note_command(args)
    if name == b"EXEC" and state.in_multi and redis_reply[0] == "*" and redis_reply[1] is not None:
        queue, state.queue, state.in_multi = state.queue, [], False
        if weir_reply[0] != "*" or weir_reply[1] is None or len(weir_reply[1]) != len(queue):
            return "EXEC reply shape"
        for n, (qargs, w, r) in enumerate(zip(queue, weir_reply[1], redis_reply[1])):
            cr = normalise.canonical(qargs, r, "redis", ctx)
            cw = normalise.canonical(qargs, w, "weir", ctx)
            if not normalise.equal(cw, cr) and not normalise.tolerated(qargs, w, r, ctx,
                                                                       in_exec=True):
                return f"EXEC element {n} ({show_args(qargs)})"
        return None
    if name in (b"EXEC", b"RESET") or (name == b"DISCARD" and redis_reply[0] != "-"):
        # (an EXEC refused inside MULTI, wrong arity included, aborts it; a DISCARD does not)
        state.in_multi, state.queue = False, []
    elif name == b"MULTI":
        if redis_reply == ("+", b"OK"):
            state.in_multi, state.queue = True, []
    elif state.in_multi and name != b"WATCH" and redis_reply == ("+", b"QUEUED"):
        state.queue.append(args)
    cr = normalise.canonical(args, redis_reply, "redis", ctx)
    cw = normalise.canonical(args, weir_reply, "weir", ctx)
    if normalise.equal(cw, cr) or normalise.tolerated(args, weir_reply, redis_reply, ctx):
        return None
    return "reply"


def replay(pair, steps):
    """Run `steps` on freshly flushed servers; the first divergence or None."""
    pair.reset()
    found = run_steps(pair, steps, normalise.Context(), [ConnState(), ConnState()])
    return found[0] if found else None


def can_block(steps):
    """True if a blocking command would run outside MULTI (a minimiser candidate to skip)."""
    in_multi = False
    for _, args in steps:
        name = normalise.upper(args[0])
        if name == b"MULTI":
            in_multi = True
        elif name in (b"EXEC", b"DISCARD"):
            in_multi = False
        elif name in BLOCKING and not in_multi:
            return True
    return False


def minimise(pair, steps, signature, budget_s):
    """Delta debugging: the shortest sub-sequence found that still diverges on `signature`."""
    deadline = time.monotonic() + budget_s
    tries = [0]

    def diverges(candidate):
        if not candidate or can_block(candidate) or time.monotonic() > deadline:
            return False
        tries[0] += 1
        d = replay(pair, candidate)
        return d is not None and d.signature() == signature and d.index == len(candidate) - 1

    # the last step must stay the diverging one; first find a short enough suffix
    n = 1
    while n < len(steps) and not diverges(steps[-n:]):
        n *= 2
    steps = steps[-n:] if n < len(steps) else steps
    # then ddmin over the rest, the diverging step kept at the end
    body, last = steps[:-1], steps[-1]
    chunks = 2
    while body and time.monotonic() < deadline:
        size = max(1, len(body) // chunks)
        reduced = False
        for start in range(0, len(body), size):
            candidate = body[:start] + body[start + size:]
            if diverges(candidate + [last]):
                body = candidate
                chunks = max(chunks - 1, 2)
                reduced = True
                break
        if not reduced:
            if size == 1:
                break
            chunks = min(chunks * 2, len(body))
    return body + [last], tries[0]


def quote(arg):
    b = arg if isinstance(arg, bytes) else str(arg).encode()
    if b and all(33 <= c < 127 and c not in b'"\'\\' for c in b):
        return b.decode()
    out = []
    for c in b:
        if 32 <= c < 127 and c not in b'"\\':
            out.append(chr(c))
        elif c == ord('"'):
            out.append('\\"')
        elif c == ord('\\'):
            out.append('\\\\')
        else:
            out.append(f"\\x{c:02x}")
    return '"' + "".join(out) + '"'


def show_args(args):
    return " ".join(quote(a) for a in args)


def show_steps(steps):
    lines = []
    for conn, args in steps:
        prefix = "" if conn == 0 else "[conn 1] "
        lines.append(prefix + show_args(args))
    return "\n".join(lines)


def report(seed, d, steps, pair, minimise_s):
    print(f"\n=== DIVERGENCE (seed {seed}, step {d.index}): {d.note}")
    print("command:", show_args(d.args))
    for label, reply in (("weir", d.weir_reply), ("redis", d.redis_reply)):
        print(f"--- {label}:")
        print(format_reply(reply) if reply is not None else "(no reply)")
    print(keyspace_difference(pair))
    if minimise_s <= 0:
        return
    sig = d.signature()
    shortest, tries = minimise(pair, steps[:d.index + 1], sig, minimise_s)
    final = replay(pair, shortest)
    print(f"--- shortest reproduction ({len(shortest)} commands, {tries} replays):")
    print(show_steps(shortest))
    if final is not None and final.weir_reply is not None:
        print("--- its last reply, weir:\n" + format_reply(final.weir_reply))
        print("--- redis:\n" + format_reply(final.redis_reply))
    sys.stdout.flush()


def keyspace_difference(pair):
    """Keys that only one server holds right after the divergence (db 0 and 1)."""
    lines = []
    for db in (0, 1):
        names = []
        for server in (pair.weir, pair.redis):
            try:
                c = Connection("127.0.0.1", server.port, timeout=5)
                c.call("SELECT", db)
                names.append({x[1] for x in c.call("KEYS", "*")[1]})
                c.close()
            except (OSError, ConnectionClosed, ValueError, TypeError):
                return "--- keyspace: a server does not answer"
        if names[0] != names[1]:
            lines.append(f"--- db {db}: keys only in weir {sorted(names[0] - names[1])}, "
                         f"only in redis {sorted(names[1] - names[0])}")
    return "\n".join(lines) or "--- same key names in db 0 and 1"


def epoch_start(rng, resp3_ratio):
    steps = []
    for conn in (0, 1):
        if rng.random() < resp3_ratio:
            steps.append((conn, ["HELLO", "3"]))
    return steps


def run_seed(pair, seed, args, deadline, stats):
    gen = generator.Generator(seed)
    rng = random.Random(seed * 7919 + 1)
    compared = 0
    while compared < args.commands and time.monotonic() < deadline:
        steps = epoch_start(rng, args.resp3_ratio)
        gen.new_epoch()
        while len(steps) < args.epoch:
            if rng.random() < 0.002:
                steps.append((rng.randint(0, 1), ["HELLO", rng.choice(["2", "3"])]))
            if gen.chance(0.01):
                steps += gen.blocking_in_multi()
            else:
                steps += [s for s in gen.steps()]
        steps = steps[:max(1, min(len(steps), args.commands - compared + 8))]
        pair.reset()
        found = run_steps(pair, steps, normalise.Context(), [ConnState(), ConnState()],
                          first_only=True)
        done = found[0].index + 1 if found else len(steps)
        compared += done
        stats["compared"] += done
        if found:
            stats["divergences"] += 1
            report(seed, found[0], steps, pair, args.minimise_seconds)
            if not args.keep_going:
                return False
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--seed", type=int, action="append",
                   help="a seed (repeatable); default: one random seed")
    p.add_argument("--commands", type=int, default=None,
                   help="commands per seed (default 10000 unless --seconds)")
    p.add_argument("--seconds", type=float, default=None, help="total time budget")
    p.add_argument("--threads", type=int, default=1, help="weir --threads (default 1)")
    p.add_argument("--resp3-ratio", type=float, default=0.3,
                   help="share of connections speaking RESP3 (HELLO 3)")
    p.add_argument("--keep-going", action="store_true",
                   help="after a divergence, flush and continue with the next commands")
    p.add_argument("--minimise-seconds", type=float, default=120,
                   help="time to spend shrinking each divergence (0: do not)")
    p.add_argument("--timeout", type=float, default=20, help="socket timeout per reply")
    p.add_argument("--epoch", type=int, default=EPOCH_STEPS,
                   help="commands between two flushes of both servers (longer: deeper states, "
                   "longer reproductions)")
    args = p.parse_args()
    seeds = args.seed or [random.randrange(1 << 31)]
    if args.commands is None:
        args.commands = 10000 if args.seconds is None else 1 << 62
    weir_bin = os.environ.get("WEIR_BIN", os.path.join(ROOT, "build", "weir"))
    if not os.access(weir_bin, os.X_OK):
        sys.exit(f"difftest: weir binary {weir_bin!r} not found (build it or set WEIR_BIN)")

    stats = {"compared": 0, "divergences": 0}
    start = time.monotonic()
    pair = Pair(weir_bin, args.threads, args.timeout)
    try:
        for n, seed in enumerate(seeds):
            # a time budget is shared out over the seeds that are left
            if args.seconds is not None:
                left = args.seconds - (time.monotonic() - start)
                deadline = time.monotonic() + left / (len(seeds) - n)
            else:
                deadline = float("inf")
            print(f"difftest: seed {seed}", flush=True)
            if not run_seed(pair, seed, args, deadline, stats):
                break
    finally:
        pair.cleanup()
    elapsed = time.monotonic() - start
    print(f"difftest: {stats['compared']} commands compared over seeds "
          f"{','.join(map(str, seeds))} (--threads {args.threads}) in {elapsed:.1f}s, "
          f"{stats['divergences']} divergences")
    sys.exit(1 if stats["divergences"] else 0)


if __name__ == "__main__":
    main()
