// The benchmark: `npm run bench` (or `npm run bench -- --quick`, about two minutes).
//
// Four Express apps, each in its own process on a free loopback port: bare (no session), the
// floor (bench/lib/floor.mjs: the least a middleware with express-session's API must do),
// express-session 1.19.0 and ours; under Express 4 and 5. For each Express major and scenario
// (bench/lib/scenarios.mjs) every app first passes a correctness pass, then warms up in rounds
// until it stops getting faster, then the timed rounds: within a round the apps are loaded one
// after another (in a rotating order), the servers pinned to one CPU and this process, the load
// generator, to the other. Shared 2-core machines drift by tens of percent from one second to
// the next, so only figures taken within a round and their median over rounds are trusted. After
// every load (warm-up included) the store is checked again, so an app cannot look fast by
// skipping work. The main figure is server CPU per request (all threads, /proc), and from it the
// session layer's cost over bare Express, for the floor, ours and express-session. Then the
// MemoryStore scale run (bench/memory-store.mjs). Results: tables, targets, bench/results/latest.json.
//
// Options (defaults in parseArgs below):
//   --node SPEC[,SPEC] the servers' Node: a version of the npm package node-<os>-<arch> (24, 22,
//                      24.22.1: fetched once, cached) or a path to a node binary; default: this
//                      Node. Several (`--node 24,22`) run everything under each in turn.
//   --express 4|5|both the Express major(s)
//   --semi-space MB    each server's young generation fixed at MB per semi-space (min = max);
//                      0 leaves V8's default, which grows with the load and differs per process
//   --quick, --rounds N, --duration S (per app per round), --connections N, --scenarios S1,S3
//   --launches N       start each scenario's servers N times, each set fresh and warmed, and pool
//                      their rounds: one process's JIT and heap can sit a few µs off another's,
//                      which a single launch reports as the app's cost
//   --warmup-round S, --warmup-min N (requests), --warmup S (cap per app, seconds of load),
//                      --flat PCT, --flat-window K: warm-up ends when the median CPU µs/request
//                      of the last K rounds is within PCT of the K rounds before (and N requests)
//   --no-memory-store, --sessions N (MemoryStore run), --json PATH
//   --ours PATH        the entry of another build of ours (e.g. a prototype copied out of dist/)
//   --baseline PATH    the entry of an earlier build of ours, loaded as a fifth app in the same
//                      rounds, so a change's gain is a within-round figure (ours/baseline)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterLoad, beforeLoad, CheckFailed, checkScenario } from './lib/correctness.mjs';
import { nodeVersions, resolveNodeBinary } from './lib/node-binary.mjs';
import { cpuMicros, planPinning, startServer, useNodeBinary } from './lib/processes.mjs';
import { layerTable, scenarioTable, summarise, targetsOf, warmupLine } from './lib/report.mjs';
import { APPS, SCENARIOS } from './lib/scenarios.mjs';
import { median, orderFor } from './lib/stats.mjs';
import { memoryStoreReport, runMemoryStoreBench } from './memory-store.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const quick = argv.includes('--quick');
  const options = {
    quick,
    rounds: quick ? 3 : 12,
    launches: 1,
    duration: quick ? 0.3 : 2,
    // Warm-up (see warmUp): on Node 24 ours kept recompiling for about 30k requests, and the
    // floor too got faster for 30–40k; 2 s of warm-up (the old default) measured them cold.
    warmupRound: quick ? 0.4 : 1,
    warmupMin: quick ? 4_000 : 30_000,
    warmup: quick ? 1.6 : 30,
    flat: quick ? 0.08 : 0.03,
    flatWindow: quick ? 2 : 3,
    connections: 10,
    scenarios: Object.keys(SCENARIOS),
    express: [4, 5],
    semiSpace: 16,
    memoryStore: !argv.includes('--no-memory-store'),
    memoryStoreRepeat: quick ? 1 : 3,
    sessions: 100_000,
    // A hard cap per timed load, far above what one core serves, so the load is bounded in
    // count as well as in time even if something answers absurdly fast.
    maxRequestsPerSecond: 100_000,
    json: new URL('results/latest.json', import.meta.url),
  };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return value;
    };
    switch (argv[i]) {
      case '--quick':
      case '--no-memory-store':
        break;
      case '--rounds': options.rounds = positive(next(), '--rounds', true); break;
      case '--launches': options.launches = positive(next(), '--launches', true); break;
      case '--duration': options.duration = positive(next(), '--duration'); break;
      case '--warmup': options.warmup = positive(next(), '--warmup'); break;
      case '--warmup-round': options.warmupRound = positive(next(), '--warmup-round'); break;
      case '--warmup-min': options.warmupMin = positive(next(), '--warmup-min', true); break;
      case '--flat': options.flat = positive(next(), '--flat') / 100; break;
      case '--flat-window': options.flatWindow = positive(next(), '--flat-window', true); break;
      case '--connections': options.connections = positive(next(), '--connections', true); break;
      case '--sessions': options.sessions = positive(next(), '--sessions', true); break;
      case '--json': options.json = next(); break;
      case '--ours': options.ours = resolve(next()); break;
      case '--baseline': options.baseline = resolve(next()); break;
      case '--node': options.node = next(); break;
      case '--semi-space': {
        const value = Number(next());
        if (!(Number.isInteger(value) && value >= 0)) throw new Error('--semi-space must be a whole number of MB (0: V8 default)');
        options.semiSpace = value;
        break;
      }
      case '--express': {
        const value = next();
        if (value === 'both') options.express = [4, 5];
        else if (value === '4' || value === '5') options.express = [Number(value)];
        else throw new Error('--express must be 4, 5 or both');
        break;
      }
      case '--scenarios':
        options.scenarios = next().split(',').map((s) => s.trim().toUpperCase());
        for (const s of options.scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}`);
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (see the top of bench/run.mjs)`);
    }
  }
  if (options.duration > 30 || options.warmupRound > 30) throw new Error('--duration and --warmup-round are capped at 30 s');
  if (options.warmup > 300) throw new Error('--warmup is capped at 300 s per app');
  return options;
}

