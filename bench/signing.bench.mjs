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
// its cost under load).
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { compare, numberArg } from './lib/ab.mjs';

const require = createRequire(import.meta.url);
const { signSessionId, unsignSessionId } = require('../dist/internal/signing.js');

const settings = { rounds: numberArg('rounds', 12), ops: numberArg('ops', 200_000) };
const SECRETS = ['keyboard cat'];
console.log(`Node ${process.version}, ${settings.rounds} alternating rounds of ${settings.ops} checks each`);
for (const pool of [1_000, 100_000]) {
  const values = Array.from({ length: pool }, () => signSessionId(randomBytes(24).toString('base64url'), SECRETS[0]).slice(2));
  const remembered = new Map();
  const checked = (verify) => (i) => {
    if (verify(values[i % pool]) === undefined) throw new Error('a correctly signed cookie failed to verify');
  };
  // compare() warms both up first, which fills the memo as a long-running server has it.
  compare(`${pool} ids`, {
    plain: checked((value) => unsignSessionId(value, SECRETS)),
    memo: checked((value) => unsignSessionId(value, SECRETS, remembered)),
  }, settings);
}
