// Does remembering verified MACs earn its place? Same-process A/B of the library's own check of a
// returning visitor's signed cookie (unsignSessionId in dist/internal/signing.js), in alternating
// rounds so that machine noise hits both:
//
//   plain: no VerifiedMacs: one HMAC per request;
//   memo:  with a VerifiedMacs Map, as each session() middleware owns one: an id verified once is
//          compared in constant time with its remembered MAC instead of recomputing it.
//
//   npm run build && node bench/signing.bench.mjs [--rounds 12] [--ops 200000]
//
// Two id pools: 1,000 visitors (all fit in the memo: its best case) and 100,000 (most miss it:
// its cost under load). Reported per pool: CPU ns per check for each, and memo/plain per round
// (median, min-max), so a difference inside the spread of the rounds is noise.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { signSessionId, unsignSessionId } = require('../dist/internal/signing.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const ROUNDS = arg('rounds', 12);
const OPS = arg('ops', 200_000);
const SECRETS = ['keyboard cat'];
const cpuNow = process.threadCpuUsage ?? process.cpuUsage;

/** CPU ns per call of `verify` over `values`, cycling. */
function round(verify, values) {
  let found = 0;
  const start = cpuNow();
  for (let i = 0; i < OPS; i++) {
    if (verify(values[i % values.length], SECRETS) !== undefined) found++;
  }
  const used = cpuNow(start);
  if (found !== OPS) throw new Error('a correctly signed cookie failed to verify');
  return ((used.user + used.system) * 1000) / OPS;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

console.log(`Node ${process.version}, ${ROUNDS} alternating rounds of ${OPS} checks each`);
for (const pool of [1_000, 100_000]) {
  const values = Array.from({ length: pool }, () => signSessionId(randomBytes(24).toString('base64url'), SECRETS[0]).slice(2));
  const remembered = new Map();
  const variants = {
    plain: (value, secrets) => unsignSessionId(value, secrets),
    memo: (value, secrets) => unsignSessionId(value, secrets, remembered),
  };
  // Warm-up: both fully compiled, and the memo filled as a long-running server has it.
  for (const verify of Object.values(variants)) for (let i = 0; i < 3; i++) round(verify, values);
  const ns = { plain: [], memo: [] };
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['memo', 'plain'] : ['plain', 'memo'];
    const result = {};
    for (const name of order) result[name] = round(variants[name], values);
    ns.plain.push(result.plain);
    ns.memo.push(result.memo);
    ratios.push(result.memo / result.plain);
  }
  const fmt = (xs) => `${median(xs).toFixed(0)} ns (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
  console.log(`${pool} ids: plain ${fmt(ns.plain)}, memo ${fmt(ns.memo)}; memo/plain median ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
}
