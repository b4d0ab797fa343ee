// Does drawing session ids from a batch (src/internal/session-id.ts) earn its place? Same-process
// A/B of a new visitor's id:
//
//   sync:  uid.sync(24) per id, as express-session does (a Buffer and a getrandom call each);
//   batch: generateSessionId(), one uid.sync(24 * 128) per 128 ids, sliced.
//
//   npm run build && node bench/session-id.bench.mjs [--rounds 12] [--ops 200000]
import { createRequire } from 'node:module';
import { compare, numberArg } from './lib/ab.mjs';

const require = createRequire(import.meta.url);
const uid = require('uid-safe');
const { generateSessionId } = require('../dist/internal/session-id.js');

const settings = { rounds: numberArg('rounds', 12), ops: numberArg('ops', 200_000) };
console.log(`Node ${process.version}, ${settings.rounds} alternating rounds of ${settings.ops} ids each`);
if (!/^[\w-]{32}$/.test(generateSessionId())) throw new Error('not a 32-character base64url id');
compare('new session id', { sync: () => uid.sync(24), batch: () => generateSessionId() }, settings);
