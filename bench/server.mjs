// One benchmark app in its own process: `node bench/server.mjs <app> <scenario> [4|5]`, started
// by bench/run.mjs (and bench/profile.mjs) with an IPC channel, under Express 4 (default) or 5.
// It listens on a free loopback port, reports it, answers store inspections for the correctness
// checks and the size of its young generation, and exits as soon as the parent goes away, so no
// server outlives the benchmark.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { floorSession } from './lib/floor.mjs';
import { handlerFor, SCENARIOS } from './lib/scenarios.mjs';

const require = createRequire(import.meta.url);
const [app, scenario, expressMajor = '4'] = process.argv.slice(2);

if (!process.send) {
  console.error('bench/server.mjs is started by bench/run.mjs (it needs an IPC channel)');
  process.exit(2);
}
// The parent died or let go of us: stop at once, whatever is in flight.
process.on('disconnect', () => process.exit(0));

if (expressMajor !== '4' && expressMajor !== '5') throw new Error(`unknown Express major ${expressMajor}`);
// devDependencies: express is 4.x, express5 is npm:express@^5.
const express = require(expressMajor === '5' ? 'express5' : 'express');

/** The session middleware factory of each implementation: upstream 1.19.0, the floor, or a build of ours. */
function sessionFactory(name) {
  if (name === 'express-session') return require('express-session-upstream');
  if (name === 'floor') return floorSession;
  // BENCH_OURS_ENTRY (bench/run.mjs --ours PATH) loads another build, to measure a prototype.
  if (name === 'ours') return require(process.env.BENCH_OURS_ENTRY || fileURLToPath(new URL('../dist/index.js', import.meta.url)));
  // BENCH_BASELINE_ENTRY (bench/run.mjs --baseline PATH): an earlier build, loaded in the same rounds.
  if (name === 'baseline' && process.env.BENCH_BASELINE_ENTRY) return require(process.env.BENCH_BASELINE_ENTRY);
  return undefined;
}

const definition = SCENARIOS[scenario];
if (!definition) throw new Error(`unknown scenario ${scenario}`);
const bare = app === 'bare';
const session = sessionFactory(app);
if (!bare && !session) throw new Error(`unknown app ${app}`);

const expressApp = express();
let store;
if (session) {
  store = new session.MemoryStore();
  expressApp.use(session({ ...definition.options, store }));
  // Creates the returning visitor's session (views = 1) the load then sends the cookie of.
  expressApp.get('/__init', (req, res) => {
    req.session.views = 1;
    res.send('init');
  });
}
expressApp.get('/', handlerFor(scenario, bare));

/** Store operations the runner asks for over IPC: read what the store really holds. */
function storeCall(op, sid) {
  return new Promise((resolve, reject) => {
    if (!store) return resolve(null);
    const done = (err, value) => (err ? reject(err) : resolve(value ?? null));
    if (op === 'get') store.get(sid, done);
    else if (op === 'length') store.length(done);
    else if (op === 'clear') store.clear((err) => done(err, true));
    else reject(new Error(`unknown store op ${op}`));
  });
}

process.on('message', async (message) => {
  if (message?.type === 'exit') {
    // A normal exit, so `--cpu-prof` writes its profile.
    server.close();
    process.exit(0);
  }
  if (message?.type === 'mark') {
    // The profiler's clock: bench/profile.mjs keeps only the samples between two marks.
    process.send({ type: 'mark', id: message.id, micros: Number(process.hrtime.bigint() / 1000n) });
    return;
  }
  if (message?.type === 'heap') {
    // The young generation as it is now (both semi-spaces), to report the GC regime.
    const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.send({ type: 'heap', newSpaceBytes: space?.space_size });
    return;
  }
  if (message?.type !== 'store') return;
  try {
    const result = await storeCall(message.op, message.sid);
    process.send({ type: 'store-result', id: message.id, result: JSON.parse(JSON.stringify(result)) });
  } catch (err) {
    process.send({ type: 'store-result', id: message.id, error: String(err?.stack ?? err) });
  }
});

const server = expressApp.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port, pid: process.pid, node: process.version, express: require(expressMajor === '5' ? 'express5/package.json' : 'express/package.json').version });
});
