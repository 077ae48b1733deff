// BullMQ's own job throughput against one server: add jobs with addBulk in chunks, then
// process them with one Worker. bench/bench.py runs it for the BullMQ rows (a phase each);
// run by hand it does both phases and prints one JSON object per phase:
//
//   node bench/bullmq_bench.mjs --port 6379 [--phase add|process|all] [--jobs 50000]
//        [--chunk 1000] [--concurrency 50] [--queue bench] [--timeout 300]
//
// Each object: ok, error (when not ok), phase, jobs, seconds, jobs_per_s, p50_ms / p99_ms (add:
// the time of one addBulk call), and the server's CPU over the phase from INFO (used_cpu_sys +
// used_cpu_user): server_cpu_s, jobs_per_server_cpu_s. The jobs are { n } with default options
// (completed jobs are kept); the processor returns n * 2 and does nothing else, so what is
// measured is the queue: BullMQ's Lua scripts on the server and its client round trips.
// `add` expects an empty queue, `process` one holding exactly --jobs waiting jobs.
//
// bullmq comes from tests/node/node_modules (`make node-deps`).

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(new URL('../tests/node/package.json', import.meta.url));

function parseArgs(argv) {
  const opts = {
    host: '127.0.0.1', port: 6379, phase: 'all', jobs: 50000, chunk: 1000, concurrency: 50,
    queue: 'bench', timeout: 300,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in opts) || i + 1 >= argv.length) {
      throw new Error(`unknown option or missing value: ${argv[i]}`);
    }
    opts[name] = typeof opts[name] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!['add', 'process', 'all'].includes(opts.phase)) {
    throw new Error(`--phase must be add, process or all, not ${opts.phase}`);
  }
  return opts;
}

function percentile(sorted, p) {
  if (sorted.length === 0) {
    return null;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function serverCpu(client) {
  const info = await client.info('cpu');
  const field = (name) => {
    const m = info.match(new RegExp(`^${name}:([0-9.]+)`, 'm'));
    if (!m) {
      throw new Error(`INFO cpu has no ${name}`);
    }
    return Number(m[1]);
  };
  return field('used_cpu_sys') + field('used_cpu_user');
}

function result(phase, jobs, seconds, cpu, extra = {}) {
  return {
    ok: true, phase, jobs, seconds, jobs_per_s: jobs / seconds,
    p50_ms: null, p99_ms: null, ...extra,
    server_cpu_s: cpu, jobs_per_server_cpu_s: cpu > 0 ? jobs / cpu : null,
  };
}

async function addPhase(opts, queue, client) {
  const before = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
  if (Object.values(before).some((n) => n !== 0)) {
    throw new Error(`the queue is not empty before adding: ${JSON.stringify(before)}`);
  }
  const latencies = [];
  const cpu0 = await serverCpu(client);
  const t0 = performance.now();
  for (let start = 0; start < opts.jobs; start += opts.chunk) {
    const chunk = [];
    for (let n = start; n < Math.min(opts.jobs, start + opts.chunk); n++) {
      chunk.push({ name: 'job', data: { n } });
    }
    const c0 = performance.now();
    await queue.addBulk(chunk);
    latencies.push(performance.now() - c0);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await serverCpu(client)) - cpu0;
  const waiting = await queue.getWaitingCount();
  if (waiting !== opts.jobs) {
    throw new Error(`${waiting} jobs waiting after adding ${opts.jobs}`);
  }
  latencies.sort((a, b) => a - b);
  return result('add', opts.jobs, seconds, cpu,
    { p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), chunk: opts.chunk });
}

async function processPhase(opts, bullmq, connection, queue, client) {
  const waiting = await queue.getWaitingCount();
  if (waiting !== opts.jobs) {
    throw new Error(`${waiting} jobs waiting, expected ${opts.jobs} (run the add phase first)`);
  }
  let completed = 0;
  let failed = 0;
  let firstError = null;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const cpu0 = await serverCpu(client);
  const t0 = performance.now();
  const worker = new bullmq.Worker(opts.queue, async (job) => job.data.n * 2,
    { connection, concurrency: opts.concurrency });
  worker.on('completed', () => {
    if (++completed + failed === opts.jobs) {
      finish();
    }
  });
  worker.on('failed', (job, err) => {
    firstError = firstError || err;
    if (completed + ++failed === opts.jobs) {
      finish();
    }
  });
  worker.on('error', (err) => {
    firstError = firstError || err;
    finish();
  });
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await serverCpu(client)) - cpu0;
  await worker.close();
  if (firstError) {
    throw firstError;
  }
  const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed');
  if (counts.completed !== opts.jobs || counts.waiting + counts.active + counts.failed !== 0) {
    throw new Error(`after processing ${opts.jobs} jobs: ${JSON.stringify(counts)}`);
  }
  return result('process', opts.jobs, seconds, cpu, { concurrency: opts.concurrency });
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`bullmq_bench: ${err.message}`);
    process.exit(2);
  }
  const phases = opts.phase === 'all' ? ['add', 'process'] : [opts.phase];
  let bullmq;
  let IORedis;
  try {
    bullmq = require('bullmq');
    IORedis = require('ioredis');
  } catch (err) {
    console.log(JSON.stringify({ ok: false, phase: phases[0],
      error: `cannot load bullmq from tests/node/node_modules (make node-deps): ${err.message}` }));
    process.exit(1);
  }
  const connection = { host: opts.host, port: opts.port, maxRetriesPerRequest: null };
  // A failing server must not hang the bench: give up after --timeout seconds.
  const timer = setTimeout(() => {
    console.log(JSON.stringify({ ok: false, phase: opts.phase,
      error: `no result after ${opts.timeout} s` }));
    process.exit(1);
  }, opts.timeout * 1000);
  const client = new IORedis(connection);
  const queue = new bullmq.Queue(opts.queue, { connection });
  let status = 0;
  for (const phase of phases) {
    try {
      const r = phase === 'add'
        ? await addPhase(opts, queue, client)
        : await processPhase(opts, bullmq, connection, queue, client);
      console.log(JSON.stringify(r));
    } catch (err) {
      // ioredis errors carry the whole command, here a script of kilobytes: the message will do.
      console.log(JSON.stringify({ ok: false, phase, error: String(err.message).slice(0, 500) }));
      status = 1;
      break;
    }
  }
  clearTimeout(timer);
  await queue.close();
  client.disconnect();
  process.exit(status);
}

main();
