// Where the CPU time of a request goes: each app under `node --cpu-prof`, loaded like in
// bench/run.mjs, and the samples taken during the load summarised as CPU µs per request, by
// group (our code, on-headers, cookie, crypto, JSON, Express, node:http, GC, ...) and by function.
//
//   npm run build && node bench/profile.mjs [--scenarios S2,S3] [--apps bare,express-session,ours]
//                                           [--duration 8] [--interval 200] [--top 25]
//                                           [--node 24|PATH] [--express 4|5] [--semi-space 16]
//   node bench/profile.mjs --analyse ...   summarise the profiles of the last run again
//   --pin                                   pin the server to one CPU as bench/run.mjs does; by
//                                           default it is not pinned, because on a shared CPU the
//                                           GC helper threads' work shows up as time in `writev`
//                                           (see bench/PROFILE.md)
//
// Profiles land in bench/results/profiles/ (git-ignored; open them in Chrome DevTools), the
// summary in bench/results/profile.md. Findings are written up in bench/PROFILE.md.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { checkScenario } from './lib/correctness.mjs';
import { resolveNodeBinary } from './lib/node-binary.mjs';
import { cpuMicros, nextMessage, planPinning, startServer, useNodeBinary } from './lib/processes.mjs';
import { SCENARIOS } from './lib/scenarios.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = fileURLToPath(new URL('results/profiles/', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Grouping

const EXPRESS_PACKAGES = [
  'express', 'router', 'send', 'etag', 'fresh', 'finalhandler', 'parseurl', 'qs', 'depd', 'content-type', 'accepts',
  'negotiator', 'type-is', 'mime', 'mime-types', 'mime-db', 'range-parser', 'proxy-addr', 'forwarded', 'statuses',
  'setprototypeof', 'utils-merge', 'encodeurl', 'escape-html', 'safe-buffer', 'methods', 'array-flatten',
  'path-to-regexp', 'vary', 'content-disposition', 'serve-static', 'merge-descriptors', 'side-channel', 'call-bind',
  'get-intrinsic', 'ipaddr.js', 'media-typer', 'on-finished', 'ee-first', 'http-errors', 'inherits', 'toidentifier',
];

/** The group of a frame that has a script URL. */
function groupOfUrl(url) {
  if (url.startsWith(ROOT + 'dist/') || url.startsWith('file://' + ROOT + 'dist/')) return 'ours (dist/)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url)?.[1];
  if (pkg) {
    if (pkg === 'express-session-upstream') return 'express-session (its own code)';
    if (pkg === 'on-headers') return 'on-headers';
    if (pkg === 'cookie') return 'cookie parse/serialize';
    if (pkg === 'cookie-signature' || pkg === 'uid-safe' || pkg === 'random-bytes') return 'crypto (signing, ids, hashing)';
    if (pkg === 'debug' || pkg === 'ms' || pkg === 'supports-color') return 'debug';
    if (EXPRESS_PACKAGES.includes(pkg)) return 'Express (express + its deps)';
    return `other package (${pkg})`;
  }
  if (url.includes('/bench/')) return 'bench app (handler, IPC)';
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'crypto (signing, ids, hashing)';
  if (/^node:(_http_|http$|net$|internal\/(http|net|stream_base_commons|streams\/|js_stream)|stream$|internal\/dtrace)/.test(url)) {
    return 'node:http (http, net, streams)';
  }
  if (/^node:(internal\/)?(timers|process\/task_queues|internal\/async_hooks|async_hooks)/.test(url)) return 'node: timers, nextTick, setImmediate';
  if (url.startsWith('node:') || url.startsWith('internal/')) return 'node: other';
  return 'other';
}

const SPECIAL = {
  '(garbage collector)': 'GC',
  '(program)': 'V8/native (program)',
  '(idle)': 'idle',
  '(root)': 'V8/native (program)',
};

/** Give every profile node a group: by its URL, or for native frames by name / nearest caller. */
function groupNodes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const group = new Map();
  const resolve = (id) => {
    if (group.has(id)) return group.get(id);
    const { callFrame } = byId.get(id);
    let result;
    if (SPECIAL[callFrame.functionName]) result = SPECIAL[callFrame.functionName];
    else if (callFrame.url) result = groupOfUrl(callFrame.url);
    else if (callFrame.functionName === 'stringify' || callFrame.functionName === 'parse') result = 'JSON';
    else {
      // A native function (a C++ binding or builtin): it works for whoever called it.
      const up = parent.get(id);
      const callerGroup = up === undefined ? 'V8/native (program)' : resolve(up);
      result = callerGroup === 'JSON' ? 'JSON' : callerGroup;
    }
    group.set(id, result);
    return result;
  };
  for (const node of profile.nodes) resolve(node.id);
  return { byId, group };
}

/**
 * Self time per group and per function between two timestamps (µs, the profiler's clock),
 * as total µs.
 */
