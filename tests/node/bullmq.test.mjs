// BullMQ against a Redis-compatible server, run the way a team runs a job queue:
// bulk adds, concurrent workers, retries with backoff, jobs that end in the failed set,
// delayed jobs, priorities, parent/children flows, a job scheduler, QueueEvents, and
// obliterate at the end. Every job's final state is checked.
//
// BullMQ does all of its queue work in Lua scripts (EVALSHA, EVAL after NOSCRIPT), many of
// which build key names from their arguments, so this needs a server with scripting.
//
//   WEIR_PORT=6379 node --test tests/node/bullmq.test.mjs
//
// Environment: WEIR_PORT (required), WEIR_HOST (default 127.0.0.1), WEIR_TIME_SCALE (default
// 1; multiplies every wait, for sanitizer builds). tests/integration/test_bullmq.py runs it
// against the server under test; `make node-deps` installs bullmq (tests/node/package.json).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowProducer, Queue, QueueEvents, Worker } from 'bullmq';
import IORedis from 'ioredis';

const PORT = Number(process.env.WEIR_PORT);
if (!PORT) {
  throw new Error('set WEIR_PORT to the port of the server to test');
}
const HOST = process.env.WEIR_HOST || '127.0.0.1';
const SCALE = Number(process.env.WEIR_TIME_SCALE || '1');
// A fresh key prefix per run: the last test checks that nothing is left under it.
const PREFIX = `bmqtest${process.pid}`;
const connection = { host: HOST, port: PORT, maxRetriesPerRequest: null };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, predicate, ms = 10000) {
  const deadline = Date.now() + ms * SCALE;
  for (;;) {
    if (await predicate()) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms * SCALE} ms waiting for ${what}`);
    }
    await sleep(10);
  }
}

// Everything a test opens is closed at its end (workers first, so none is mid-job when its
// queue closes); queue names are remembered for the obliterate test.
const queueNames = new Set();
let opened = [];
const admin = new IORedis(connection);

function track(obj) {
  opened.push(obj);
  return obj;
}

function newQueue(name) {
  queueNames.add(name);
  return track(new Queue(name, { connection, prefix: PREFIX }));
}

function newWorker(name, processor, opts = {}) {
  const worker = new Worker(name, processor, { connection, prefix: PREFIX, ...opts });
  // An unhandled 'error' event would kill the test process without saying which test.
  worker.on('error', (err) => console.error(`worker ${name}: ${err.stack || err}`));
  return track(worker);
}

async function newQueueEvents(name) {
  const events = track(new QueueEvents(name, { connection, prefix: PREFIX }));
  events.on('error', (err) => console.error(`queue events ${name}: ${err.stack || err}`));
  await events.waitUntilReady();
  return events;
}

async function closeAll() {
  const workers = opened.filter((o) => o instanceof Worker);
  const rest = opened.filter((o) => !(o instanceof Worker));
  opened = [];
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(rest.map((o) => o.close()));
}

function zeroCounts(overrides) {
  return {
    active: 0, completed: 0, delayed: 0, failed: 0, paused: 0, prioritized: 0,
    'waiting-children': 0, waiting: 0, ...overrides,
  };
}

async function counts(queue) {
  return queue.getJobCounts('active', 'completed', 'delayed', 'failed', 'paused', 'prioritized',
    'waiting-children', 'waiting');
}

// A completed job as BullMQ records it: one attempt unless said otherwise, times in order.
// A job that completed after retries keeps the reason its last failed attempt gave.
function checkCompleted(job, { returnvalue, attempts = 1, failedReason = undefined }) {
  assert.equal(job.attemptsMade, attempts, `job ${job.id} attemptsMade`);
  assert.deepEqual(job.returnvalue, returnvalue, `job ${job.id} returnvalue`);
  assert.equal(job.failedReason, failedReason, `job ${job.id} failedReason`);
  assert.ok(job.processedOn >= job.timestamp, `job ${job.id} processedOn >= timestamp`);
  assert.ok(job.finishedOn >= job.processedOn, `job ${job.id} finishedOn >= processedOn`);
}

// ioredis puts the whole command on its errors, here a BullMQ script of several kilobytes:
// keep its name and the key names, so a failure report stays readable.
function readable(err) {
  if (err && err.command && Array.isArray(err.command.args)) {
    const { name, args } = err.command;
    const short = args.map((a) => (typeof a === 'string' && a.length <= 80 ? a : `<${a.length} bytes>`));
    err.command = { name, args: short };
  }
  return err;
}

function qtest(name, fn) {
  return test(name, async (t) => {
    try {
      await fn(t);
    } catch (err) {
      throw readable(err);
    }
  });
}

before(async () => {
  // The server must answer INFO the way BullMQ reads it (version, eviction policy).
  const info = await admin.info('server');
  assert.match(info, /redis_version:\d+\.\d+/);
});

after(async () => {
  await closeAll();
  await admin.quit();
});

qtest('addBulk and a worker with concurrency: every job completes once', async (t) => {
  t.after(closeAll);
  const name = 'bulk';
  const queue = newQueue(name);
  const events = await newQueueEvents(name);
  const completedEvents = new Map();
  events.on('completed', ({ jobId, returnvalue }) => completedEvents.set(jobId, returnvalue));

  const total = 300;
  const added = [];
  for (let start = 0; start < total; start += 100) {
    const chunk = [];
    for (let i = start; i < start + 100; i++) {
      chunk.push({ name: 'square', data: { n: i } });
    }
    added.push(...(await queue.addBulk(chunk)));
  }
  assert.equal(added.length, total);
  assert.equal(new Set(added.map((j) => j.id)).size, total, 'job ids are unique');
  assert.deepEqual(await counts(queue), zeroCounts({ waiting: total }));

  let inFlight = 0;
  let maxInFlight = 0;
  const runs = new Map();
  newWorker(name, async (job) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    runs.set(job.id, (runs.get(job.id) || 0) + 1);
    // The first jobs take longer, so that they overlap even when the server is slow.
    await sleep(job.data.n < 16 ? 20 : 2 + (job.data.n % 5));
    inFlight--;
    return { square: job.data.n * job.data.n };
  }, { concurrency: 8 });

  await waitFor('all jobs completed', async () => (await queue.getCompletedCount()) === total);
  await waitFor('a completed event per job', () => completedEvents.size === total);
  assert.deepEqual(await counts(queue), zeroCounts({ completed: total }));
  assert.ok(maxInFlight > 1 && maxInFlight <= 8, `jobs in flight at once: ${maxInFlight}`);
  for (const job of added) {
    assert.equal(runs.get(job.id), 1, `job ${job.id} ran once`);
    const done = await queue.getJob(job.id);
    const square = job.data.n * job.data.n;
    checkCompleted(done, { returnvalue: { square } });
    assert.equal(await done.getState(), 'completed');
    assert.deepEqual(completedEvents.get(job.id), { square });
  }
});

qtest('retries with exponential and fixed backoff, and jobs that end in the failed set',
  async (t) => {
    t.after(closeAll);
    const name = 'retries';
    const queue = newQueue(name);
    const events = await newQueueEvents(name);
    const failedEvents = new Map();
    const completedEvents = new Set();
    events.on('failed', ({ jobId, failedReason }) => failedEvents.set(jobId, failedReason));
    events.on('completed', ({ jobId }) => completedEvents.add(jobId));

    const attempts = { attempts: 3 };
    const exp = { ...attempts, backoff: { type: 'exponential', delay: 40 } };
    const fixed = { ...attempts, backoff: { type: 'fixed', delay: 60 } };
    const jobs = await queue.addBulk([
      // Fail twice, succeed on the third attempt.
      { name: 'flaky', data: { failTimes: 2 }, opts: exp },
      { name: 'flaky', data: { failTimes: 2 }, opts: fixed },
      // Fail once, succeed on the second.
      { name: 'flaky', data: { failTimes: 1 }, opts: exp },
      // Always fail: in the failed set after 3 attempts.
      { name: 'doomed', data: { failTimes: 99 }, opts: exp },
      { name: 'doomed', data: { failTimes: 99 }, opts: fixed },
      // No retries asked for: failed after one attempt.
      { name: 'doomed', data: { failTimes: 99 } },
    ]);
    const [exp2, fixed2, exp1, expDoomed, fixedDoomed, once] = jobs;

    const startedAt = new Map();
    newWorker(name, async (job) => {
      const times = startedAt.get(job.id) || [];
      times.push(Date.now());
      startedAt.set(job.id, times);
      if (job.attemptsMade < job.data.failTimes) {
        throw new Error(`attempt ${job.attemptsMade + 1} of ${job.id} failed`);
      }
      return `ok after ${job.attemptsMade + 1}`;
    }, { concurrency: 4 });

    await waitFor('all jobs finished', async () => {
      const c = await counts(queue);
      return c.completed + c.failed === jobs.length;
    });
    await waitFor('finished events', () => completedEvents.size + failedEvents.size === jobs.length);
    assert.deepEqual(await counts(queue), zeroCounts({ completed: 3, failed: 3 }));

    for (const [job, runs] of [[exp2, 3], [fixed2, 3], [exp1, 2]]) {
      const done = await queue.getJob(job.id);
      checkCompleted(done, {
        returnvalue: `ok after ${runs}`, attempts: runs,
        failedReason: `attempt ${runs - 1} of ${job.id} failed`,
      });
      assert.equal(startedAt.get(job.id).length, runs);
      assert.ok(completedEvents.has(job.id));
    }
    for (const [job, runs] of [[expDoomed, 3], [fixedDoomed, 3], [once, 1]]) {
      const done = await queue.getJob(job.id);
      assert.equal(await done.getState(), 'failed');
      assert.equal(done.attemptsMade, runs, `job ${job.id} attemptsMade`);
      assert.equal(done.failedReason, `attempt ${runs} of ${job.id} failed`);
      assert.equal(done.returnvalue, null);
      assert.equal(done.stacktrace.length, runs, `job ${job.id} keeps a stack trace per attempt`);
      assert.ok(done.finishedOn >= done.processedOn);
      assert.equal(startedAt.get(job.id).length, runs);
      // QueueEvents says 'failed' once, for the final failure.
      assert.equal(failedEvents.get(job.id), done.failedReason);
    }
    assert.deepEqual((await queue.getFailed()).map((j) => j.id).sort(),
      [expDoomed.id, fixedDoomed.id, once.id].sort());

    // The gaps between attempts follow the backoff: exponential 40 then 80 ms, fixed 60 ms.
    // (Lower bounds only: a loaded machine makes them longer, never shorter.)
    const gaps = (id) => startedAt.get(id).slice(1).map((ts, i) => ts - startedAt.get(id)[i]);
    const slack = 5; // timer granularity
    for (const id of [exp2.id, expDoomed.id]) {
      const [g1, g2] = gaps(id);
      assert.ok(g1 >= 40 - slack && g2 >= 80 - slack, `exponential gaps of ${id}: ${gaps(id)}`);
    }
    for (const id of [fixed2.id, fixedDoomed.id]) {
      assert.ok(gaps(id).every((g) => g >= 60 - slack), `fixed gaps of ${id}: ${gaps(id)}`);
    }
  });

qtest('delayed jobs wait for their delay', async (t) => {
  t.after(closeAll);
  const name = 'delayed';
  const queue = newQueue(name);
  const now = await queue.add('now', { v: 1 });
  const later = await queue.add('later', { v: 2 }, { delay: 300 });
  const soon = await queue.add('soon', { v: 3 }, { delay: 150 });
  assert.equal(await later.getState(), 'delayed');
  assert.deepEqual(await counts(queue), zeroCounts({ waiting: 1, delayed: 2 }));

  const order = [];
  newWorker(name, async (job) => {
    order.push(job.name);
    return job.data.v * 10;
  });
  await waitFor('all jobs completed', async () => (await queue.getCompletedCount()) === 3);
  assert.deepEqual(order, ['now', 'soon', 'later']);
  assert.deepEqual(await counts(queue), zeroCounts({ completed: 3 }));
  for (const [job, delay] of [[now, 0], [soon, 150], [later, 300]]) {
    const done = await queue.getJob(job.id);
    checkCompleted(done, { returnvalue: job.data.v * 10 });
    assert.ok(done.processedOn - done.timestamp >= delay,
      `${job.name} ran ${done.processedOn - done.timestamp} ms after it was added`);
  }
});

qtest('priorities: lower numbers first, FIFO within a priority', async (t) => {
  t.after(closeAll);
  const name = 'priorities';
  const queue = newQueue(name);
  const spec = [5, 1, 3, 2, 5, 1, 4, 3, 2, 1];
  const jobs = await queue.addBulk(spec.map((priority, i) => ({
    name: `p${priority}-${i}`, data: { i }, opts: { priority },
  })));
  assert.deepEqual(await counts(queue), zeroCounts({ prioritized: spec.length }));

  const order = [];
  newWorker(name, async (job) => {
    order.push(job.data.i);
    return job.opts.priority;
  }, { concurrency: 1 });
  await waitFor('all jobs completed', async () => (await queue.getCompletedCount()) === spec.length);
  const expected = spec.map((p, i) => [p, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, i]) => i);
  assert.deepEqual(order, expected);
  assert.deepEqual(await counts(queue), zeroCounts({ completed: spec.length }));
  for (const job of jobs) {
    checkCompleted(await queue.getJob(job.id), { returnvalue: job.opts.priority });
  }
});

qtest('a flow: the parent runs after its children and gets their values', async (t) => {
  t.after(closeAll);
  const parentName = 'flow-parent';
  const childName = 'flow-child';
  const parents = newQueue(parentName);
  const children = newQueue(childName);
  const flows = track(new FlowProducer({ connection, prefix: PREFIX }));
  const tree = await flows.add({
    name: 'total', queueName: parentName, data: {},
    children: [
      { name: 'part', queueName: childName, data: { n: 1 } },
      { name: 'part', queueName: childName, data: { n: 2 } },
      {
        name: 'subtotal', queueName: parentName, data: {},
        children: [
          { name: 'part', queueName: childName, data: { n: 10 } },
          { name: 'part', queueName: childName, data: { n: 20 } },
        ],
      },
    ],
  });
  assert.equal(await tree.job.getState(), 'waiting-children');
  assert.deepEqual(await counts(parents), zeroCounts({ 'waiting-children': 2 }));
  assert.deepEqual(await counts(children), zeroCounts({ waiting: 4 }));

  const sumChildren = async (job) => {
    const values = await job.getChildrenValues();
    return Object.values(values).reduce((a, b) => a + b, 0);
  };
  newWorker(parentName, sumChildren, { concurrency: 2 });
  newWorker(childName, async (job) => {
    await sleep(5);
    return job.data.n;
  }, { concurrency: 4 });

  await waitFor('the flow completed', async () => (await tree.job.getState()) === 'completed');
  const top = await parents.getJob(tree.job.id);
  checkCompleted(top, { returnvalue: 33 });
  const sub = tree.children.find((c) => c.job.name === 'subtotal');
  const subDone = await parents.getJob(sub.job.id);
  checkCompleted(subDone, { returnvalue: 30 });
  // Every child finished before its parent started.
  const leaves = async (node) => Promise.all(node.children.map(async (c) => {
    const q = c.job.queueName === parentName ? parents : children;
    return q.getJob(c.job.id);
  }));
  for (const [parent, node] of [[top, tree], [subDone, sub]]) {
    const kids = await leaves(node);
    for (const kid of kids) {
      assert.equal(await kid.getState(), 'completed');
      assert.ok(kid.finishedOn <= parent.processedOn,
        `child ${kid.id} finished at ${kid.finishedOn}, parent started at ${parent.processedOn}`);
    }
    const values = await parent.getChildrenValues();
    assert.equal(Object.keys(values).length, kids.length);
    assert.deepEqual(Object.values(values).sort((a, b) => a - b),
      kids.map((k) => k.returnvalue).sort((a, b) => a - b));
    const deps = await parent.getDependenciesCount();
    assert.equal(deps.processed, kids.length);
    assert.equal(deps.unprocessed, 0);
  }
  assert.deepEqual(await counts(parents), zeroCounts({ completed: 2 }));
  assert.deepEqual(await counts(children), zeroCounts({ completed: 4 }));
});

qtest('a job scheduler repeats its job every interval', async (t) => {
  t.after(closeAll);
  const name = 'scheduler';
  const queue = newQueue(name);
  const events = await newQueueEvents(name);
  let completedEvents = 0;
  events.on('completed', () => completedEvents++);

  const every = 100;
  await queue.upsertJobScheduler('tick', { every }, { name: 'tick', data: { hello: 'world' } });
  const schedulers = await queue.getJobSchedulers();
  assert.equal(schedulers.length, 1);
  assert.equal(schedulers[0].key, 'tick');
  assert.equal(Number(schedulers[0].every), every);

  const runs = [];
  newWorker(name, async (job) => {
    runs.push({ id: job.id, at: Date.now(), data: job.data, scheduler: job.repeatJobKey });
    return runs.length;
  }, { concurrency: 2 });

  await waitFor('four iterations', () => runs.length >= 4);
  assert.equal(await queue.removeJobScheduler('tick'), true);
  assert.deepEqual(await queue.getJobSchedulers(), []);
  // Let an iteration that was already under way finish, then nothing more comes.
  await waitFor('no job active or waiting', async () => {
    const c = await counts(queue);
    return c.active + c.waiting + c.delayed + c.prioritized === 0;
  });
  const done = runs.length;
  await sleep(3 * every);
  assert.equal(runs.length, done, 'no iteration after the scheduler was removed');

  assert.equal(new Set(runs.map((r) => r.id)).size, runs.length, 'a new job per iteration');
  for (const run of runs) {
    assert.deepEqual(run.data, { hello: 'world' });
    assert.equal(run.scheduler, 'tick');
  }
  const c = await counts(queue);
  assert.deepEqual(c, zeroCounts({ completed: runs.length }), 'the pending iteration went too');
  await waitFor('a completed event per iteration', () => completedEvents === runs.length);
  // Each iteration is a job 'repeat:tick:<its time>', the times whole intervals apart (the first
  // is immediate; a slot already past when an iteration is scheduled is skipped, which a
  // loaded machine can cause), and none ran before its time.
  const completed = (await queue.getCompleted()).sort((a, b) => a.opts.repeat.count - b.opts.repeat.count);
  assert.equal(completed.length, runs.length);
  const due = completed.map((job) => Number(job.id.match(/^repeat:tick:(\d+)$/)[1]));
  completed.forEach((job, i) => {
    assert.equal(job.opts.repeat.count, i + 1);
    if (i > 0) {
      const gap = due[i] - due[i - 1];
      assert.ok(gap > 0 && gap % every === 0, `job ${job.id} after ${completed[i - 1].id}`);
    }
    assert.ok(job.processedOn >= due[i], `job ${job.id} ran at ${job.processedOn}`);
    assert.equal(job.attemptsMade, 1);
    assert.ok(job.finishedOn >= job.processedOn);
  });
  assert.deepEqual(completed.map((j) => j.returnvalue).sort((a, b) => a - b),
    runs.map((_, i) => i + 1));
});

qtest('obliterate removes every queue and its keys', async () => {
  const scan = async () => {
    const keys = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  };
  assert.ok((await scan()).length > 0, 'the earlier tests left queue keys');
  for (const name of queueNames) {
    const queue = newQueue(name);
    await queue.obliterate({ force: true });
    const left = (await scan()).filter((k) => k.startsWith(`${PREFIX}:${name}:`));
    assert.deepEqual(left, [], `keys of queue ${name} after obliterate`);
  }
  await closeAll();
  assert.deepEqual(await scan(), []);
});
