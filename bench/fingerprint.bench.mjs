// Does keeping the session's JSON as its fingerprint (src/internal/fingerprint.ts) earn its place?
// express-session hashed that JSON with SHA-1 and compared digests. Same-process A/B of what a
// request pays for its change detection: the fingerprint at load and again at the end, compared.
//
//   sha1: JSON (cookie left out) hashed with SHA-1, two digests compared, as express-session;
//   json: the two JSON strings compared.
//
// Two sessions: the bench's (`views` only) and one of ten fields.
//
// Then how fingerprint() copies the data for JSON.stringify, on a Session as the middleware has
// it (a new one, `{ views }`, ten fields):
//
//   rest: `const { cookie, ...data } = session`, as it did;
//   keys: every own key but the cookie copied by Object.keys, and no copy when there is none.
//
//   npm run build && node bench/fingerprint.bench.mjs [--rounds 12] [--ops 200000]
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { compare, numberArg } from './lib/ab.mjs';

const require = createRequire(import.meta.url);
const { Cookie, Session } = require('../dist/index.js');
const { fingerprint } = require('../dist/internal/fingerprint.js');

const sha1 = (session) => createHash('sha1').update(fingerprint(session), 'utf8').digest('hex');
const settings = { rounds: numberArg('rounds', 12), ops: numberArg('ops', 200_000) };
console.log(`Node ${process.version}, ${settings.rounds} alternating rounds of ${settings.ops} requests each`);
const fields = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`field${i}`, i % 2 ? i : `value ${i}`]));
for (const [label, session] of [['{ views }', { cookie: new Cookie(), views: 1 }], ['ten fields', { cookie: new Cookie(), ...fields }]]) {
  compare(label, {
    sha1: () => sha1(session) === sha1(session),
    json: () => fingerprint(session) === fingerprint(session),
  }, settings);
}

const restCopy = (session) => {
  const { cookie: _left, ...data } = session;
  return JSON.stringify(data);
};
const asLoaded = (data) => Object.assign(new Session({ sessionID: 'id', sessionStore: null }, data), { cookie: new Cookie() });
for (const [label, session] of [['new session', asLoaded({})], ['{ views }', asLoaded({ views: 1 })], ['ten fields', asLoaded(fields)]]) {
  if (restCopy(session) !== fingerprint(session)) throw new Error('the copies differ');
  compare(label, { rest: () => restCopy(session), keys: () => fingerprint(session) }, settings);
}
