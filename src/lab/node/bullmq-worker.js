'use strict';
// BullMQ's side of `lab bench --peer bullmq`: one process, one Worker per queue with a noop
// processor, as a new user writes it. Completions are not counted here: BullMQ records each
// one in Redis itself (the job's finishedOn, and bull:<queue>:completed, a sorted set scored
// by finishedOn), and the bench reads them there, so this process does nothing per job that a
// real worker would not do. Prints READY once every Worker is connected; SIGTERM closes them.
//
//   node bullmq-worker.js --redis-port 6379 --queues a,b,c --concurrency 50
const { Worker } = require('bullmq');

function options(argv) {
  const o = { concurrency: 50 };
  for (let i = 2; i < argv.length; i += 2) {
    o[argv[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase())] = argv[i + 1];
  }
  return o;
}

async function main() {
  const o = options(process.argv);
  // maxRetriesPerRequest null: BullMQ requires it of a Worker's ioredis connection.
  const connection = { host: '127.0.0.1', port: Number(o.redisPort), maxRetriesPerRequest: null };
  const workers = o.queues.split(',').map((q) => new Worker(q, async () => {}, {
    connection, concurrency: Number(o.concurrency),
  }));
  workers.forEach((w) => w.on('error', (e) => process.stderr.write(`worker error: ${e.message}\n`)));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  process.stdout.write('READY\n');
  process.on('SIGTERM', async () => {
    await Promise.all(workers.map((w) => w.close()));
    process.exit(0);
  });
}

main().catch((e) => {
  process.stderr.write(`bullmq-worker.js: ${e.stack || e}\n`);
  process.exit(2);
});
