import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDate, toIsoString } from '../src/internal/iso-date';
import { flatJsonCopy } from '../src/internal/json-copy';

describe('iso-date: a cookie expiry written and read back, the last conversion remembered', () => {
  it('writes what toISOString writes, for the same date again and for the next one, extended years included', () => {
    const times = [Date.now(), Date.now(), Date.now() + 1, 0, -1, -62_198_755_200_000, 253_402_300_800_000, 8.64e15, -8.64e15, 1_700_000_000_000];
    for (const time of times) {
      assert.equal(toIsoString(new Date(time)), new Date(time).toISOString());
      assert.equal(toIsoString(new Date(time)), new Date(time).toISOString());
    }
  });

  it('reads what Date.parse reads: the text it wrote last, other dates, and text that is no date', () => {
    const written = toIsoString(new Date(1_700_000_000_123));
    for (const text of [written, '2026-12-06T04:10:00.000Z', 'Sun, 06 Dec 2026 04:10:00 GMT', '2026-12-06', '', 'not a date', '+275760-09-13T00:00:00.000Z']) {
      assert.deepEqual(parseDate(text), Date.parse(text));
    }
    assert.equal(parseDate(written), 1_700_000_000_123);
  });

  it('calls a date\'s own toISOString every time and does not remember what it wrote', () => {
    const time = 1_800_000_000_000;
    const plain = new Date(time);
    const odd = Object.assign(new Date(time), { toISOString: () => 'odd' });
    assert.equal(toIsoString(plain), plain.toISOString());
    assert.equal(toIsoString(odd), 'odd');
    assert.equal(toIsoString(plain), plain.toISOString());
    assert.equal(parseDate('odd'), Number.NaN);
    assert.deepEqual(flatJsonCopy({ expires: odd }), { expires: 'odd' });
  });

  it('property: any mix of writes and reads gives what toISOString and Date.parse give', () => {
    const step = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }).map((time) => ({ write: time })),
      fc.oneof(fc.string(), fc.date().map((date) => date.toISOString())).map((text) => ({ read: text })),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), (steps) => {
        for (const one of steps) {
          if ('write' in one) assert.equal(toIsoString(new Date(one.write)), new Date(one.write).toISOString());
          else assert.deepEqual(parseDate(one.read), Date.parse(one.read));
        }
      }),
    );
  });
});
