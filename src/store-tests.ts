/**
 * The store conformance kit: `require('express-session-ts/store-tests')`.
 *
 * A store author calls {@link testStore} from a `node:test` file (run it with `node --test`);
 * it registers one `describe` suite that checks the store the way the session middleware will
 * use it. The kit is written for Node's built-in test runner and imports `node:test` itself;
 * it does not work under Jest or Mocha.
 *
 * ```js
 * const { testStore } = require('express-session-ts/store-tests');
 * const { MyStore } = require('../lib/my-store');
 * testStore('MyStore', () => new MyStore({ url: process.env.MY_URL }), {
 *   cleanup: (store) => store.close(),
 * });
 * ```
 *
 * @packageDocumentation
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cookie, type CookieOptions } from './cookie';
import { callStore } from './internal/store-call';
import { Session } from './session';
import type { Store } from './store';

/** How {@link testStore} checks that sessions expire. */
export interface ExpiryTiming {
  /**
   * `cookie.maxAge` of the sessions in the expiry tests, in ms. Default 3000. Must exceed
   * `allowance` by at least 500 ms: the touch test refreshes a session between the two.
   */
  maxAge?: number;
  /**
   * How long past its `cookie.expires` a session may still be found, in ms. Default 1100,
   * enough for stores that keep expiry in whole seconds (Redis `EX`, SQL timestamps rounded up).
   */
  allowance?: number;
}

/** Options for {@link testStore}. All are optional. */
export interface StoreTestOptions {
  /**
   * Runs once after the suite with the store the factory made: close connections, drop
   * tables, stop timers, so that the test process can exit.
   */
  cleanup?: (store: Store) => void | Promise<void>;
  /**
   * Expiry timing, or `false` to leave out the tests that wait for sessions to expire (for a
   * store that only expires sessions on a slow schedule). Default `{ maxAge: 3000, allowance: 1100 }`.
   */
  expiry?: ExpiryTiming | false;
  /**
   * How long one store call may take before the test fails with "did not answer", in ms; a
   * method that neither calls back nor settles a promise would otherwise hang. Default 10000.
   */
  operationTimeout?: number;
  /** Skip the whole suite; a string is printed as the reason. Default false. */
  skip?: boolean | string;
}

/** The session shape the kit stores: its fields, plus the cookie the middleware always adds. */
type Stored = Record<string, unknown> & { cookie?: unknown };

/** An id shaped like the middleware's (24 random bytes, base64url: letters, digits, '-', '_'). */
function sessionId(tag: string): string {
  return `${tag}-${randomBytes(18).toString('base64url')}`;
}

/**
 * A session as the middleware hands it to `set` and `touch`: a {@link Session} with a
 * {@link Cookie}, so stores that read `cookie.maxAge` or `cookie.expires` see what they will
 * see in production.
 */
function makeSession(store: Store, sid: string, data: Record<string, unknown>, cookie: CookieOptions): Session & Stored {
  const session = new Session({ sessionID: sid, sessionStore: store }, data);
  session.cookie = new Cookie(cookie);
  return session as Session & Stored;
}

/** What a store must give back for `session`: its JSON, with `cookie.expires` as an ISO string. */
function asJson(session: object): Stored {
  return JSON.parse(JSON.stringify(session)) as Stored;
}

/** `stored`, with a `Date` in `cookie.expires` turned into the ISO string JSON would hold. */
function normalise(stored: unknown): unknown {
  if (stored === null || typeof stored !== 'object') return stored;
  const copy = { ...(stored as Stored) };
  const cookie = copy.cookie;
  if (cookie !== null && typeof cookie === 'object') {
    const expires = (cookie as { expires?: unknown }).expires;
    copy.cookie = { ...(cookie as object), expires: expires instanceof Date ? expires.toISOString() : expires };
  }
  return copy;
}

