// Does flatJsonCopy (src/internal/json-copy.ts) earn its place? Same-process A/B of the one thing
// MemoryStore needs of a session's cookie on every touch and save, its JSON form, in alternating
// rounds so that machine noise hits both:
//
//   json: JSON.parse(JSON.stringify(cookie)), the obvious way;
//   copy: flatJsonCopy(cookie, 'cookie'), the same result without writing and reading JSON.
//
//   npm run build && node bench/json-copy.bench.mjs [--rounds 12] [--ops 200000]
//
// Two cookies: one with a maxAge (an expiry Date to write, as with `rolling` or any maxAge) and a
// browser-session cookie. Reported per cookie: CPU ns per copy for each, and copy/json per round
// (median, min-max), so a difference inside the spread of the rounds is noise.
import { isDeepStrictEqual } from 'node:util';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Cookie } = require('../dist/index.js');
const { flatJsonCopy } = require('../dist/internal/json-copy.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const ROUNDS = arg('rounds', 12);
const OPS = arg('ops', 200_000);
const cpuNow = process.threadCpuUsage ?? process.cpuUsage;

let sink;
/** CPU ns per call of `copy(cookie)`. */
function round(copy, cookie) {
  const start = cpuNow();
  for (let i = 0; i < OPS; i++) sink = copy(cookie);
  const used = cpuNow(start);
  return ((used.user + used.system) * 1000) / OPS;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const variants = {
  json: (cookie) => JSON.parse(JSON.stringify(cookie)),
  copy: (cookie) => flatJsonCopy(cookie, 'cookie'),
};
console.log(`Node ${process.version}, ${ROUNDS} alternating rounds of ${OPS} copies each`);
for (const [name, cookie] of [['maxAge 1 day', new Cookie({ maxAge: 86_400_000, sameSite: 'lax' })], ['browser-session', new Cookie()]]) {
  if (!isDeepStrictEqual(variants.copy(cookie), variants.json(cookie))) throw new Error('the copy differs from the JSON round trip');
  for (const copy of Object.values(variants)) for (let i = 0; i < 3; i++) round(copy, cookie);
  const ns = { json: [], copy: [] };
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['copy', 'json'] : ['json', 'copy'];
    const got = {};
    for (const variant of order) got[variant] = round(variants[variant], cookie);
    ns.json.push(got.json);
    ns.copy.push(got.copy);
    ratios.push(got.copy / got.json);
  }
  console.log(
    `  ${name.padEnd(16)} json ${median(ns.json).toFixed(0).padStart(5)} ns   copy ${median(ns.copy).toFixed(0).padStart(5)} ns   ` +
      `copy/json ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
  );
}
