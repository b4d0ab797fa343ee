// The benchmark of issue 4: `npm run bench` (or `npm run bench -- --quick`).
//
// Three Express 4 apps, each in its own process on a free loopback port: bare (no session),
// express-session 1.19.0 and ours. For each scenario (bench/lib/scenarios.mjs) every app first
// passes a correctness pass, then a warm-up, then rounds: within a round the three apps are loaded
// one after another (in a rotating order) with the servers pinned to one CPU and this process,
// the load generator, to the other. Shared 2-core machines drift by tens of percent from one
// second to the next, so only ratios taken within a round and their median over rounds are
// trusted; absolute req/s are shown for scale. After every timed load the store is checked again,
// so an app cannot look fast by skipping work. Then the MemoryStore scale run
// (bench/memory-store.mjs). Results: a table, PASS/MISS per target, bench/results/latest.json.
//
// Options: --quick, --rounds N, --duration S (per app per round), --warmup S, --connections N,
//          --scenarios S1,S3, --no-memory-store, --sessions N (MemoryStore run), --json PATH,
//          --ours PATH (the entry of another build of ours, e.g. a prototype copied out of dist/),
//          --baseline PATH (the entry of an earlier build of ours, loaded as a fourth app in the
//          same rounds, so an optimisation's gain is a within-round ratio: ours/baseline)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterLoad, beforeLoad, CheckFailed, checkScenario } from './lib/correctness.mjs';
import { cpuMicros, planPinning, startServer } from './lib/processes.mjs';
import { APPS, SCENARIOS } from './lib/scenarios.mjs';
import { median, orderFor, range } from './lib/stats.mjs';
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
    // --quick: the whole of `npm run bench -- --quick`, build included, stays under a minute.
    rounds: quick ? 3 : 12,
    duration: quick ? 0.6 : 2,
    // Under a second of load does not finish the JIT: round 1 then ran at a third of the speed of
    // round 2 for every app, and the later-compiled app (ours has more code) stayed behind longest.
    warmup: quick ? 1.2 : 2,
    connections: 10,
    scenarios: Object.keys(SCENARIOS),
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
      case '--duration': options.duration = positive(next(), '--duration'); break;
      case '--warmup': options.warmup = positive(next(), '--warmup'); break;
      case '--connections': options.connections = positive(next(), '--connections', true); break;
      case '--sessions': options.sessions = positive(next(), '--sessions', true); break;
      case '--json': options.json = next(); break;
      case '--ours': options.ours = resolve(next()); break;
      case '--baseline': options.baseline = resolve(next()); break;
      case '--scenarios':
        options.scenarios = next().split(',').map((s) => s.trim().toUpperCase());
        for (const s of options.scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}`);
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (see the top of bench/run.mjs)`);
    }
  }
  if (options.duration > 30 || options.warmup > 30) throw new Error('--duration and --warmup are capped at 30 s');
  return options;
}

