// Instructions per request, counted by valgrind: repeatable on a shared, noisy machine where
// times move by ±30% (the count does not depend on what the other core is doing).
//
//   npm run build && node bench/instructions.mjs [--node 24] [--express 4] [--scenarios S2,S4]
//                                                [--apps bare,floor,express-session,ours]
//                                                [--baseline PATH] [--ours PATH] [--warm 6000] [--measure 3000]
//                                                [--jobs 2]
//
// For each app and scenario, one process serves `warm` requests and then `warm + measure` in a
// second run, both under `valgrind --tool=cachegrind --cache-sim=no`, client and server in one
// process over loopback; the difference of the two totals, divided by `measure`, is the
// instruction count of one warm request (start-up, loading and warm-up cancel out). The
// session layer is that count minus bare Express's. V8 runs `--single-threaded` (no concurrent
// compiler or GC threads, whose share of the work depends on timing): two runs of one
// configuration then agree within about 2% per request.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { option, pathOption } from './lib/cli.mjs';
import { resolveNodeBinary } from './lib/node-binary.mjs';
import { SCENARIOS } from './lib/scenarios.mjs';

const args = process.argv.slice(2);

if (args[0] === '--child') {
  await serveAndLoad(args[1], args[2], args[3], Number(args[4]));
} else {
  await main();
}

async function main() {
  const node = await resolveNodeBinary(option('node', process.execPath));
  const expressMajor = option('express', '4');
  const scenarios = option('scenarios', 'S1,S2,S3,S4').split(',');
  const baseline = pathOption('baseline');
  const ours = pathOption('ours');
  const apps = option('apps', baseline ? 'bare,floor,express-session,ours,baseline' : 'bare,floor,express-session,ours').split(',');
  const warm = Number(option('warm', '6000'));
  const measure = Number(option('measure', '3000'));
  const jobs = Number(option('jobs', '2'));
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`instructions per request, Node ${version}, Express ${expressMajor}, ${warm} warm-up + ${measure} measured requests`);

  // Every run is independent: run `jobs` of them at a time, then report scenario by scenario.
  const runs = scenarios.flatMap((scenario) => apps.flatMap((app) => [warm, warm + measure].map((requests) => ({ scenario, app, requests }))));
  const totals = new Map();
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const run = runs[next++];
      totals.set(`${run.scenario} ${run.app} ${run.requests}`, await countInstructions(node, [run.app, run.scenario, expressMajor, String(run.requests)], baseline, ours));
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));

  for (const scenario of scenarios) {
    const counts = {};
    for (const app of apps) counts[app] = (totals.get(`${scenario} ${app} ${warm + measure}`) - totals.get(`${scenario} ${app} ${warm}`)) / measure;
    const bare = counts.bare;
    const rows = apps.map((app) => {
      const layer = counts[app] - bare;
      const vsFloor = app === 'bare' || app === 'floor' ? '' : ` ${(layer / (counts.floor - bare)).toFixed(2)}× floor's layer`;
      return `  ${app.padEnd(16)} ${Math.round(counts[app]).toString().padStart(8)}  layer ${Math.round(layer).toString().padStart(7)}${vsFloor}`;
    });
    console.log(`${SCENARIOS[scenario].title}\n${rows.join('\n')}`);
  }
}

function countInstructions(node, childArgs, baseline, ours) {
  const child = spawn(
    'valgrind',
    ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', '--smc-check=all-non-file',
      node, '--single-threaded', '--min-semi-space-size=16', '--max-semi-space-size=16', fileURLToPath(import.meta.url), '--child', ...childArgs],
    { env: { ...process.env, BENCH_BASELINE_ENTRY: baseline ?? '', BENCH_OURS_ENTRY: ours ?? '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('close', (status) => {
      const match = /I\s+refs:\s+([\d,]+)/.exec(stderr);
      if (status !== 0 || !match) reject(new Error(`valgrind failed for ${childArgs.join(' ')}:\n${stderr.slice(-2000)}`));
      else resolve(Number(match[1].replaceAll(',', '')));
    });
  });
}

/** The child: the app of bench/server.mjs, and a keep-alive client sending `requests` requests. */
async function serveAndLoad(app, scenario, expressMajor, requests) {
  const http = await import('node:http');
  const { buildApp } = await import('./lib/app.mjs');
  const definition = SCENARIOS[scenario];
  const { app: expressApp } = buildApp(app, scenario, expressMajor);
  const server = expressApp.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path, cookie) =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.address().port, path, agent, headers: cookie ? { cookie } : {} }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['set-cookie']?.[0]?.split(';')[0]));
      });
      req.on('error', reject);
    });
  const cookie = definition.sendsCookie && app !== 'bare' ? await get('/__init') : undefined;
  for (let i = 0; i < requests; i++) await get('/', cookie);
  agent.destroy();
  server.close();
}
