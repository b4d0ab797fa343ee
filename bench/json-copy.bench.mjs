// Does flatJsonCopy (src/internal/json-copy.ts) earn its place? Same-process A/B of the one thing
// MemoryStore needs of a session's cookie on every touch and save, its JSON form:
//
//   json: JSON.parse(JSON.stringify(cookie)), the obvious way;
//   copy: flatJsonCopy(cookie, 'cookie'), the same result without writing and reading JSON.
//
//   npm run build && node bench/json-copy.bench.mjs [--rounds 12] [--ops 200000]
//
// Two cookies: one with a maxAge (an expiry Date to write, as with `rolling` or any maxAge) and a
// browser-session cookie.
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { compare, numberArg } from './lib/ab.mjs';

const require = createRequire(import.meta.url);
const { Cookie } = require('../dist/index.js');
const { flatJsonCopy } = require('../dist/internal/json-copy.js');

const settings = { rounds: numberArg('rounds', 12), ops: numberArg('ops', 200_000) };
console.log(`Node ${process.version}, ${settings.rounds} alternating rounds of ${settings.ops} copies each`);
for (const [label, cookie] of [['maxAge 1 day', new Cookie({ maxAge: 86_400_000, sameSite: 'lax' })], ['browser-session', new Cookie()]]) {
  const variants = { json: () => JSON.parse(JSON.stringify(cookie)), copy: () => flatJsonCopy(cookie, 'cookie') };
  if (!isDeepStrictEqual(variants.copy(), variants.json())) throw new Error('the copy differs from the JSON round trip');
  compare(label, variants, settings);
}
