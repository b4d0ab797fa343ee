// The session layer's CPU cost per request, measured in process: each app's Express handler is
// called with Node's own IncomingMessage and ServerResponse over a socket that takes the bytes
// and drops them. What the kernel and a client do with those bytes is the same for every app, and
// in bench/run.mjs it is a large and noisy share of a request (in bench/profile.mjs's S1 profile
// on Node 24 the socket write alone took 8–18 µs per request under the profiler, against 7–12 µs
// for the whole session layer here). In process a cell's ratio to the floor moves by about ±0.1
// from run to run, and within one run variants differ reliably by 0.5 µs or more (bench/PROFILE.md).
//
//   npm run build && node bench/layer.mjs [--node 24] [--express 4|5|both] [--scenarios S1,S4]
//                                         [--apps bare,floor,ours] [--ours PATH] [--baseline PATH]
//                                         [--processes 3] [--rounds 15] [--requests 5000] [--warm 40000]
//
// Every app runs in `processes` processes (one process's JIT can land a few percent above or
// below another's, so a single process per app would decide a cell by luck), pinned to one CPU,
// young generation fixed at 16 MB, warmed with `warm` requests. Then `rounds` rounds: each
// process serves `requests` requests in turn, in an order that rotates every round, and reports
// the CPU time (all its threads: GC and compiler included) per request. An app's figure is the
// median over its processes of each process's median round; the layer is that minus bare's.
// The last column lists each process's layer, to show how far one process's JIT strays.
//
// It complements bench/run.mjs (real sockets and a load generator, the figures in README.md);
// it is the quicker way to see a change to the request path, and it is what bench/PROFILE.md's
// S1 breakdown was measured with.
import { fileURLToPath } from 'node:url';
import { option, pathOption } from './lib/cli.mjs';
import { resolveNodeBinary } from './lib/node-binary.mjs';
import { nextMessage, planPinning, startNode, stopChild, useNodeBinary } from './lib/processes.mjs';
import { SCENARIOS } from './lib/scenarios.mjs';
import { median } from './lib/stats.mjs';

if (process.argv[2] === '--child') await serve(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]));
else await main();

async function main() {
  const node = await resolveNodeBinary(option('node', process.execPath));
  useNodeBinary(node);
  const expressMajors = option('express', '4') === 'both' ? ['4', '5'] : [option('express', '4')];
  const scenarios = option('scenarios', 'S1,S2,S3,S4').split(',');
  const ours = pathOption('ours');
  const baseline = pathOption('baseline');
  const apps = option('apps', baseline ? 'bare,floor,ours,baseline' : 'bare,floor,ours').split(',');
  if (apps[0] !== 'bare' || !apps.includes('floor')) throw new Error('--apps must start with bare and include floor');
  const processes = Number(option('processes', '3'));
  const rounds = Number(option('rounds', '15'));
  const requests = Number(option('requests', '5000'));
  const warm = Number(option('warm', '40000'));
  if (ours) process.env.BENCH_OURS_ENTRY = ours;
  if (baseline) process.env.BENCH_BASELINE_ENTRY = baseline;
  const { serverCpu, note } = planPinning();
  console.log(`${note}\n${processes} processes per app, ${warm} warm-up requests each, then ${rounds} rounds of ${requests} requests`);

  for (const expressMajor of expressMajors) {
    for (const scenario of scenarios) {
      const workers = apps.flatMap((app) => Array.from({ length: processes }, () => ({ app, rounds: [] })));
      let versions;
      for (const worker of workers) {
        worker.child = startNode(fileURLToPath(import.meta.url), ['--child', worker.app, scenario, expressMajor, String(warm)], {
          cpu: serverCpu,
          nodeArgs: ['--min-semi-space-size=16', '--max-semi-space-size=16'],
        });
        versions = (await nextMessage(worker.child, 'ready', 300_000)).versions;
      }
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < workers.length; i++) {
          const worker = workers[(i + round) % workers.length];
          worker.child.send({ type: 'run', requests });
          worker.rounds.push((await nextMessage(worker.child, 'round', 300_000)).cpuMicros);
        }
      }
      await Promise.all(workers.map((worker) => stopChild(worker.child)));
      report(scenario, versions, apps, workers);
    }
  }
}