function positive(text, name, integer = false) {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return value;
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

// ---------------------------------------------------------------------------------------------
// Scenarios

async function runScenario(scenario, options, pinning, log) {
  const definition = SCENARIOS[scenario];
  log(`\n${definition.title} (${definition.what})`);
  const apps = appsFor(options);
  const servers = await Promise.all(apps.map((app) => startServer(app, scenario, { cpu: pinning.serverCpu })));
  const byApp = Object.fromEntries(servers.map((server) => [server.app, server]));
  try {
    const sessions = await checkScenario(scenario, servers);
    log('  correctness pass: ok (2xx, bodies, signed cookies, stored sessions, counters, same headers as express-session)');

    for (const server of servers) {
      const before = await beforeLoad(server, scenario, sessions[server.app]);
      const result = await load(server, scenario, sessions[server.app], options.warmup, options);
      await afterLoad(server, scenario, sessions[server.app], before, result, options.connections);
    }
    log(`  warm-up: ok (${options.warmup} s per app)`);

    const rounds = [];
    for (let round = 0; round < options.rounds; round++) {
      const order = orderFor(apps, round);
      const measured = {};
      for (const app of order) {
        const server = byApp[app];
        const session = sessions[app];
        const before = await beforeLoad(server, scenario, session);
        const cpuBefore = cpuMicros(server.child.pid);
        const result = await load(server, scenario, session, options.duration, options);
        const cpuAfter = cpuMicros(server.child.pid);
        await afterLoad(server, scenario, session, before, result, options.connections);
        const cpu = cpuBefore === undefined || cpuAfter === undefined ? NaN : (cpuAfter - cpuBefore) / result['2xx'];
        measured[app] = { rate: result.rate, p99: result.latency.p99, requests: result['2xx'], cpuMicrosPerRequest: cpu };
      }
      const entry = {
        order,
        apps: measured,
        oursOverExpressSession: measured.ours.rate / measured['express-session'].rate,
        oursOverBare: measured.ours.rate / measured.bare.rate,
      };
      if (measured.baseline) entry.oursOverBaseline = measured.ours.rate / measured.baseline.rate;
      rounds.push(entry);
      log(
        `  round ${String(round + 1).padStart(2)}/${options.rounds}  ` +
          apps.map((app) => `${app} ${fmtRate(measured[app].rate)}`).join('  ') +
          `  CPU µs/req ${apps.map((app) => fmtMicros(measured[app].cpuMicrosPerRequest)).join('/')}` +
          `  → ours/express-session ${entry.oursOverExpressSession.toFixed(2)}, ours/bare ${entry.oursOverBare.toFixed(2)}` +
          (measured.baseline ? `, ours/baseline ${entry.oursOverBaseline.toFixed(2)}` : '') +
          `  (order: ${order.join(', ')})`,
      );
    }
    return summarise(scenario, apps, rounds);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** The apps loaded in every round: the three of the report, and the baseline build when given. */
function appsFor(options) {
  return options.baseline ? [...APPS, 'baseline'] : APPS;
}

function summarise(scenario, appNames, rounds) {
  const apps = {};
  for (const app of appNames) {
    const rates = rounds.map((r) => r.apps[app].rate);
    apps[app] = {
      reqPerSec: median(rates),
      p99Ms: median(rounds.map((r) => r.apps[app].p99)),
      cpuMicrosPerRequest: median(rounds.map((r) => r.apps[app].cpuMicrosPerRequest)),
      reqPerSecRange: range(rates),
    };
  }
  const ratio = (key) => {
    const values = rounds.map((r) => r[key]);
    return { median: median(values), ...range(values), perRound: values };
  };
  return {
    title: SCENARIOS[scenario].title,
    apps,
    ratios: {
      oursOverExpressSession: ratio('oursOverExpressSession'),
      oursOverBare: ratio('oursOverBare'),
      ...(appNames.includes('baseline') ? { oursOverBaseline: ratio('oursOverBaseline') } : {}),
    },
    rounds,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function fmtRate(rate) {
  return Math.round(rate).toLocaleString('en-US').padStart(6);
}

function fmtMicros(micros) {
  return Number.isNaN(micros) ? 'n/a' : String(Math.round(micros));
}

function scenarioTable(results) {
  const header = [
    'scenario'.padEnd(22),
    'bare req/s'.padStart(11),
    'e-s req/s'.padStart(10),
    'ours req/s'.padStart(11),
    'p99 ms b/e-s/ours'.padStart(18),
    'CPU µs/req b/e-s/ours'.padStart(22),
    'ours/e-s'.padStart(9),
    '(min–max)'.padStart(11),
    'ours/bare'.padStart(10),
    '(min–max)'.padStart(11),
  ].join(' ');
  const lines = [header, '-'.repeat(header.length)];
  for (const result of Object.values(results)) {
    const { apps, ratios } = result;
    const p99 = APPS.map((app) => String(Math.round(apps[app].p99Ms * 10) / 10)).join(' / ');
    const spread = (r) => `${r.min.toFixed(2)}–${r.max.toFixed(2)}`;
    lines.push(
      [
        result.title.padEnd(22),
        fmtRate(apps.bare.reqPerSec).padStart(11),
        fmtRate(apps['express-session'].reqPerSec).padStart(10),
        fmtRate(apps.ours.reqPerSec).padStart(11),
        p99.padStart(18),
        APPS.map((app) => fmtMicros(apps[app].cpuMicrosPerRequest)).join(' / ').padStart(22),
        ratios.oursOverExpressSession.median.toFixed(2).padStart(9),
        spread(ratios.oursOverExpressSession).padStart(11),
        ratios.oursOverBare.median.toFixed(2).padStart(10),
        spread(ratios.oursOverBare).padStart(11),
      ].join(' '),
    );
  }
  return lines;
}

function scenarioTargets(results) {
  const targets = [];
  for (const [scenario, result] of Object.entries(results)) {
    const es = result.ratios.oursOverExpressSession.median;
    const bare = result.ratios.oursOverBare.median;
    targets.push({ name: `${scenario} ours/express-session ≥ 1.5`, value: es, pass: es >= 1.5, shown: es.toFixed(2) });
    targets.push({ name: `${scenario} ours/bare ≥ 0.85`, value: bare, pass: bare >= 0.85, shown: bare.toFixed(2) });
  }
  return targets;
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

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  if (options.baseline) {
    if (!existsSync(options.baseline)) {
      console.error(`--baseline ${options.baseline}: no such file`);
      process.exit(2);
    }
    process.env.BENCH_BASELINE_ENTRY = options.baseline;
  }
  if (options.ours) {
    if (!existsSync(options.ours)) {
      console.error(`--ours ${options.ours}: no such file`);
      process.exit(2);
    }
    process.env.BENCH_OURS_ENTRY = options.ours;
  } else if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
    console.error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`');
    process.exit(2);
  }
  const log = (line) => console.log(line);
  const started = Date.now();
  const pinning = planPinning();
  const versions = {
    build: buildRevision(),
    node: process.version,
    express: require('express/package.json').version,
    expressSession: require('express-session-upstream/package.json').version,
    autocannon: require('autocannon/package.json').version,
  };
  log(`express-session-ts benchmark${options.quick ? ' (quick)' : ''} of ${versions.build}: node ${versions.node}, express ${versions.express}, ` +
    `express-session ${versions.expressSession}, autocannon ${versions.autocannon}`);
  log(`${options.rounds} round${options.rounds === 1 ? "" : "s"} × ${options.duration} s per app, ${options.warmup} s warm-up, ${options.connections} connections, loopback only`);
  log(pinning.note);
  if (options.ours) log(`ours = ${options.ours} (not this checkout's dist/)`);
  if (options.baseline) log(`baseline = ${options.baseline}, loaded in the same rounds`);

  const results = {};
  for (const scenario of options.scenarios) results[scenario] = await runScenario(scenario, options, pinning, log);

  let memoryStore;
  if (options.memoryStore) {
    log(`\nMemoryStore scale run (${options.sessions.toLocaleString('en-US')} sessions, each implementation in its own process with --expose-gc)`);
    memoryStore = await runMemoryStoreBench({ sessions: options.sessions, repeat: options.memoryStoreRepeat, cpu: pinning.serverCpu, log, oursEntry: options.ours });
  }

  log('\nThroughput: median over rounds; ratios are the median of per-round ratios (min–max over rounds).');
  log('e-s = express-session 1.19.0; p99 latency and server CPU time (all threads, /proc) per request of');
  log('bare / express-session / ours, median over rounds.\n');
  for (const line of scenarioTable(results)) log(line);
  if (options.baseline) {
    log('\nours / baseline (median of per-round ratios, min–max; CPU µs/req baseline → ours):');
    for (const [scenario, result] of Object.entries(results)) {
      const r = result.ratios.oursOverBaseline;
      log(`  ${scenario}  ${r.median.toFixed(3)}  ${r.min.toFixed(2)}–${r.max.toFixed(2)}   ` +
        `${fmtMicros(result.apps.baseline.cpuMicrosPerRequest)} → ${fmtMicros(result.apps.ours.cpuMicrosPerRequest)}`);
    }
  }

  const targets = scenarioTargets(results);
  if (memoryStore) {
    const report = memoryStoreReport(memoryStore);
    log('');
    for (const line of report.lines) log(line);
    targets.push(...report.targets);
  }

  log('\nTargets (reported, not asserted):');
  for (const t of targets) log(`${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.shown}`);

  const jsonPath = options.json instanceof URL ? fileURLToPath(options.json) : options.json;
  mkdirSync(dirname(jsonPath), { recursive: true });
  const report = {
    date: new Date(started).toISOString(),
    elapsedSeconds: Math.round((Date.now() - started) / 100) / 10,
    versions,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
    options: { ...options, json: undefined },
    pinning,
    scenarios: results,
    memoryStore,
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
