"""BullMQ, the Node job queue, against the server: tests/node/bullmq.test.mjs run
with node's own test runner (`node --test`) against this module's server.

It runs a queue as a team would: addBulk, workers with concurrency, retries with
exponential and fixed backoff, jobs that end in the failed set, delayed jobs,
priorities, a parent/children flow, a job scheduler, QueueEvents and obliterate,
checking every job's final state. BullMQ does all of that in Lua scripts that
build key names from their arguments, so this needs EVAL/EVALSHA.

`make node-deps` (a prerequisite of `make integration`) installs bullmq and
ioredis into tests/node/node_modules from tests/node/package-lock.json. By hand:

    WEIR_PORT=6379 node --test tests/node/bullmq.test.mjs
"""

import os
import re
import shutil
import signal
import subprocess

import pytest

from conftest import REPO, SCALE, timeout

NODE_DIR = REPO / "tests" / "node"
NODE_TEST = NODE_DIR / "bullmq.test.mjs"


def node_or_fail():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: scripts/deps.sh installs Debian's nodejs (make node-deps)")
    if not (NODE_DIR / "node_modules" / "bullmq").is_dir():
        pytest.fail("bullmq is not installed in tests/node/node_modules: run `make node-deps` "
                    "(npm ci --prefix tests/node)")
    return node


def test_bullmq_queue_lifecycle(server, r):
    node = node_or_fail()
    env = dict(os.environ, WEIR_HOST=server.host, WEIR_PORT=str(server.port),
               WEIR_TIME_SCALE=str(SCALE), NO_COLOR="1")
    cmd = [node, "--test", "--test-reporter=spec", str(NODE_TEST)]
    # node --test runs the file in a child process: on a timeout, kill the whole group.
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8",
                            errors="replace", start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout(120))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"node --test did not finish in {timeout(120)} s\n{out[-20000:]}",
                    pytrace=False)
    assert server.alive(), f"server died under BullMQ\n{server.log()}\n--- node ---\n{out[-20000:]}"
    if proc.returncode != 0:
        pytest.fail(f"node --test failed (exit {proc.returncode}):\n{out[-20000:]}", pytrace=False)
    # The spec reporter's summary: some tests ran, none failed.
    passed = re.search(r"^\S+ pass (\d+)$", out, re.M)
    failed = re.search(r"^\S+ fail (\d+)$", out, re.M)
    assert passed and int(passed[1]) > 0 and failed and int(failed[1]) == 0, out[-20000:]