/**
 * Register a `node:test` suite named `name` that checks a session store against what
 * express-session (and this port) expect of it:
 *
 * - `get`, `set` and `destroy` exist; an unknown id is "not found" (`null`, `undefined` or an
 *   error with `code: 'ENOENT'`); destroying an unknown id is not an error.
 * - A session comes back as its JSON: every field, `cookie.originalMaxAge`, the cookie
 *   attributes and `cookie.expires` (as a `Date` or an ISO string). `get` returns a copy.
 * - `set` replaces; concurrent `set`s on different ids keep their own data; ids containing
 *   `-` and `_` work.
 * - Sessions expire when `cookie.expires` says (unless `expiry: false`).
 * - When present: `touch` extends a session's life without writing its data or reviving a
 *   destroyed session; `all` lists sessions (array or object keyed by id); `length` counts
 *   them; `clear` removes them all.
 *
 * Store methods may call back, return a promise, or both: the kit calls them the way the
 * middleware does. `all`, `length` and `clear` act on the whole store, so give the kit a store
 * (or a key prefix, table, ...) that nothing else uses while it runs.
 *
 * @param name the suite's name, e.g. the store's class name.
 * @param createStore makes the store once, before the first test; may be async.
 * @param options cleanup hook, expiry timing, per-call timeout, skip.
 */
