import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session = require('../src/index');
import { fingerprint } from '../src/internal/fingerprint';

describe('fingerprint: what counts as a change of the session data', () => {
  it('is the JSON of the data without the cookie, keys in their order, the session\'s own fields left out', () => {
    const req = { sessionID: 'id', sessionStore: new session.MemoryStore() };
    const loaded = new session.Session(req as never, { user: 'ann', cookie: { expires: null }, views: 2 });
    loaded.cookie = new session.Cookie({ maxAge: 1000 });
    assert.equal(fingerprint(loaded), '{"user":"ann","views":2}');
  });

  it('counts a change to a stored __proto__ key, which JSON.parse makes an own property', () => {
    const stored = JSON.parse('{"__proto__":{"role":"user"},"views":1}') as object;
    const changed = JSON.parse('{"__proto__":{"role":"admin"},"views":1}') as object;
    assert.equal(fingerprint(stored), '{"__proto__":{"role":"user"},"views":1}');
    assert.notEqual(fingerprint(stored), fingerprint(changed));
  });

  it('is {} for a session that holds nothing but its cookie, as a new session does', () => {
    const req = { sessionID: 'id', sessionStore: new session.MemoryStore() };
    const fresh = new session.Session(req as never);
    fresh.cookie = new session.Cookie();
    assert.equal(fingerprint(fresh), '{}');
    assert.equal(fingerprint({}), '{}');
  });

  it('writes what JSON.stringify writes for the data without the cookie, whatever the data holds', () => {
    const cases: Record<string, unknown>[] = [
      { cookie: 1, 2: 'two', b: 'b', 1: 'one', a: [1, { c: undefined }] },
      { skipped: undefined, fn() {}, date: new Date(0), nested: { cookie: 'kept: only the top-level cookie is left out' } },
      { withToJSON: { toJSON: () => 'custom' }, nan: Number.NaN },
    ];
    for (const data of cases) {
      const { cookie: _left, ...rest } = data;
      assert.equal(fingerprint(data), JSON.stringify(rest));
    }
  });
});
