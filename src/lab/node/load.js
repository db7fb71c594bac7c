'use strict';
// The load client of `lab bench --peer bullmq`, one process per run, the same for both sides:
// it submits noop jobs to streamq over HTTP (POST /queues/{q}/jobs or /jobs/batch) or to
// BullMQ (queue.add / queue.addBulk), and prints one line
//   RESULT {"jobs":..,"ok":..,"errors":..,"firstSubmitMillis":..,"lastAnswerMillis":..,"cpuMicros":..,"firstError":..}
// Closed loop (--in-flight K: K submit lanes, each sends its next request when the last was
// answered) or open loop (--rate R --seconds S: one submit every 1/R s, whatever is in flight).
// --submits FILE writes "jobId submitMillis" per accepted job: the paced run's latency is
// computed from it. cpuMicros is this process's own user+system CPU (getrusage) from the first
// submit to the last answer, so node's start-up and module loading are not counted.
//
//   node load.js --target streamq --url http://127.0.0.1:8080 --queue q --jobs 50000 --batch 1 --in-flight 50
//   node load.js --target bullmq --redis-port 6379 --queue q --rate 500 --seconds 20 --submits FILE
const fs = require('fs');
const http = require('http');

function options(argv) {
  const o = { batch: 1, inFlight: 50, jobs: 0, rate: 0, seconds: 0, payloadBytes: 100 };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase());
    const value = argv[i + 1];
    o[key] = /^\d+$/.test(value) ? Number(value) : value;
  }
  if (o.target !== 'streamq' && o.target !== 'bullmq') {
    throw new Error('--target streamq|bullmq');
  }
  return o;
}

// A noop job of about payloadBytes bytes of JSON: the same data object on both sides.
function payload(bytes) {
  const data = { data: '' };
  data.data = 'x'.repeat(Math.max(0, bytes - JSON.stringify(data).length));
  return data;
}

// submit(n) -> Promise<ids[]> of n jobs, for one side.
function streamqSubmitter(o, data) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const url = new URL(o.url);
  const single = JSON.stringify({ type: 'noop', payload: data });
  const body = (n) => (n === 1 ? single : JSON.stringify({ jobs: Array.from({ length: n }, () => ({ type: 'noop', payload: data })) }));
  const submit = (n) => new Promise((resolve, reject) => {
    const text = body(n);
    const req = http.request({
      host: url.hostname, port: url.port, agent, method: 'POST',
      path: `/queues/${o.queue}/jobs${n === 1 ? '' : '/batch'}`,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200 && res.statusCode !== 202) {
          reject(new Error(`HTTP ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`));
        } else if (n === 1) {
          resolve([String(res.headers.location).split('/').pop()]);
        } else {
          resolve(new Array(n).fill(null)); // batch runs do not follow single jobs
        }
      });
    });
    req.on('error', reject);
    req.end(text);
  });
  return { submit, close: async () => agent.destroy() };
}

function bullmqSubmitter(o, data) {
  const { Queue } = require('bullmq');
  const queue = new Queue(o.queue, { connection: { host: '127.0.0.1', port: o.redisPort } });
  const submit = async (n) => {
    if (n === 1) {
      return [(await queue.add('noop', data)).id];
    }
    const jobs = await queue.addBulk(Array.from({ length: n }, () => ({ name: 'noop', data })));
    return jobs.map((j) => j.id);
  };
  return { submit, close: () => queue.close() };
}

async function main() {
  const o = options(process.argv);
  const side = (o.target === 'streamq' ? streamqSubmitter : bullmqSubmitter)(o, payload(o.payloadBytes));
  const total = o.rate > 0 ? Math.round(o.rate * o.seconds) : o.jobs;
  const requests = Math.ceil(total / o.batch);
  const submits = [];
  const result = { jobs: 0, ok: 0, errors: 0, firstSubmitMillis: 0, lastAnswerMillis: 0, cpuMicros: 0, firstError: null };
  const one = async (index) => {
    const n = Math.min(o.batch, total - index * o.batch);
    const at = Date.now();
    try {
      const ids = await side.submit(n);
      result.ok += n;
      if (o.submits) {
        ids.forEach((id) => submits.push(`${id} ${at}\n`));
      }
    } catch (e) {
      result.errors += n;
      result.firstError = result.firstError || String(e.message || e);
    }
    result.jobs += n;
    result.lastAnswerMillis = Date.now();
  };
  result.firstSubmitMillis = Date.now();
  const cpu0 = process.cpuUsage();
  if (o.rate > 0) {
    const pending = [];
    for (let i = 0; i < requests; i++) {
      const due = result.firstSubmitMillis + (i * 1000) / o.rate;
      const wait = due - Date.now();
      if (wait > 0) {
        await new Promise((r) => setTimeout(r, wait));
      }
      pending.push(one(i));
    }
    await Promise.all(pending);
  } else {
    let next = 0;
    const lane = async () => {
      while (next < requests) {
        await one(next++);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.inFlight, requests) }, lane));
  }
  const cpu = process.cpuUsage(cpu0);
  result.cpuMicros = cpu.user + cpu.system;
  if (o.submits) {
    fs.writeFileSync(o.submits, submits.join(''));
  }
  await side.close();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`load.js: ${e.stack || e}\n`);
  process.exit(2);
});
