// How close to bare Express can a session middleware with express-session's API get at all?
// Loads, as bench/run.mjs does (servers pinned to one CPU, every variant in every round, median
// of per-round ratios), bare Express, the "floor" (only what the API forces on Express 4: three
// properties on req and wrappers on res.writeHead and res.end), the floor plus the one HMAC a
// signed cookie needs, bare and floor + HMAC again with req and res in V8's dictionary mode (as
// ours puts them on Node 23 and older), and ours, all as S2 (a returning reader). See
// bench/PROFILE.md.
//
//   npm run build && node bench/floor.mjs [--rounds 6] [--duration 2]
import { createRequire } from 'node:module';
import { get } from './lib/http.mjs';
import { cpuMicros, nextMessage, planPinning, startNode } from './lib/processes.mjs';
import { median } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const VARIANTS = ['bare', 'floor', 'floor + HMAC', 'bare, dictionary mode', 'floor + HMAC, dictionary mode', 'ours'];

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const rounds = option('--rounds', 6);
const duration = Math.min(10, option('--duration', 2));

const pinning = planPinning();
console.log(pinning.note);
const apps = [];
for (const variant of VARIANTS) {
  const child = startNode(new URL('./lib/floor-app.cjs', import.meta.url), [variant], { cpu: pinning.serverCpu });
  const { port } = await nextMessage(child, 'ready');
  apps.push({ variant, child, url: `http://127.0.0.1:${port}`, rate: [], cpu: [] });
}
// Every variant gets ours' signed cookie, so the requests are the same bytes.
const init = await get(apps.at(-1).url, '/__init');
const cookie = init.headers['set-cookie'][0].split(';')[0];
const load = (app, seconds) =>
  autocannon({ url: app.url + '/', connections: 10, duration: seconds, sampleInt: 100, headers: { cookie }, expectBody: 'views 1' });

for (const app of apps) await load(app, 1.5);
for (let round = 0; round < rounds; round++) {
  const measured = new Map();
  for (const app of round % 2 === 0 ? apps : [...apps].reverse()) {
    const before = cpuMicros(app.child.pid);
    const result = await load(app, duration);
    if (result.non2xx || result.errors || result.mismatches) throw new Error(`${app.variant}: bad responses`);
    measured.set(app, { rate: result['2xx'] / duration, cpu: before === undefined ? NaN : (cpuMicros(app.child.pid) - before) / result['2xx'] });
  }
  for (const app of apps) {
    app.rate.push(measured.get(app).rate / measured.get(apps[0]).rate);
    app.cpu.push(measured.get(app).cpu);
  }
}
console.log(`\nS2 returning reader, median over ${rounds} rounds of ${duration} s per variant:\n`);
console.log(`${'variant'.padEnd(30)} ${'req/s vs bare'.padStart(14)} ${'CPU µs/req'.padStart(11)}`);
for (const app of apps) {
  console.log(`${app.variant.padEnd(30)} ${median(app.rate).toFixed(2).padStart(14)} ${median(app.cpu).toFixed(0).padStart(11)}`);
}
process.exit(0);
