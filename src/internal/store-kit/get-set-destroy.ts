// The kit's checks of the three methods every store must have: what `get` gives back after
// `set`, and what `destroy` removes.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sessionId, type Stored, type StoreClient } from './client';

/** What a store must give back for `session`: its JSON, with `cookie.expires` as an ISO string. */
function asJson(session: object): Stored {
  return JSON.parse(JSON.stringify(session)) as Stored;
}

/** `stored`, with a `Date` in `cookie.expires` turned into the ISO string JSON would hold. */
function normalise(stored: Stored): Stored {
  const cookie = stored.cookie;
  if (cookie === null || typeof cookie !== 'object') return { ...stored };
  const expires = (cookie as { expires?: unknown }).expires;
  return { ...stored, cookie: { ...cookie, expires: expires instanceof Date ? expires.toISOString() : expires } };
}

/** Register the checks of `get`, `set` and `destroy`, in the order the suite runs them. */
export function getSetDestroyChecks(store: StoreClient): void {
  it('has the required methods get, set and destroy', () => {
    for (const method of ['get', 'set', 'destroy']) assert.ok(store.has(method), `store.${method}() is missing`);
  });

  it('reports an unknown id as not found (null, undefined or an ENOENT error)', async () => {
    assert.equal(await store.get(sessionId('unknown')), undefined);
  });

  it('returns a stored session as its JSON: every field, cookie attributes, originalMaxAge and expires', async () => {
    const sid = sessionId('roundtrip');
    const session = store.session(sid, {
      text: 'Grüße, 世界 "quoted" \\ back\nslash',
      number: 42.5,
      negative: -1,
      flag: false,
      nothing: null,
      list: [1, 'two', { three: [3] }, null],
      nested: { deeper: { deepest: 'yes' }, empty: {} },
      user: { id: 'u1', roles: ['admin'] },
    }, { maxAge: 3_600_000, path: '/app', httpOnly: true, secure: true, sameSite: 'strict', domain: 'example.com', priority: 'high' });
    await store.set(sid, session);
    const found = await store.get(sid);
    assert.ok(found, 'the session is found');
    const cookie = found.cookie as { expires?: unknown; originalMaxAge?: unknown } | undefined;
    assert.ok(cookie && typeof cookie === 'object', 'the session has its cookie');
    assert.ok(
      cookie.expires instanceof Date || typeof cookie.expires === 'string',
      `cookie.expires is a Date or an ISO string, not ${typeof cookie.expires}`,
    );
    assert.equal(new Date(cookie.expires).toISOString(), session.cookie.expires!.toISOString(), 'cookie.expires, to the millisecond');
    assert.equal(cookie.originalMaxAge, 3_600_000, 'cookie.originalMaxAge');
    // Field by field, so that a failure names the field; extra fields a store adds are allowed.
    const expected = asJson(session);
    const actual = normalise(found);
    for (const key of Object.keys(expected)) assert.deepEqual(actual[key], expected[key], `field ${key}`);
  });

  it('keeps a browser-session cookie (no maxAge) as expires null and originalMaxAge null', async () => {
    const sid = sessionId('no-expiry');
    await store.set(sid, store.session(sid, { marker: sid }, {}));
    const found = await store.get(sid);
    assert.ok(found, 'a session without an expiry is kept');
    const { cookie } = normalise(found) as { cookie: { expires?: unknown; originalMaxAge?: unknown } };
    assert.ok(cookie.expires === null || cookie.expires === undefined, 'no expires');
    assert.ok(cookie.originalMaxAge === null || cookie.originalMaxAge === undefined, 'no originalMaxAge');
    assert.equal(found.marker, sid);
  });

  it('hands out copies: changing what set() was given or what get() returned changes nothing stored', async () => {
    const { sid, session } = await store.stored('copies', { count: 1, nested: { value: 'a' } });
    session.count = 99;
    (session.nested as { value: string }).value = 'changed after set';
    const first = await store.get(sid);
    assert.equal(first?.count, 1);
    first!.count = 100;
    (first!.nested as { value: string }).value = 'changed after get';
    const second = await store.get(sid);
    assert.equal(second?.count, 1);
    assert.deepEqual(second?.nested, { value: 'a' });
  });

  it('replaces a session on a second set()', async () => {
    const { sid } = await store.stored('replace', { count: 1, dropped: true });
    await store.set(sid, store.session(sid, { marker: sid, count: 2 }));
    const found = await store.get(sid);
    assert.equal(found?.count, 2);
    assert.equal(found?.dropped, undefined, 'fields of the old version are gone');
  });

  it('destroys a session, and destroying an unknown id is not an error (regenerate() relies on it)', async () => {
    const { sid } = await store.stored('destroy');
    await store.destroy(sid);
    assert.equal(await store.get(sid), undefined);
    await store.destroy(sid);
    await store.destroy(sessionId('never-stored'));
  });

  it('keeps sessions apart under concurrent set() calls on different ids', async () => {
    const sids = Array.from({ length: 25 }, (_, i) => sessionId(`concurrent${i}`));
    await Promise.all(sids.map((sid, i) => store.set(sid, store.session(sid, { marker: sid, index: i }))));
    const found = await Promise.all(sids.map((sid) => store.get(sid)));
    found.forEach((session, i) => {
      assert.equal(session?.index, i, `session ${i}`);
      assert.equal(session?.marker, sids[i]);
    });
  });

  it("stores ids containing '-' and '_' (base64url, as the middleware makes them) as distinct keys", async () => {
    const base = sessionId('chars');
    const ids = [`${base}-a_b`, `${base}_a-b`, `${base}-_-`, `${base}__`, `-${base}`, `_${base}`];
    await Promise.all(ids.map((sid) => store.set(sid, store.session(sid, { marker: sid }))));
    for (const sid of ids) assert.equal((await store.get(sid))?.marker, sid, sid);
  });
}
