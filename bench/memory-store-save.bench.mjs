// Does MemoryStore's shortcut for a session of nothing but its cookie (src/memory-store.ts,
// `encode`) earn its place? Every new visitor's session is one when saveUninitialized is on, and
// the store must keep a JSON-faithful copy of it. Same-process A/B of what a save computes from
// such a session (a new Session as the middleware has it, its cookie already copied):
//
//   json: JSON.parse(JSON.stringify({ ...session, cookie: null })), then the expiry put in, as
//         for any other session;
//   only: for-in finds no key but `cookie`, so the record is `{ cookie: expires }` (for-in rather
//         than Object.keys, whose array made `set` of a session with data 1.11× slower in
//         bench/memory-store.mjs).
//
// Then the other half of the question: is such a record any slower to hand out? `get` of
// 100,000 records made each way, in random order, each copied out as the store's `get` does.
//
//   npm run build && node bench/memory-store-save.bench.mjs [--rounds 12] [--ops 200000]
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { compare, numberArg } from './lib/ab.mjs';

const require = createRequire(import.meta.url);
const { Cookie, Session } = require('../dist/index.js');
const { flatJsonCopy } = require('../dist/internal/json-copy.js');
const { holdsOnlyItsCookie } = require('../dist/memory-store.js');

const settings = { rounds: numberArg('rounds', 12), ops: numberArg('ops', 200_000) };
console.log(`Node ${process.version}, ${settings.rounds} alternating rounds of ${settings.ops} operations each`);

for (const [label, options] of [['browser-session', {}], ['maxAge 1 day', { maxAge: 86_400_000 }]]) {
  const session = new Session({ sessionID: 'id', sessionStore: null });
  session.cookie = new Cookie(options);
  const expires = flatJsonCopy(session.cookie, 'cookie').expires;
  const variants = {
    json: () => {
      const data = JSON.parse(JSON.stringify({ ...session, cookie: null }));
      data.cookie = expires;
      return data;
    },
    only: () => (holdsOnlyItsCookie(session) ? { cookie: expires } : undefined),
  };
  if (!isDeepStrictEqual(variants.only(), variants.json())) throw new Error('the records differ');
  compare(`save, ${label}`, variants, settings);
}

const N = 100_000;
const template = flatJsonCopy(new Cookie(), 'cookie');
const expires = new Date(Date.now() + 86_400_000).toISOString();
const asParsed = new Map();
const asLiteral = new Map();
for (let i = 0; i < N; i++) {
  const data = JSON.parse(JSON.stringify({ cookie: null }));
  data.cookie = expires;
  asParsed.set('id' + i, data);
  asLiteral.set('id' + i, { cookie: expires });
}
const order = Array.from({ length: N }, (_, i) => 'id' + ((i * 7919) % N));
const decode = (data) => ({ ...data, cookie: { ...template, expires: data.cookie } });
compare('get, 100k records', {
  json: (i) => decode(asParsed.get(order[i % N])),
  only: (i) => decode(asLiteral.get(order[i % N])),
}, settings);
