import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isoString } from '../src/internal/iso-date';

const DAY = 86_400_000;
const YEAR_10000 = Date.UTC(10000, 0, 1);

describe('isoString, the MemoryStore\'s expiry formatter', () => {
  it('writes what Date#toISOString writes for every day from 1970 to 2200, at a time of day that varies', () => {
    for (let day = 0; day < Date.UTC(2200, 0, 1) / DAY; day++) {
      const ms = day * DAY + ((day * 7_919_993) % DAY);
      if (isoString(ms) !== new Date(ms).toISOString()) assert.equal(isoString(ms), new Date(ms).toISOString());
    }
  });

  it('writes what Date#toISOString writes around the leap-year rules and the edges of its fast range', () => {
    const edges = [0, 1, 999, 1000, DAY - 1, YEAR_10000 - 1];
    for (const year of [1972, 2000, 2024, 2100, 2400, 9996, 9999]) {
      for (const [month, day] of [[1, 28], [1, 29], [2, 1], [11, 31]] as const) {
        const at = Date.UTC(year, month, day);
        edges.push(at - 1, at, at + 1);
      }
    }
    for (const ms of edges) assert.equal(isoString(ms), new Date(ms).toISOString(), String(ms));
  });

  it('writes what Date#toISOString writes for any whole millisecond up to year 9999', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: YEAR_10000 - 1 }), (ms) => isoString(ms) === new Date(ms).toISOString()), { numRuns: 20_000 });
  });

  it('hands times outside 1970-9999 or with a fraction to Date itself, and throws like it for an invalid time', () => {
    for (const ms of [-1, -DAY * 400, YEAR_10000, YEAR_10000 + 1, 1.5]) assert.equal(isoString(ms), new Date(ms).toISOString());
    assert.throws(() => isoString(Number.NaN), RangeError);
  });
});