/** One table: each app's CPU µs per request, its layer over bare, and that layer against the floor's. */
function report(scenario, versions, apps, workers) {
  const perProcess = (app) => workers.filter((worker) => worker.app === app).map((worker) => median(worker.rounds));
  const cpu = Object.fromEntries(apps.map((app) => [app, median(perProcess(app))]));
  const floorLayer = cpu.floor - cpu.bare;
  console.log(`\n${SCENARIOS[scenario].title}: Node ${versions.node}, Express ${versions.express}`);
  console.log('| app | CPU µs/request | layer µs | layer / floor | layer µs per process |\n|---|---:|---:|---:|---|');
  for (const app of apps) {
    const layer = cpu[app] - cpu.bare;
    const spread = perProcess(app).map((value) => (value - cpu.bare).toFixed(2)).join(', ');
    const cells = app === 'bare' ? ['', '', ''] : [layer.toFixed(2), (layer / floorLayer).toFixed(2), spread];
    console.log(`| ${app} | ${cpu[app].toFixed(2)} | ${cells.join(' | ')} |`);
  }
}

/** The child: app `app` for `scenario`, driven in process; answers `run` messages with its CPU µs per request. */
async function serve(app, scenario, expressMajor, warm) {
  const { IncomingMessage, ServerResponse } = await import('node:http');
  const { Duplex } = await import('node:stream');
  const { buildApp } = await import('./lib/app.mjs');
  const { app: handler, store, expressVersion } = buildApp(app, scenario, expressMajor);
  process.on('disconnect', () => process.exit(0));

  const socket = new Duplex({
    read() {},
    write(chunk, encoding, callback) {
      callback();
    },
    writev(chunks, callback) {
      callback();
    },
  });
  socket.remoteAddress = '127.0.0.1';
  /** One GET over the socket, as Node's HTTP server would hand it to Express; resolves with its Set-Cookie header. */
  const get = (path, cookie) =>
    new Promise((resolve) => {
      const req = new IncomingMessage(socket);
      req.method = 'GET';
      req.url = path;
      req.httpVersionMajor = req.httpVersionMinor = 1;
      req.httpVersion = '1.1';
      req.headers = cookie === undefined ? { host: 'localhost' } : { host: 'localhost', cookie };
      req.complete = true;
      const res = new ServerResponse(req);
      res.assignSocket(socket);
      res.on('finish', () => {
        res.detachSocket(socket);
        resolve(res.getHeader('set-cookie'));
      });
      handler(req, res);
    });

  const definition = SCENARIOS[scenario];
  let cookie;
  if (definition.sendsCookie && store) cookie = String([].concat(await get('/__init'))[0]).split(';')[0];
  const sent = await get('/', cookie);
  for (let i = 1; i < warm; i++) await get('/', cookie);
  await checkWarm(app, scenario, store, sent, cookie, warm);

  const versions = { node: process.version, express: expressVersion };
  process.on('message', async (message) => {
    if (message?.type === 'exit') process.exit(0);
    if (message?.type !== 'run') return;
    const start = process.cpuUsage();
    for (let i = 0; i < message.requests; i++) await get('/', cookie);
    const used = process.cpuUsage(start);
    process.send({ type: 'round', cpuMicros: (used.user + used.system) / message.requests });
  });
  process.send({ type: 'ready', versions });
}

/**
 * After the warm-up the store must hold what the scenario's work leaves, and the first response
 * must have carried a session cookie exactly when the scenario calls for one, so that no app can
 * look fast by skipping work: S1 saves a new session per request and sends its cookie, S2 and S3
 * keep the one session (S3 counting up), S4 sends its rolling cookie.
 */
async function checkWarm(app, scenario, store, setCookie, cookie, warm) {
  if (!store) return;
  const call = (method, ...args) => new Promise((resolve, reject) => store[method](...args, (err, value) => (err ? reject(err) : resolve(value))));
  const length = await call('length');
  const signed = cookie === undefined ? '' : decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  const views = scenario === 'S3' ? (await call('get', signed.slice(2, signed.lastIndexOf('.'))))?.views : undefined;
  const cookieExpected = scenario === 'S1' || scenario === 'S4';
  const problems = [
    scenario === 'S1' ? length >= warm || `holds ${length} sessions after ${warm} new visitors` : length === 1 || `holds ${length} sessions, not 1`,
    scenario !== 'S3' || views >= warm || `S3's counter is at ${views} after ${warm} requests`,
    (setCookie !== undefined) === cookieExpected || `${cookieExpected ? 'sent no' : 'sent a'} Set-Cookie`,
  ].filter((problem) => problem !== true);
  if (problems.length > 0) throw new Error(`${app} ${scenario}: ${problems.join('; ')}`);
}