function positive(text, name, integer = false) {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return value;
}

/** The V8 flags every server starts with: the young generation fixed, so no process grows its own. */
function gcFlags(options) {
  return options.semiSpace === 0 ? [] : [`--min-semi-space-size=${options.semiSpace}`, `--max-semi-space-size=${options.semiSpace}`];
}

// ---------------------------------------------------------------------------------------------
// Load

/**
 * One autocannon load of `seconds` against a server; resolves with autocannon's result plus
 * `rate` (2xx responses per second of the load). Bounded in time (autocannon's duration, and a
 * watchdog that stops it) and in count (maxOverallRequests).
 */
function load(server, scenario, session, seconds, options) {
  const definition = SCENARIOS[scenario];
  const cap = Math.ceil(options.maxRequestsPerSecond * seconds);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: server.url + '/',
        connections: options.connections,
        pipelining: 1,
        duration: seconds,
        // Sample every 100 ms so the load stops within 100 ms of its duration.
        sampleInt: 100,
        maxOverallRequests: cap,
        headers: session?.cookie ? { cookie: session.cookie } : {},
        ...(typeof definition.body === 'string'
          ? { expectBody: definition.body }
          : { verifyBody: (body) => definition.body.test(body) }),
      },
      (err, result) => {
        clearTimeout(watchdog);
        if (err) return reject(err);
        const ms = result.finish - result.start;
        if (result['2xx'] >= cap) return reject(new Error(`${scenario} ${server.app}: hit the cap of ${cap} requests in one load`));
        resolve({ ...result, rate: (result['2xx'] / ms) * 1000 });
      },
    );
    const watchdog = setTimeout(() => instance.stop(), (seconds + 10) * 1000);
  });
}

/** One checked load, with the server's CPU time per request over it. */
async function measuredLoad(server, scenario, session, seconds, options) {
  const before = await beforeLoad(server, scenario, session);
  const cpuBefore = cpuMicros(server.child.pid);
  const result = await load(server, scenario, session, seconds, options);
  const cpuAfter = cpuMicros(server.child.pid);
  await afterLoad(server, scenario, session, before, result, options.connections);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? NaN : (cpuAfter - cpuBefore) / result['2xx'];
  return { rate: result.rate, p99: result.latency.p99, requests: result['2xx'], cpuMicrosPerRequest: cpu };
}

/**
 * Warm one app up, in rounds, until it has stopped getting faster: the median CPU µs/request
 * of its last `window` rounds within options.flat of the median of the `window` rounds before
 * them (medians, so one round a neighbour disturbed does not decide), and at least
 * options.warmupMin requests served; or until options.warmup seconds of load.
 * Returns the curve `{ rounds: [{ rate, cpuMicrosPerRequest, requests }], requests, flat, change }`.
 */