export function testStore(name: string, createStore: () => Store | Promise<Store>, options: StoreTestOptions = {}): void {
  const expiry = options.expiry === false ? false : { maxAge: 3000, allowance: 1100, ...options.expiry };
  const timeout = options.operationTimeout ?? 10_000;
  if (expiry && !(expiry.maxAge >= expiry.allowance + 500)) {
    throw new RangeError('testStore: expiry.maxAge must exceed expiry.allowance by at least 500 ms');
  }

  // One test at a time, in order, whatever the enclosing suite allows: the tests share the
  // store, and length() and clear() see everything in it.
  describe(name, { skip: options.skip ?? false, concurrency: 1 }, () => {
    let store: Store | undefined;

    before(async () => {
      store = await createStore();
      assert.ok(store !== null && typeof store === 'object', 'createStore() returns the store');
    });
    after(async () => {
      if (store !== undefined && options.cleanup) await options.cleanup(store);
    });

    /** The store, once `before` made it. */
    const the = (): Store => {
      assert.ok(store, 'the store was created');
      return store;
    };

    /** One store call, answered by callback, promise or both, with a deadline. */
    function call<T>(method: string, ...args: unknown[]): Promise<T | undefined> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`store.${method}() did not call back or settle its promise within ${timeout} ms`));
        }, timeout);
        callStore<T>(the(), method, args, (err, value) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(value);
        });
      });
    }

    /** `get`, with every form of "not found" turned into undefined. */
    async function get(sid: string): Promise<Stored | undefined> {
      try {
        const found = await call<Stored | null>('get', sid);
        return found ?? undefined;
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
        throw err;
      }
    }

    const set = (sid: string, session: object) => call('set', sid, session).then(() => undefined);
    const destroy = (sid: string) => call('destroy', sid).then(() => undefined);

    /** A session with a distinct marker and an hour to live, stored under a fresh id. */
    async function stored(tag: string, data: Record<string, unknown> = {}): Promise<{ sid: string; session: Session & Stored }> {
      const sid = sessionId(tag);
      const session = makeSession(the(), sid, { marker: sid, ...data }, { maxAge: 3_600_000 });
      await set(sid, session);
      return { sid, session };
    }

    /** Skip the running test when the store lacks an optional method. */
    function needs(t: TestContext, method: 'touch' | 'all' | 'length' | 'clear'): boolean {
      if (typeof (the() as unknown as Record<string, unknown>)[method] === 'function') return true;
      t.skip(`the store has no ${method}() (optional)`);
      return false;
    }

    it('has the required methods get, set and destroy', () => {
      for (const method of ['get', 'set', 'destroy']) {
        assert.equal(typeof (the() as unknown as Record<string, unknown>)[method], 'function', `store.${method}`);
      }
    });

    it('reports an unknown id as not found (null, undefined or an ENOENT error)', async () => {
      assert.equal(await get(sessionId('unknown')), undefined);
    });

    it('returns a stored session as its JSON: every field, cookie attributes, originalMaxAge and expires', async () => {
      const sid = sessionId('roundtrip');
      const session = makeSession(the(), sid, {
        text: 'Grüße, 世界 "quoted" \\ back\nslash',
        number: 42.5,
        negative: -1,
        flag: false,
        nothing: null,
        list: [1, 'two', { three: [3] }, null],
        nested: { deeper: { deepest: 'yes' }, empty: {} },
        user: { id: 'u1', roles: ['admin'] },
      }, { maxAge: 3_600_000, path: '/app', httpOnly: true, secure: true, sameSite: 'strict', domain: 'example.com', priority: 'high' });
      await set(sid, session);
      const found = await get(sid);
      assert.ok(found, 'the session is found');
      const cookie = found.cookie as { expires?: unknown; originalMaxAge?: unknown } | undefined;
      assert.ok(cookie && typeof cookie === 'object', 'the session has its cookie');
      assert.ok(
        cookie.expires instanceof Date || typeof cookie.expires === 'string',
        `cookie.expires is a Date or an ISO string, not ${typeof cookie.expires}`,
      );
      assert.equal(new Date(cookie.expires as string | Date).toISOString(), session.cookie.expires!.toISOString(), 'cookie.expires, to the millisecond');
      assert.equal(cookie.originalMaxAge, 3_600_000, 'cookie.originalMaxAge');
      const expected = asJson(session);
      const actual = normalise(found) as Stored;
      for (const key of Object.keys(expected)) {
        assert.deepEqual(actual[key], expected[key], `field ${key}`);
      }
    });

    it('keeps a browser-session cookie (no maxAge) as expires null and originalMaxAge null', async () => {
      const sid = sessionId('no-expiry');
      const session = makeSession(the(), sid, { marker: sid }, {});
      await set(sid, session);
      const found = await get(sid);
      assert.ok(found, 'a session without an expiry is kept');
      const cookie = normalise(found) as { cookie: { expires?: unknown; originalMaxAge?: unknown } };
      assert.ok(cookie.cookie.expires === null || cookie.cookie.expires === undefined, 'no expires');
      assert.ok(cookie.cookie.originalMaxAge === null || cookie.cookie.originalMaxAge === undefined, 'no originalMaxAge');
      assert.equal(found.marker, sid);
    });

    it('hands out copies: changing what set() was given or what get() returned changes nothing stored', async () => {
      const { sid, session } = await stored('copies', { count: 1, nested: { value: 'a' } });
      session.count = 99;
      (session.nested as { value: string }).value = 'changed after set';
      const first = await get(sid);
      assert.equal(first?.count, 1);
      first!.count = 100;
      (first!.nested as { value: string }).value = 'changed after get';
      const second = await get(sid);
      assert.equal(second?.count, 1);
      assert.deepEqual(second?.nested, { value: 'a' });
    });

    it('replaces a session on a second set()', async () => {
      const { sid } = await stored('replace', { count: 1, dropped: true });
      await set(sid, makeSession(the(), sid, { marker: sid, count: 2 }, { maxAge: 3_600_000 }));
      const found = await get(sid);
      assert.equal(found?.count, 2);
      assert.equal(found?.dropped, undefined, 'fields of the old version are gone');
    });

    it('destroys a session, and destroying an unknown id is not an error (regenerate() relies on it)', async () => {
      const { sid } = await stored('destroy');
      await destroy(sid);
      assert.equal(await get(sid), undefined);
      await destroy(sid);
      await destroy(sessionId('never-stored'));
    });

    it('keeps sessions apart under concurrent set() calls on different ids', async () => {
      const sids = Array.from({ length: 25 }, (_, i) => sessionId(`concurrent${i}`));
      await Promise.all(sids.map((sid, i) => set(sid, makeSession(the(), sid, { marker: sid, index: i }, { maxAge: 3_600_000 }))));
      const found = await Promise.all(sids.map((sid) => get(sid)));
      found.forEach((session, i) => {
        assert.equal(session?.index, i, `session ${i}`);
        assert.equal(session?.marker, sids[i]);
      });
    });

    it("stores ids containing '-' and '_' (base64url, as the middleware makes them) as distinct keys", async () => {
      const base = sessionId('chars');
      const ids = [`${base}-a_b`, `${base}_a-b`, `${base}-_-`, `${base}__`, `-${base}`, `_${base}`];
      await Promise.all(ids.map((sid) => set(sid, makeSession(the(), sid, { marker: sid }, { maxAge: 3_600_000 }))));
      for (const sid of ids) assert.equal((await get(sid))?.marker, sid, sid);
    });

    it('no longer finds a session once its cookie.expires has passed', { skip: expiry ? false : 'expiry: false' }, async () => {
      if (!expiry) return;
      const sid = sessionId('expiry');
      await set(sid, makeSession(the(), sid, { marker: sid }, { maxAge: expiry.maxAge }));
      assert.equal((await get(sid))?.marker, sid, 'found before it expires');
      await sleep(expiry.maxAge + expiry.allowance);
      assert.equal(await get(sid), undefined, `still found ${expiry.allowance} ms after it expired`);
    });

    it('touch() extends a session\'s life', { skip: expiry ? false : 'expiry: false' }, async (t) => {
      if (!expiry || !needs(t, 'touch')) return;
      const { maxAge, allowance } = expiry;
      const slack = maxAge - allowance;
      const sid = sessionId('touch-life');
      const session = makeSession(the(), sid, { marker: sid }, { maxAge });
      const storedAt = Date.now();
      await set(sid, session);
      // Touch once any allowance for rounding has passed but well before the session lapses...
      await sleep(storedAt + allowance + slack / 2 - Date.now());
      session.touch();
      await call('touch', sid, session);
      // ...then look after the untouched session would surely be gone, well before the touched one is.
      await sleep(storedAt + maxAge + allowance + slack / 4 - Date.now());
      assert.equal((await get(sid))?.marker, sid, 'the touched session is still there past its first expiry');
    });

    it('touch() does not write the data it is given: a concurrent save is not undone', async (t) => {
      if (!needs(t, 'touch')) return;
      const { sid, session } = await stored('touch-data', { count: 1 });
      // Another request saved a change meanwhile; this request only read the session.
      await set(sid, makeSession(the(), sid, { marker: sid, count: 2 }, { maxAge: 3_600_000 }));
      session.touch();
      await call('touch', sid, session);
      assert.equal((await get(sid))?.count, 2);
    });

    it('touch() of a destroyed session neither fails nor brings it back', async (t) => {
      if (!needs(t, 'touch')) return;
      const { sid, session } = await stored('touch-gone');
      await destroy(sid);
      session.touch();
      await call('touch', sid, session);
      assert.equal(await get(sid), undefined);
    });

    it('all() lists the stored sessions, as an array or an object keyed by id', async (t) => {
      if (!needs(t, 'all')) return;
      const a = await stored('all-a');
      const b = await stored('all-b');
      const sessions = await call<unknown>('all');
      assert.ok(sessions !== null && typeof sessions === 'object', 'all() gives an array or an object');
      const list = Array.isArray(sessions) ? (sessions as Stored[]) : Object.values(sessions as Record<string, Stored>);
      for (const { sid } of [a, b]) {
        const entry = list.find((session) => session?.marker === sid);
        assert.ok(entry, `session ${sid} is listed`);
        assert.ok(entry.cookie && typeof entry.cookie === 'object', 'with its cookie');
        if (!Array.isArray(sessions)) assert.equal((sessions as Record<string, Stored>)[sid]?.marker, sid, 'keyed by its id');
      }
    });

    it('length() counts the stored sessions', async (t) => {
      if (!needs(t, 'length')) return;
      const before = await call<number>('length');
      assert.equal(typeof before, 'number');
      const added = [await stored('length-a'), await stored('length-b'), await stored('length-c')];
      assert.equal(await call<number>('length'), before! + 3);
      await destroy(added[0]!.sid);
      assert.equal(await call<number>('length'), before! + 2);
    });

    it('clear() removes every session', async (t) => {
      if (!needs(t, 'clear')) return;
      const sids = [(await stored('clear-a')).sid, (await stored('clear-b')).sid];
      await call('clear');
      for (const sid of sids) assert.equal(await get(sid), undefined, `${sid} is gone`);
      if (typeof (the() as unknown as Record<string, unknown>).length === 'function') {
        assert.equal(await call<number>('length'), 0);
      }
    });
  });
}
