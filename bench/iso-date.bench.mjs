// Does remembering the last expiry conversion (src/internal/iso-date.ts) earn its place?
// Same-process A/B of the date work of one MemoryStore touch of a rolling session: write the new
// expiry as JSON writes it, read it back, and read back the stored (previous) one.
//
//   plain:      toISOString, then Date.parse twice;
//   remembered: toIsoString and parseDate, which keep the last conversion.
//
//   npm run build && node bench/iso-date.bench.mjs [--rounds 12] [--ops 200000]
//
// Two arrival rates: every request in the same millisecond (a busy server: each millisecond's
// requests share one expiry), and each request in a millisecond of its own (nothing to share).
import { createRequire } from 'node:module';
import { compare, numberArg } from './lib/ab.mjs';

const require = createRequire(import.meta.url);
const { parseDate, toIsoString } = require('../dist/internal/iso-date.js');

const settings = { rounds: numberArg('rounds', 12), ops: numberArg('ops', 200_000) };
console.log(`Node ${process.version}, ${settings.rounds} alternating rounds of ${settings.ops} touches each`);
const start = Date.now() + 60_000;
for (const [label, timeOf] of [['same millisecond', () => start], ['a new millisecond', (i) => start + i]]) {
  const date = new Date(start);
  let plainPrevious = date.toISOString();
  let rememberedPrevious = plainPrevious;
  const variants = {
    plain: (i) => {
      date.setTime(timeOf(i));
      const text = date.toISOString();
      const moved = Date.parse(text) - Date.parse(plainPrevious);
      plainPrevious = text;
      return moved;
    },
    remembered: (i) => {
      date.setTime(timeOf(i));
      const text = toIsoString(date);
      const moved = parseDate(text) - parseDate(rememberedPrevious);
      rememberedPrevious = text;
      return moved;
    },
  };
  if (variants.plain(1) !== variants.remembered(1)) throw new Error('the variants differ');
  compare(label, variants, settings);
}
