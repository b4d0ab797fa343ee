// Soak: a flood of new visitors against a bounded MemoryStore, over real HTTP on loopback.
//
//   npm run soak -- [--duration 60] [--max 10000] [--max-age 5000] [--prune-interval 1000]
//                   [--concurrency 32] [--sample 2000]
//
// The app runs in a child process (so the load generator's own allocations stay out of its
// figures), with --expose-gc so the baseline and the final heap are taken after a full
// collection. Every visitor is new (no cookie) and gets a session with some data, so each
// request stores one. `--concurrency` request loops run until the deadline and then stop by
// themselves. Every `--sample` ms the table gets a row: requests, request rate, store size, RSS
// and heap. After the flood the script waits for the sessions to expire (max-age plus two prune
// intervals) and takes a last sample: the store should be empty and the heap back near the
// baseline. Exits non-zero if the store ever held more than --max sessions, a request failed, or
// the store was not empty after the drain.
import { fork } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Child: the app.

async function serve(settings) {
  const express = require('express');
  const session = require(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
  const store = new session.MemoryStore({ max: settings.max, pruneInterval: settings.pruneInterval });
  const app = express();
  app.use(session({
    secret: 'soak secret',
    store,
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: settings.maxAge },
  }));
  let served = 0;
  app.get('/visit', (req, res) => {
    served++;
    req.session.visitor = served;
    req.session.cart = { items: ['a', 'b', 'c'], note: 'x'.repeat(100) };
    res.end('ok');
  });
  const server = http.createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  const collect = () => {
    for (let i = 0; i < 3; i++) global.gc();
  };
  const sample = (gc) => new Promise((resolve) => {
    if (gc) collect();
    store.length((err, size) => {
      const { rss, heapUsed } = process.memoryUsage();
      resolve({ size, rss, heapUsed, served });
    });
  });
  process.on('message', async (message) => {
    if (message.type === 'sample') process.send({ id: message.id, ...(await sample(message.gc)) });
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', port: server.address().port });
}

// ---------------------------------------------------------------------------------------------
// Parent: the load and the table.

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      max: { type: 'string', default: '10000' },
      'max-age': { type: 'string', default: '5000' },
      'prune-interval': { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '32' },
      sample: { type: 'string', default: '2000' },
    },
  });
  const number = (name) => {
    const value = Number(values[name]);
    if (!(value > 0)) throw new TypeError(`--${name} must be a positive number, got ${values[name]}`);
    return value;
  };
  return {
    durationMs: number('duration') * 1000,
    max: number('max'),
    maxAge: number('max-age'),
    pruneInterval: number('prune-interval'),
    concurrency: number('concurrency'),
    sampleMs: number('sample'),
  };
}

const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

function row(cells, widths) {
  return cells.map((cell, i) => String(cell).padStart(widths[i])).join('  ');
}

async function main() {
  const settings = options();
  const child = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify(settings)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`app exited with ${code}`)));
  });

  let nextId = 0;
  const pending = new Map();
  child.on('message', (message) => pending.get(message.id)?.(message));
  const sample = (gc = false) => new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    child.send({ type: 'sample', id, gc });
  });

  const agent = new http.Agent({ keepAlive: true, maxSockets: settings.concurrency });
  let failures = 0;
  const visit = () => new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/visit', agent }, (res) => {
      if (res.statusCode !== 200 || !res.headers['set-cookie']) failures++;
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', () => {
      failures++;
      resolve();
    });
  });

  console.log(`soak: ${settings.durationMs / 1000} s of new visitors, ${settings.concurrency} at a time, ` +
    `MemoryStore({ max: ${settings.max}, pruneInterval: ${settings.pruneInterval} }), cookie maxAge ${settings.maxAge} ms, node ${process.version}`);
  const baseline = await sample(true);
  const widths = [7, 10, 8, 10, 8, 9];
  console.log(row(['t (s)', 'requests', 'req/s', 'store', 'rss MB', 'heap MB'], widths));
  console.log(row(['0', 0, '-', baseline.size, mb(baseline.rss), mb(baseline.heapUsed)], widths) + '   baseline, after gc');

  const started = Date.now();
  const deadline = started + settings.durationMs;
  let largest = 0;
  let last = { at: started, served: 0 };
  const loops = Array.from({ length: settings.concurrency }, async () => {
    while (Date.now() < deadline) await visit();
  });
  const sampler = (async () => {
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(settings.sampleMs, Math.max(0, deadline - Date.now()))));
      const s = await sample();
      const now = Date.now();
      largest = Math.max(largest, s.size);
      const rate = Math.round(((s.served - last.served) * 1000) / (now - last.at));
      last = { at: now, served: s.served };
      console.log(row([((now - started) / 1000).toFixed(0), s.served, rate, s.size, mb(s.rss), mb(s.heapUsed)], widths));
    }
  })();
  await Promise.all([...loops, sampler]);
  agent.destroy();

  const drainMs = settings.maxAge + 2 * settings.pruneInterval + 500;
  await new Promise((resolve) => setTimeout(resolve, drainMs));
  const final = await sample(true);
  console.log(row([((Date.now() - started) / 1000).toFixed(0), final.served, '-', final.size, mb(final.rss), mb(final.heapUsed)], widths) +
    `   after ${drainMs} ms idle (every session expired), after gc`);

  const problems = [];
  if (largest > settings.max) problems.push(`the store held ${largest} sessions, more than max ${settings.max}`);
  if (final.size !== 0) problems.push(`${final.size} sessions left after they all expired`);
  if (failures > 0) problems.push(`${failures} requests failed or got no cookie`);
  console.log(`largest store size ${largest} (max ${settings.max}); heap after drain ${mb(final.heapUsed)} MB vs baseline ${mb(baseline.heapUsed)} MB` +
    ` (${final.heapUsed >= baseline.heapUsed ? '+' : ''}${mb(final.heapUsed - baseline.heapUsed)} MB); ${failures} failed requests`);
  child.disconnect();
  if (problems.length > 0) {
    console.error('FAIL: ' + problems.join('; '));
    process.exitCode = 1;
  }
}

if (process.argv[2] === '--serve') {
  serve(JSON.parse(process.argv[3]));
} else {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
