import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session = require('../../src/index');

const base = { secret: 's', resave: false, saveUninitialized: false } as const;

/** `session()` with one lifecycle option; the cast lets the tests pass what JavaScript users pass. */
function withOption(key: string, value: unknown): ReturnType<typeof session> {
  return session({ ...base, [key]: value } as session.SessionOptions);
}

describe('lifecycle durations are checked when session() is called', () => {
  for (const key of ['absoluteTimeout', 'renewalTimeout', 'renewalGrace', 'touchAfter']) {
    it(`throws a TypeError naming ${key} and its unit for a string ('1h'), NaN, Infinity, a negative number or a BigInt`, () => {
      assert.throws(() => withOption(key, '1h'), {
        name: 'TypeError',
        message: new RegExp(`^${key} option must be a (positive|non-negative) number of milliseconds \\(3600000 for one hour\\), got the string "1h"$`),
      });
      for (const value of [Number.NaN, Infinity, -1, 60_000n, '60000', {}]) {
        assert.throws(() => withOption(key, value), { name: 'TypeError', message: new RegExp(`^${key} option must be`) }, String(value));
      }
    });

    it(`treats ${key}: undefined, null or false as not set`, () => {
      for (const value of [undefined, null, false]) assert.equal(typeof withOption(key, value), 'function');
    });
  }

  it('refuses 0 for absoluteTimeout and renewalTimeout, where it would end or renew every session on every request', () => {
    assert.throws(() => withOption('absoluteTimeout', 0), { message: /^absoluteTimeout option must be a positive number/ });
    assert.throws(() => withOption('renewalTimeout', 0), { message: /^renewalTimeout option must be a positive number/ });
  });

  it('accepts 0 for renewalGrace (no grace) and touchAfter (touch whenever due)', () => {
    assert.equal(typeof withOption('renewalGrace', 0), 'function');
    assert.equal(typeof withOption('touchAfter', 0), 'function');
  });
});
