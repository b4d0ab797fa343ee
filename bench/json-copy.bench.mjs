// Does flatJsonCopy (src/internal/json-copy.ts) earn its place? Same-process A/B of the two
// things MemoryStore needs on a save, the JSON form of the session's cookie (also on a touch)
// and of its data:
//
//   json: JSON.parse(JSON.stringify(...)), the obvious way (for the data, with the cookie nulled,
//         which keeps V8's stringify on its fast path);
//   copy: flatJsonCopy, the same result without writing and reading JSON; for data it cannot
//         copy (an object inside) it gives up and the store takes the json route, which the
//         "nested" line measures as `copy ?? json`.
//
//   npm run build && node bench/json-copy.bench.mjs [--rounds 12] [--ops 200000]
//
// Two cookies: one with a maxAge (an expiry Date to write, as with `rolling` or any maxAge) and a
// browser-session cookie. Four sessions' data: a new session's (none), `{ views }`, ten fields,
// and a nested object, which flatJsonCopy gives up on at its first field.
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

const tenFields = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`field${i}`, i % 2 ? `value ${i}` : i]));
for (const [label, data] of [
  ['data: new session', {}],
  ['data: { views }', { views: 3 }],
  ['data: ten fields', tenFields],
  ['data: nested', { user: { id: 7, name: 'ada' }, views: 3 }],
]) {
  const session = { cookie: new Cookie(), ...data };
  const json = () => JSON.parse(JSON.stringify({ ...session, cookie: null }));
  const variants = { json, copy: () => flatJsonCopy(session, '', 'cookie') ?? json() };
  if (!isDeepStrictEqual(variants.copy(), variants.json())) throw new Error('the copy differs from the JSON round trip');
  compare(label, variants, settings);
}
