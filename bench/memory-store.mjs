// MemoryStore at scale: ours against express-session 1.19.0's, each in its own process with
// --expose-gc so heap figures are taken after a full collection.
//
//   node --expose-gc bench/memory-store.mjs [--quick] [--sessions 100000] [--repeat 3]
//                                           [--baseline <dist dir or entry file>]
//
// bench/run.mjs runs it too. Per implementation: heap bytes per session, time per set (over an
// existing session) and per get, time of length() at N/10 and at N (to see whether it grows with
// N), and time of all(). Reported as ratios ours / express-session from the same run; with
// --baseline, another build of ours (say, `cp -r dist /tmp/before` ahead of a change) runs in the
// same rounds, so a change is judged against noise of the same run. The children run under the
// Node that runs this script: `/path/to/node24/bin/node bench/memory-store.mjs` benches Node 24.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join as joinPath, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Child: measure one implementation.

function load(impl) {
  if (impl === 'express-session') return require('express-session-upstream');
  if (impl === 'baseline') return require(process.env.BENCH_BASELINE_ENTRY);
  return require(process.env.BENCH_OURS_ENTRY || fileURLToPath(new URL('../dist/index.js', import.meta.url)));
}

/**
 * A session as an app keeps it: a one-day cookie (as the middleware builds it, with the
 * implementation's own Cookie class) and a few small fields.
 */
function makeSession(Cookie, i, secret) {
  return {
    cookie: new Cookie({ maxAge: 86_400_000, httpOnly: true, sameSite: 'lax', path: '/' }),
    userId: 'user-' + (100_000 + i),
    views: i % 50,
    csrfSecret: secret,
    lastPage: '/account/orders',
  };
}

const call = (store, method, ...args) =>
  new Promise((resolve, reject) => store[method](...args, (err, value) => (err ? reject(err) : resolve(value))));

/**
 * Run `operation` for every index, at most IN_FLIGHT at a time (each batch waits for its last
 * callback), as a busy server has a bounded number of requests in progress; ns per operation.
 * With all N in flight at once the figure would mostly be the collector moving N results that are
 * all alive together to the old generation, the same for every implementation.
 */
const IN_FLIGHT = 1000;
function timeBatch(n, operation) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    let next = 0;
    const batch = () => {
      const from = next;
      const end = Math.min(n, from + IN_FLIGHT);
      next = end;
      let left = end - from;
      const done = (err) => {
        if (err) return reject(err);
        if (--left > 0) return;
        if (end === n) {
          const cpu = process.cpuUsage(cpuStart);
          resolve({ wall: Number(process.hrtime.bigint() - start) / n, cpu: ((cpu.user + cpu.system) * 1000) / n });
        }
        else batch();
      };
      for (let i = from; i < end; i++) operation(i, done);
    };
    batch();
  });
}