function summarise(profile, from, to) {
  const { byId, group } = groupNodes(profile);
  const groups = new Map();
  const functions = new Map();
  let time = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    // Each sample stands for the interval up to the next one.
    const span = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if (time < from || time > to) continue;
    const node = byId.get(profile.samples[i]);
    const g = group.get(node.id);
    if (g === 'idle') continue;
    total += span;
    groups.set(g, (groups.get(g) ?? 0) + span);
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '(native)';
    const key = `${functionName || '(anonymous)'} ${where}`;
    const entry = functions.get(key) ?? { name: functionName || '(anonymous)', where, group: g, micros: 0 };
    entry.micros += span;
    functions.set(key, entry);
  }
  return { total, groups, functions };
}

function shortUrl(url) {
  return url
    .replace('file://', '')
    .replace(ROOT, '')
    .replace(/^.*node_modules\//, '')
    .replace('express-session-upstream/', 'express-session/');
}

// ---------------------------------------------------------------------------------------------
// Run

function parseArgs(argv) {
  const options = {
    pin: false, scenarios: ['S2', 'S3'], apps: ['bare', 'express-session', 'ours'], duration: 8, interval: 200, top: 25, connections: 10,
    express: 4, semiSpace: 16,
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--analyse') {
      options.analyse = true;
      continue;
    }
    if (argv[i] === '--pin' || argv[i] === '--no-pin') {
      options.pin = argv[i] === '--pin';
      continue;
    }
    const value = argv[++i];
    switch (argv[i - 1]) {
      case '--scenarios': options.scenarios = value.split(','); break;
      case '--apps': options.apps = value.split(','); break;
      case '--duration': options.duration = Math.min(30, Number(value)); break;
      case '--interval': options.interval = Number(value); break;
      case '--top': options.top = Number(value); break;
      // As in bench/run.mjs: the servers' Node, Express major and young generation (MB, 0 = V8's default).
      case '--node': options.node = value; break;
      case '--express': options.express = Number(value); break;
      case '--semi-space': options.semiSpace = Number(value); break;
      default: throw new Error(`unknown option ${argv[i - 1]}`);
    }
  }
  return options;
}

async function mark(server) {
  const id = Math.random();
  const reply = nextMessage(server.child, 'mark');
  server.child.send({ type: 'mark', id });
  return (await reply).micros;
}

