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
});