async function warmUp(server, scenario, session, options) {
  const window = options.flatWindow;
  const rounds = [];
  let requests = 0;
  let seconds = 0;
  for (;;) {
    const round = await measuredLoad(server, scenario, session, options.warmupRound, options);
    rounds.push(round);
    requests += round.requests;
    seconds += options.warmupRound;
    const cpu = rounds.map((r) => r.cpuMicrosPerRequest);
    const change = cpu.length < 2 * window ? Infinity : median(cpu.slice(-window)) / median(cpu.slice(-2 * window, -window)) - 1;
    const flat = Math.abs(change) <= options.flat;
    if ((flat && requests >= options.warmupMin) || seconds + options.warmupRound > options.warmup + 1e-9) {
      return { rounds, requests, flat, change, window };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

async function runScenario(express, scenario, options, pinning, log) {
  const definition = SCENARIOS[scenario];
  log(`\nExpress ${express} · ${definition.title} (${definition.what})`);
  const apps = appsFor(options);
  const rounds = [];
  const warmups = []; // one per launch: each app's warm-up curve
  for (let launch = 0; launch < options.launches; launch++) {
    if (options.launches > 1) log(`  launch ${launch + 1}/${options.launches}: every app in a fresh process`);
    warmups.push(await launchAndMeasure(express, scenario, apps, rounds, options, pinning, log));
  }
  return { ...summarise(apps, rounds), title: definition.title, express, warmups };
}

/** One set of server processes: checked, warmed, then timed for `options.rounds` rounds appended to `rounds`. */
async function launchAndMeasure(express, scenario, apps, rounds, options, pinning, log) {
  const servers = await Promise.all(
    apps.map((app) => startServer(app, scenario, { cpu: pinning.serverCpu, nodeArgs: gcFlags(options), express })),
  );
  const byApp = Object.fromEntries(servers.map((server) => [server.app, server]));
  try {
    const sessions = await checkScenario(scenario, servers);
    log('  correctness pass: ok (2xx, bodies, signed cookies, stored sessions, counters, same headers as express-session)');

    const warmup = {};
    for (const server of servers) {
      warmup[server.app] = await warmUp(server, scenario, sessions[server.app], options);
      warmup[server.app].newSpaceBytes = await server.newSpaceBytes();
      log(warmupLine(server.app, warmup[server.app], options));
    }

    const total = options.rounds * options.launches;
    for (let i = 0; i < options.rounds; i++) {
      const round = rounds.length;
      const order = orderFor(apps, round);
      const measured = {};
      for (const app of order) measured[app] = await measuredLoad(byApp[app], scenario, sessions[app], options.duration, options);
      rounds.push({ order, apps: measured });
      log(
        `  round ${String(round + 1).padStart(2)}/${total}  ` +
          apps.map((app) => `${app} ${Math.round(measured[app].rate)}/s ${measured[app].cpuMicrosPerRequest.toFixed(0)} µs`).join('  '),
      );
    }
    return warmup;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** The apps loaded in every round: the four of the report, and the baseline build when given. */
function appsFor(options) {
  return options.baseline ? [...APPS, 'baseline'] : APPS;
}

/** The commit dist/ was built from, marked when src/ had uncommitted changes. */
function buildRevision() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'src') !== '';
    return git('rev-parse', '--short', 'HEAD') + (dirty ? ' + uncommitted src/ changes' : '');
  } catch {
    return 'unknown (not a git checkout)';
  }
}

// ---------------------------------------------------------------------------------------------

/** The servers' Node binaries of `--node` (a comma-separated list), or this Node. */
function serverNodes(options) {
  if (options.node === undefined) return [{ spec: undefined, binary: process.execPath }];
  return options.node.split(',').map((spec) => ({ spec: spec.trim(), binary: resolveNodeBinary(spec.trim(), console.log) }));
}

/** Everything under one Node: every Express major and scenario, then the MemoryStore run. */
async function runUnderNode(server, options, pinning, log) {
  useNodeBinary(server.binary);
  const { node, v8 } = nodeVersions(server.binary);
  log(`
=== servers under node ${node} (V8 ${v8})${server.spec === undefined ? '' : `, --node ${server.spec}`} ===`);
  const results = {};
  for (const express of options.express) {
    results[`express${express}`] = {};
    for (const scenario of options.scenarios) {
      results[`express${express}`][scenario] = await runScenario(express, scenario, options, pinning, log);
    }
  }
  let memoryStore;
  if (options.memoryStore) {
    log(`
MemoryStore scale run (${options.sessions.toLocaleString('en-US')} sessions, each implementation in its own process with --expose-gc)`);
    memoryStore = await runMemoryStoreBench({ sessions: options.sessions, repeat: options.memoryStoreRepeat, cpu: pinning.serverCpu, log, oursEntry: options.ours, baselineEntry: options.baseline });
  }
  const all = Object.values(results).flatMap((byScenario) => Object.values(byScenario));
  const targets = targetsOf(all).map((t) => ({ ...t, name: `node ${node} ${t.name}` }));
  if (memoryStore) targets.push(...memoryStoreReport(memoryStore).targets.map((t) => ({ ...t, name: `node ${node} ${t.name}` })));
  return { node, v8, spec: server.spec, results, memoryStore, targets };
}

/** The tables of one Node's run. */
function summary(run, log) {
  const all = Object.values(run.results).flatMap((byScenario) => Object.values(byScenario));
  log(`
Servers under node ${run.node} (V8 ${run.v8}). Medians over rounds; ratios are medians of per-round ratios (min–max).`);
  log('CPU µs/req: server CPU time (all threads, /proc) per request. e-s = express-session 1.19.0.\n');
  for (const line of scenarioTable(all)) log(line);
  log('\nThe session layer: server CPU µs per request over bare Express (median of per-round differences),');
  log('and ours against the floor, (ours − bare) / (floor − bare) from those medians (target ≤ 1.2):\n');
  for (const line of layerTable(all)) log(line);
  if (run.memoryStore) {
    log('');
    for (const line of memoryStoreReport(run.memoryStore).lines) log(line);
  }
}

async function main() {
  let options;
  let nodes;
  try {
    options = parseArgs(process.argv.slice(2));
    for (const [flag, path] of [['--baseline', options.baseline], ['--ours', options.ours]]) {
      if (path !== undefined && !existsSync(path)) throw new Error(`${flag} ${path}: no such file`);
    }
    if (!options.ours && !existsSync(new URL('../dist/index.js', import.meta.url))) {
      throw new Error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`');
    }
    nodes = serverNodes(options);
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  if (options.baseline) process.env.BENCH_BASELINE_ENTRY = options.baseline;
  if (options.ours) process.env.BENCH_OURS_ENTRY = options.ours;

  const log = (line) => console.log(line);
  const started = Date.now();
  const pinning = planPinning();
  const versions = {
    build: buildRevision(),
    serverNodes: nodes.map(({ binary }) => nodeVersions(binary).node),
    loadGeneratorNode: process.version,
    express4: require('express/package.json').version,
    express5: require('express5/package.json').version,
    expressSession: require('express-session-upstream/package.json').version,
    autocannon: require('autocannon/package.json').version,
  };
  const gc = gcFlags(options);
  log(`express-session-ts benchmark${options.quick ? ' (quick)' : ''} of ${versions.build}`);
  log(`servers: node ${versions.serverNodes.join(', then ')}, ` +
    `Express ${options.express.map((e) => versions[`express${e}`]).join(' and ')}, express-session ${versions.expressSession}; ` +
    `load: autocannon ${versions.autocannon} under node ${versions.loadGeneratorNode}, ${options.connections} connections, loopback`);
  log(`GC: ${gc.length ? `servers started with ${gc.join(' ')} (young generation fixed)` : "V8's default young generation (--semi-space 0)"}; the MemoryStore run uses V8's defaults`);
  log(`warm-up per app: rounds of ${options.warmupRound} s until the median CPU µs/request of the last ${options.flatWindow} rounds ` +
    `is within ${(options.flat * 100).toFixed(0)}% of the ${options.flatWindow} before and ≥ ${options.warmupMin.toLocaleString('en-US')} requests, ` +
    `at most ${options.warmup} s of load`);
  log(`timed: ${options.rounds} round${options.rounds === 1 ? '' : 's'} × ${options.duration} s per app, every app in every round, rotating order` +
    (options.launches > 1 ? `; ${options.launches} launches of fresh processes per scenario, their rounds pooled` : ''));
  log(pinning.note);
  if (options.quick) log('--quick: a check that everything runs; its warm-up is too short for warm figures (see the curves)');
  if (options.ours) log(`ours = ${options.ours} (not this checkout's dist/)`);
  if (options.baseline) log(`baseline = ${options.baseline}, loaded in the same rounds`);

  const runs = [];
  for (const server of nodes) runs.push(await runUnderNode(server, options, pinning, log));

  // All tables at the end, so one command's output ends with everything it measured.
  for (const run of runs) summary(run, log);
  const targets = runs.flatMap((run) => run.targets);
  log('\nTargets (reported, not asserted):');
  for (const t of targets) log(`${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.shown}`);

  const jsonPath = options.json instanceof URL ? fileURLToPath(options.json) : options.json;
  mkdirSync(dirname(jsonPath), { recursive: true });
  const report = {
    date: new Date(started).toISOString(),
    elapsedSeconds: Math.round((Date.now() - started) / 100) / 10,
    versions,
    gcFlags: gc,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
    options: { ...options, json: undefined },
    pinning,
    runs,
    targets,
  };
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
  log(`\nJSON: ${relative(ROOT, jsonPath) || jsonPath} (${report.elapsedSeconds} s in all)`);
}

main().catch((err) => {
  if (err instanceof CheckFailed) {
    console.error(`\nCORRECTNESS CHECK FAILED, no figures reported:\n${err.message}`);
  } else {
    console.error(err?.stack ?? err);
  }
  process.exit(1);
});