/** Call an awaited operation repeatedly for about `budgetMs` (at least `min` times): ms per call. */
async function timeRepeated(operation, { budgetMs = 300, min = 1, max = 2000 } = {}) {
  const start = process.hrtime.bigint();
  let calls = 0;
  let elapsed = 0;
  while (calls < min || (calls < max && elapsed < budgetMs)) {
    await operation();
    calls++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return elapsed / calls;
}

function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function measure(impl, n) {
  const { MemoryStore, Cookie } = load(impl);
  const store = new MemoryStore();
  const ids = Array.from({ length: n }, () => randomBytes(24).toString('base64url'));
  const secrets = Array.from({ length: n }, () => randomBytes(16).toString('base64url'));
  const small = Math.floor(n / 10);
  const check = (condition, message) => {
    if (!condition) throw new Error(`${impl} MemoryStore: ${message}`);
  };

  // Fill, and weigh what the store holds (ids and secrets are counted before, so they cancel).
  const heapBefore = heapAfterGc();
  for (let i = 0; i < small; i++) store.set(ids[i], makeSession(Cookie, i, secrets[i]));
  await new Promise((resolve) => setImmediate(resolve));
  const lengthSmallMs = await timeRepeated(async () => check((await call(store, 'length')) === small, 'length() at N/10'));
  for (let i = small; i < n; i++) store.set(ids[i], makeSession(Cookie, i, secrets[i]));
  await new Promise((resolve) => setImmediate(resolve));
  const heapBytesPerSession = (heapAfterGc() - heapBefore) / n;

  // set over existing sessions (what a save does), the sessions built beforehand.
  const fresh = ids.map((_, i) => makeSession(Cookie, i, secrets[i]));
  for (const session of fresh) session.views++;
  const { wall: setNs, cpu: setCpuNs } = await timeBatch(n, (i, done) => store.set(ids[i], fresh[i], done));
  fresh.length = 0;

  // get in random order; every session must come back whole.
  const order = ids.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  // Three passes over every session, the median pass counted: one pass alone moved by a third
  // from run to run on these machines (the JIT and the collector settle during the first).
  const getPasses = [];
  for (let pass = 0; pass < 3; pass++) {
    let found = 0;
    getPasses.push(await timeBatch(n, (k, done) => {
      const i = order[k];
      store.get(ids[i], (err, session) => {
        if (session && session.userId === 'user-' + (100_000 + i) && session.views === (i % 50) + 1 && session.cookie?.expires) found++;
        done(err);
      });
    }));
    check(found === n, `get returned ${found} of ${n} sessions intact`);
  }
  const getNs = median(getPasses.map((pass) => pass.wall));
  const getCpuNs = median(getPasses.map((pass) => pass.cpu));

  const lengthMs = await timeRepeated(async () => check((await call(store, 'length')) === n, 'length() at N'));
  const allMs = await timeRepeated(async () => {
    const all = await call(store, 'all');
    check(Object.keys(all).length === n, 'all() size');
  }, { min: 1, max: 20 });

  return { heapBytesPerSession, setNs, setCpuNs, getNs, getCpuNs, lengthSmallMs, lengthMs, allMs };
}

// ---------------------------------------------------------------------------------------------
// Parent: run the children, combine.

/**
 * Run each implementation `repeat` times (alternating, each run a fresh process) and keep the
 * median of every figure. Returns `{ sessions, repeat, implementations: { name: figures }, ratios }`.
 */
export async function runMemoryStoreBench({ sessions = 100_000, repeat = 3, cpu, log = console.log, oursEntry, baselineEntry } = {}) {
  if (oursEntry) process.env.BENCH_OURS_ENTRY = oursEntry;
  if (baselineEntry) process.env.BENCH_BASELINE_ENTRY = entryFile(baselineEntry);
  // A build copied out of the tree (cp -r dist /tmp/before) finds its dependencies here.
  const modules = fileURLToPath(new URL('../node_modules', import.meta.url));
  process.env.NODE_PATH = [modules, process.env.NODE_PATH].filter(Boolean).join(delimiter);
  const IMPLEMENTATIONS = baselineEntry ? ['express-session', 'baseline', 'ours'] : ['express-session', 'ours'];
  const { startNode, nextMessage } = await import('./lib/processes.mjs');
  const { orderFor } = await import('./lib/stats.mjs');
  const runs = Object.fromEntries(IMPLEMENTATIONS.map((impl) => [impl, []]));
  // The children run on the binary the runner chose (--node), not necessarily this process's.
  let node = process.version;
  for (let r = 0; r < repeat; r++) {
    for (const impl of orderFor(IMPLEMENTATIONS, r)) {
      const child = startNode(new URL(import.meta.url), ['--child', impl, String(sessions)], {
        cpu,
        nodeArgs: ['--expose-gc', '--max-old-space-size=2048'],
      });
      const message = await nextMessage(child, 'result', 300_000);
      if (message.error) throw new Error(message.error);
      runs[impl].push(message.result);
      node = message.node ?? node;
      log(`  MemoryStore ${impl.padEnd(15)} run ${r + 1}/${repeat}: ${describe(message.result)}`);
    }
  }
  const implementations = {};
  for (const impl of IMPLEMENTATIONS) {
    implementations[impl] = {};
    for (const key of Object.keys(runs[impl][0])) implementations[impl][key] = median(runs[impl].map((run) => run[key]));
  }
  const ours = implementations.ours;
  const upstream = implementations['express-session'];
  const ratios = {
    heapPerSession: ours.heapBytesPerSession / upstream.heapBytesPerSession,
    getSpeedup: upstream.getNs / ours.getNs,
    setSpeedup: upstream.setNs / ours.setNs,
    lengthSpeedup: upstream.lengthMs / ours.lengthMs,
    allSpeedup: upstream.allMs / ours.allMs,
    /** length() time at N over N/10: about 1 when constant, about 10 when linear. */
    oursLengthGrowth: ours.lengthMs / ours.lengthSmallMs,
    upstreamLengthGrowth: upstream.lengthMs / upstream.lengthSmallMs,
  };
  const baseline = implementations.baseline;
  if (baseline) {
    ratios.oursOverBaseline = {
      heapPerSession: ours.heapBytesPerSession / baseline.heapBytesPerSession,
      getTime: ours.getNs / baseline.getNs,
      setTime: ours.setNs / baseline.setNs,
      getCpu: ours.getCpuNs / baseline.getCpuNs,
      setCpu: ours.setCpuNs / baseline.setCpuNs,
      allTime: ours.allMs / baseline.allMs,
      // The two builds run back to back in every round: on a busy machine the ratio within a
      // round moves far less than either figure alone.
      perRound: Object.fromEntries(['getNs', 'getCpuNs', 'setNs', 'setCpuNs', 'allMs'].map((key) => {
        const values = runs.ours.map((run, r) => run[key] / runs.baseline[r][key]);
        return [key, { median: median(values), min: Math.min(...values), max: Math.max(...values) }];
      })),
    };
  }
  return { sessions, repeat, runs, implementations, ratios, node };
}

/** The entry file of a build: a dist/ directory means its index.js. */
function entryFile(path) {
  const resolved = resolvePath(path);
  return statSync(resolved).isDirectory() ? joinPath(resolved, 'index.js') : resolved;
}

function describe(r) {
  return `${r.heapBytesPerSession.toFixed(0)} B/session, set ${(r.setNs / 1000).toFixed(2)} µs, get ${(r.getNs / 1000).toFixed(2)} µs, ` +
    `length() ${formatMs(r.lengthSmallMs)} at N/10 and ${formatMs(r.lengthMs)} at N, all() ${formatMs(r.allMs)}`;
}

export function formatMs(ms) {
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  if (ms >= 0.001) return `${(ms * 1000).toFixed(2)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}

/** The table lines and the target verdicts of a result. */
export function memoryStoreReport(result) {
  const { implementations: impls, ratios, sessions } = result;
  const u = impls['express-session'];
  const o = impls.ours;
  const b = impls.baseline;
  const cell = (text) => text.padStart(14);
  const row = (label, es, base, ours, ratio, vsBase = '') =>
    `  ${label.padEnd(26)} ${es.padStart(16)}${b ? cell(base) : ''} ${cell(ours)} ${ratio.padStart(22)}${b ? vsBase.padStart(18) : ''}`;
  const both = (figure, format) => [format(u[figure]), b ? format(b[figure]) : '', format(o[figure])];
  const us = (ns) => `${(ns / 1000).toFixed(2)} µs`;
  const bytes = (n) => `${n.toFixed(0)} B`;
  const vs = (ratio) => (b ? `${ratio.toFixed(2)}×` : '');
  const vb = ratios.oursOverBaseline ?? {};
  const lines = [
    `MemoryStore at ${sessions.toLocaleString('en-US')} sessions, Node ${result.node ?? process.version} (median of ${result.repeat} runs per implementation, each a fresh process):`,
    row('', 'express-session', 'baseline', 'ours', 'ours vs express-session', 'ours / baseline'),
    row('heap per session', ...both('heapBytesPerSession', bytes), `${ratios.heapPerSession.toFixed(2)}× the heap`, vs(vb.heapPerSession)),
    row('set (overwrite), per call', ...both('setNs', us), `${ratios.setSpeedup.toFixed(2)}× faster`, vs(vb.setTime)),
    row('get, per call', ...both('getNs', us), `${ratios.getSpeedup.toFixed(2)}× faster`, vs(vb.getTime)),
    row('set, CPU time per call', ...both('setCpuNs', us), `${(u.setCpuNs / o.setCpuNs).toFixed(2)}× less`, vs(vb.setCpu)),
    row('get, CPU time per call', ...both('getCpuNs', us), `${(u.getCpuNs / o.getCpuNs).toFixed(2)}× less`, vs(vb.getCpu)),
    row(`length() at ${(sessions / 10).toLocaleString('en-US')}`, ...both('lengthSmallMs', formatMs), ''),
    row(`length() at ${sessions.toLocaleString('en-US')}`, ...both('lengthMs', formatMs), `${ratios.lengthSpeedup.toFixed(0)}× faster`),
    row('length() growth N/10 → N', `${ratios.upstreamLengthGrowth.toFixed(1)}×`, b ? `${(b.lengthMs / b.lengthSmallMs).toFixed(1)}×` : '', `${ratios.oursLengthGrowth.toFixed(1)}×`, '(1× = O(1), 10× = O(N))'),
    row('all()', ...both('allMs', formatMs), `${ratios.allSpeedup.toFixed(2)}× faster`, vs(vb.allTime)),
  ];
  if (b) {
    lines.push('  (ours / baseline: below 1 is smaller or faster; the time ratios are of time per call)');
    const per = vb.perRound;
    const shown = (key) => `${per[key].median.toFixed(2)} (${per[key].min.toFixed(2)}–${per[key].max.toFixed(2)})`;
    lines.push(`  ours / baseline within each round, median (min–max) over ${result.repeat}: get ${shown('getNs')}, get CPU ${shown('getCpuNs')},`);
    lines.push(`    set ${shown('setNs')}, set CPU ${shown('setCpuNs')}, all() ${shown('allMs')}`);
  }
  const targets = [
    { name: 'MemoryStore heap per session ≤ 0.7× express-session', value: ratios.heapPerSession, pass: ratios.heapPerSession <= 0.7, shown: `${ratios.heapPerSession.toFixed(2)}×` },
    { name: 'MemoryStore get ≥ 2× faster than express-session', value: ratios.getSpeedup, pass: ratios.getSpeedup >= 2, shown: `${ratios.getSpeedup.toFixed(2)}×` },
    {
      name: 'MemoryStore length() O(1) (time at N ≤ 2× time at N/10)',
      value: ratios.oursLengthGrowth,
      pass: ratios.oursLengthGrowth <= 2,
      shown: `${ratios.oursLengthGrowth.toFixed(2)}× from N/10 to N (express-session ${ratios.upstreamLengthGrowth.toFixed(1)}×)`,
    },
  ];
  return { lines, targets };
}

// ---------------------------------------------------------------------------------------------

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain && process.argv[2] === '--child') {
  process.on('disconnect', () => process.exit(0));
  const [, , , impl, n] = process.argv;
  measure(impl, Number(n)).then(
    (result) => process.send({ type: 'result', result, node: process.version }, () => process.exit(0)),
    (err) => process.send({ type: 'result', error: String(err?.stack ?? err) }, () => process.exit(1)),
  );
} else if (isMain) {
  const args = process.argv.slice(2);
  const value = (name, fallback) => {
    const at = args.indexOf(name);
    return at === -1 ? fallback : Number(args[at + 1]);
  };
  const quick = args.includes('--quick');
  const baselineAt = args.indexOf('--baseline');
  const { planPinning } = await import('./lib/processes.mjs');
  const pinning = planPinning();
  console.log(pinning.note);
  const result = await runMemoryStoreBench({
    sessions: value('--sessions', 100_000),
    repeat: value('--repeat', quick ? 1 : 3),
    cpu: pinning.serverCpu,
    baselineEntry: baselineAt === -1 ? undefined : args[baselineAt + 1],
  });
  const { lines, targets } = memoryStoreReport(result);
  console.log('\n' + lines.join('\n') + '\n');
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.shown}`);
}
