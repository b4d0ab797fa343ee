// Garbage collections per request: the young-generation collections (scavenges) and the full
// ones (mark-compact) that serving requests costs each app, counted from V8's --trace-gc. Counts,
// unlike times, do not depend on what else the machine is doing.
//
//   npm run build && node bench/gc.mjs [--node 24] [--express 4] [--scenarios S2,S4]
//                                      [--apps bare,express-session,ours] [--baseline PATH]
//                                      [--ours PATH] [--warm 20000] [--measure 20000]
//
// Each app and scenario runs the child of bench/instructions.mjs (the bench app and a keep-alive
// client in one process, young generation fixed at 16 MB) for `warm` and for `warm + measure`
// requests; the difference is what `measure` warm requests cost, reported per 10,000 requests.
//
// What it showed (issue 11): the per-request record, its session listener and the response
// hooks' callbacks were object literals. V8 tracks the allocation site of an object literal and,
// when most of a site's objects outlive a scavenge, allocates the site's objects in the old
// generation from then on. On Node 24 that happened to these three, and whatever they reach (the
// request, the response, the session) then survived every scavenge until a full collection:
// 4 to 6 mark-compacts per 10,000 requests instead of none, and 5 times the GC time per request
// in the CPU profile. As class instances and plain closures they are never pretenured.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { option, pathOption } from './lib/cli.mjs';
import { resolveNodeBinary } from './lib/node-binary.mjs';
import { SCENARIOS } from './lib/scenarios.mjs';

const node = await resolveNodeBinary(option('node', process.execPath));
const expressMajor = option('express', '4');
const scenarios = option('scenarios', 'S1,S2,S3,S4').split(',');
const baseline = pathOption('baseline');
const ours = pathOption('ours');
const apps = option('apps', baseline ? 'bare,express-session,ours,baseline' : 'bare,express-session,ours').split(',');
const warm = Number(option('warm', '20000'));
const measure = Number(option('measure', '20000'));
const child = fileURLToPath(new URL('instructions.mjs', import.meta.url));

/** Scavenges, mark-compacts and their pause time (ms) while one child serves `requests` requests. */
function countCollections(app, scenario, requests) {
  const proc = spawn(node, ['--trace-gc', '--min-semi-space-size=16', '--max-semi-space-size=16', child, '--child', app, scenario, expressMajor, String(requests)], {
    env: { ...process.env, BENCH_BASELINE_ENTRY: baseline ?? '', BENCH_OURS_ENTRY: ours ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (chunk) => (out += chunk));
  return new Promise((resolve, reject) => {
    proc.on('close', (status) => {
      if (status !== 0) return reject(new Error(`${app} ${scenario} exited with ${status}`));
      const counts = { scavenges: 0, markCompacts: 0, ms: 0 };
      // "[pid:0x…]  1234 ms: Scavenge 17.9 (34.5) -> 2.1 (34.5) MB, pooled: 0 MB, 1.23 / 0.00 ms …"
      for (const line of out.split('\n')) {
        const kind = /ms: (Scavenge|Mark-Compact|Mark-Sweep|Minor Mark-Sweep)\b/.exec(line)?.[1];
        if (!kind) continue;
        if (kind === 'Scavenge' || kind === 'Minor Mark-Sweep') counts.scavenges++;
        else counts.markCompacts++;
        counts.ms += Number(/MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \//.exec(line)?.[1] ?? 0);
      }
      resolve(counts);
    });
  });
}

const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`collections per 10,000 warm requests, Node ${version}, Express ${expressMajor}, young generation 16 MB, ${warm} warm-up + ${measure} measured requests`);
const per = 10_000 / measure;
for (const scenario of scenarios) {
  console.log(SCENARIOS[scenario].title);
  for (const app of apps) {
    const before = await countCollections(app, scenario, warm);
    const after = await countCollections(app, scenario, warm + measure);
    const row = (key, digits) => ((after[key] - before[key]) * per).toFixed(digits).padStart(7);
    console.log(`  ${app.padEnd(16)} scavenges ${row('scavenges', 1)}  mark-compacts ${row('markCompacts', 1)}  pause ms ${row('ms', 1)}`);
  }
}