async function profileOne(app, scenario, options, pinning) {
  const file = `${app}-${scenario}.cpuprofile`;
  rmSync(OUT + file, { force: true });
  const server = await startServer(app, scenario, {
    cpu: options.pin ? pinning.serverCpu : undefined,
    express: options.express,
    nodeArgs: [
      ...(options.semiSpace ? [`--min-semi-space-size=${options.semiSpace}`, `--max-semi-space-size=${options.semiSpace}`] : []),
      '--cpu-prof', '--cpu-prof-dir', OUT, '--cpu-prof-name', file, '--cpu-prof-interval', String(options.interval)],
  });
  try {
    const sessions = await checkScenario(scenario, [server]);
    const session = sessions[app];
    // Bare has no cookie of its own; send one of the same shape so the request is the same size.
    const cookie = session.cookie ?? `connect.sid=s%3A${'x'.repeat(32)}.${'y'.repeat(43)}`;
    const definition = SCENARIOS[scenario];
    const run = (seconds) => autocannon({
      url: server.url + '/',
      connections: options.connections,
      duration: seconds,
      sampleInt: 100,
      headers: definition.sendsCookie ? { cookie } : {},
    });
    await run(2); // warm-up, outside the window
    const from = await mark(server);
    const cpuBefore = cpuMicros(server.child.pid);
    const result = await run(options.duration);
    const cpuAfter = cpuMicros(server.child.pid);
    const to = await mark(server);
    if (result.non2xx || result.errors) throw new Error(`${app} ${scenario}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    await server.stop();
    const meta = {
      app, scenario, file, from, to,
      requests: result['2xx'],
      rate: result['2xx'] / options.duration,
      processCpuPerRequest: cpuBefore === undefined ? undefined : (cpuAfter - cpuBefore) / result['2xx'],
    };
    writeFileSync(OUT + file + '.json', JSON.stringify(meta) + '\n');
    return analyse(meta);
  } finally {
    await server.stop();
  }
}

/** Summarise a written profile over the load window its sidecar records. */
function analyse(meta) {
  const profile = JSON.parse(readFileSync(OUT + meta.file, 'utf8'));
  if (meta.from < profile.startTime || meta.to > profile.endTime) throw new Error('profile clock does not match process.hrtime');
  return { ...meta, ...summarise(profile, meta.from, meta.to) };
}

function report(results, options) {
  const lines = [];
  const out = (line = '') => lines.push(line);
  for (const scenario of options.scenarios) {
    const runs = results.filter((r) => r.scenario === scenario);
    out(`### ${SCENARIOS[scenario].title}: main-thread CPU µs per request by group (self time, load window only)`);
    out();
    const groups = [...new Set(runs.flatMap((r) => [...r.groups.keys()]))];
    const perRequest = (r, g) => (r.groups.get(g) ?? 0) / r.requests;
    groups.sort((a, b) => Math.max(...runs.map((r) => perRequest(r, b))) - Math.max(...runs.map((r) => perRequest(r, a))));
    out(`| group | ${runs.map((r) => r.app).join(' | ')} |`);
    out(`|---|${runs.map(() => '---:').join('|')}|`);
    for (const g of groups) out(`| ${g} | ${runs.map((r) => `${perRequest(r, g).toFixed(1)} (${((100 * (r.groups.get(g) ?? 0)) / r.total).toFixed(0)}%)`).join(' | ')} |`);
    out(`| **total CPU µs/request** | ${runs.map((r) => `**${(r.total / r.requests).toFixed(1)}**`).join(' | ')} |`);
    out(`| process CPU µs/request, all threads (/proc) | ${runs.map((r) => (r.processCpuPerRequest === undefined ? 'n/a' : r.processCpuPerRequest.toFixed(1))).join(' | ')} |`);
    out(`| req/s under the profiler | ${runs.map((r) => Math.round(r.rate).toLocaleString('en-US')).join(' | ')} |`);
    out();
    const bare = runs.find((r) => r.app === 'bare');
    if (bare) {
      out(`Session cost = app − ${bare.app}, in CPU µs per request, by group:`);
      out();
      const others = runs.filter((r) => r !== bare);
      out(`| group | ${others.map((r) => `${r.app} − ${bare.app}`).join(' | ')} |`);
      out(`|---|${others.map(() => '---:').join('|')}|`);
      for (const g of groups) {
        const cells = others.map((r) => perRequest(r, g) - perRequest(bare, g));
        if (cells.every((c) => Math.abs(c) < 0.3)) continue;
        out(`| ${g} | ${cells.map((c) => (c >= 0 ? '+' : '') + c.toFixed(1)).join(' | ')} |`);
      }
      out(`| **total** | ${others.map((r) => `**+${(r.total / r.requests - bare.total / bare.requests).toFixed(1)}**`).join(' | ')} |`);
      out();
    }
    for (const r of runs) {
      if (r === bare) continue;
      if (bare) {
        out(`#### ${r.app}, ${scenario}: functions that cost most more than in ${bare.app} (µs per request, app − ${bare.app})`);
        out();
        out(`| +µs/req | app | ${bare.app} | function | where | group |`);
        out('|---:|---:|---:|---|---|---|');
        const keys = new Set([...r.functions.keys(), ...bare.functions.keys()]);
        const rows = [...keys].map((key) => {
          const a = r.functions.get(key);
          const b = bare.functions.get(key);
          const appUs = (a?.micros ?? 0) / r.requests;
          const bareUs = (b?.micros ?? 0) / bare.requests;
          return { ...(a ?? b), appUs, bareUs, diff: appUs - bareUs };
        });
        for (const f of rows.sort((x, y) => y.diff - x.diff).slice(0, options.top)) {
          out(`| ${f.diff.toFixed(2)} | ${f.appUs.toFixed(2)} | ${f.bareUs.toFixed(2)} | ${f.name} | ${f.where} | ${f.group} |`);
        }
        out();
      }
      out(`#### ${r.app}, ${scenario}: top ${options.top} functions by self time (µs per request)`);
      out();
      out('| µs/req | % | function | where | group |');
      out('|---:|---:|---|---|---|');
      const top = [...r.functions.values()].sort((a, b) => b.micros - a.micros).slice(0, options.top);
      for (const f of top) {
        out(`| ${(f.micros / r.requests).toFixed(2)} | ${((100 * f.micros) / r.total).toFixed(1)} | ${f.name} | ${f.where} | ${f.group} |`);
      }
      out();
    }
  }
  return lines.join('\n');
}

const options = parseArgs(process.argv.slice(2));
if (options.node !== undefined) useNodeBinary(resolveNodeBinary(options.node, console.log));
mkdirSync(OUT, { recursive: true });
const pinning = options.pin ? planPinning() : { note: 'server not pinned (pass --pin to pin it as bench/run.mjs does)' };
console.log(pinning.note);
const results = [];
for (const scenario of options.scenarios) {
  for (const app of options.apps) {
    if (!options.analyse) console.log(`profiling ${app} ${scenario} (${options.duration} s under --cpu-prof, interval ${options.interval} µs)…`);
    if (options.analyse) {
      results.push(analyse(JSON.parse(readFileSync(`${OUT}${app}-${scenario}.cpuprofile.json`, 'utf8'))));
      continue;
    }
    results.push(await profileOne(app, scenario, options, pinning));
  }
}
const text = `Command: node bench/profile.mjs ${process.argv.slice(2).join(' ')}\n\n${report(results, options)}`;
writeFileSync(new URL('results/profile.md', import.meta.url), text + '\n');
console.log('\n' + text);
console.log(`\nprofiles: ${OUT.replace(ROOT, '')}  summary: bench/results/profile.md`);
process.exit(0);
