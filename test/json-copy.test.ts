import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import session = require('../src/index');
import { flatJsonCopy } from '../src/internal/json-copy';

/** What MemoryStore would hold without the shortcut. */
const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

/** Any value a cookie attribute could hold, including the ones JSON rewrites or leaves out. */
const attribute = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.double(), // NaN, ±Infinity, -0 included
  fc.integer(),
  fc.date({ noInvalidDate: false }),
  fc.constant(() => 'a function'),
  fc.constant(Symbol('s')),
);

describe('flatJsonCopy gives what a JSON round trip gives, without JSON', () => {
  it('copies a Cookie as JSON would: its attributes, its expiry as an ISO string, no undefined ones', () => {
    const cookie = new session.Cookie({ maxAge: 60_000, sameSite: 'lax', secure: true, domain: 'example.com', partitioned: true, priority: 'high' });
    assert.deepEqual(flatJsonCopy(cookie, 'cookie'), roundTrip(cookie));
    const browserSession = new session.Cookie();
    assert.deepEqual(flatJsonCopy(browserSession, 'cookie'), { originalMaxAge: null, expires: null, httpOnly: true, path: '/' });
  });

  it('writes an invalid date as null, NaN and infinities as null, -0 as 0, and leaves out undefined, functions and symbols', () => {
    const copy = flatJsonCopy({ a: new Date(Number.NaN), b: Number.NaN, c: -Infinity, d: -0, e: undefined, f: () => 1, g: Symbol('x'), h: 'kept' });
    assert.deepEqual(copy, { a: null, b: null, c: null, d: 0, h: 'kept' });
    assert.ok(Object.is(copy?.['d'], 0));
  });

  it('calls toJSON with the key, on the object and on its values, as JSON.stringify does', () => {
    const seen: string[] = [];
    const value = { toJSON: (key: string) => (seen.push(key), { when: { toJSON: (inner: string) => (seen.push(inner), 'then') } }) };
    assert.deepEqual(flatJsonCopy(value, 'cookie'), { when: 'then' });
    assert.deepEqual(seen, ['cookie', 'when']);
  });

  it('declines anything JSON would write as more than one flat object, and a BigInt JSON refuses', () => {
    assert.equal(flatJsonCopy({ nested: { a: 1 } }), undefined);
    assert.equal(flatJsonCopy({ list: [] }), undefined);
    assert.equal(flatJsonCopy({ big: 1n }), undefined);
    assert.equal(flatJsonCopy([1, 2]), undefined);
    assert.equal(flatJsonCopy('text'), undefined);
    assert.equal(flatJsonCopy(null), undefined);
    assert.equal(flatJsonCopy({ toJSON: () => 'a string' }), undefined);
    assert.equal(flatJsonCopy(JSON.parse('{"__proto__": 1}')), undefined);
  });

  it('property: for any flat object, the copy is the JSON round trip, or it declines', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__')), attribute), (object) => {
        const copy = flatJsonCopy(object);
        if (Object.hasOwn(object, '__proto__')) return assert.equal(copy, undefined);
        assert.notEqual(copy, undefined);
        assert.deepEqual(copy, roundTrip(object));
        // Same keys in the same order: the order decides the stored JSON.
        assert.deepEqual(Object.keys(copy!), Object.keys(roundTrip(object) as object));
      }),
    );
  });
});
