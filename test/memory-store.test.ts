import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import session = require('../src/index');
import { waitFor } from './support/wait';

// express-session 1.19.0's own MemoryStore, the reference for every documented behaviour.
const UpstreamMemoryStore: new () => session.Store = require('express-session-upstream/session/memory');

type SessionData = session.SessionData;
type Store = session.Store;

const HOUR = 3_600_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Call a store method and resolve with its callback's value; reject if the callback got an error. */
function call<T = unknown>(store: Store, method: 'all' | 'clear' | 'destroy' | 'get' | 'set' | 'length' | 'touch', ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    (store[method] as (...a: unknown[]) => void).call(store, ...args, (err: unknown, value: T) => (err ? reject(err) : resolve(value)));
  });
}

function sessionExpiringIn(ms: number, data: Record<string, unknown> = {}): SessionData {
  return { cookie: new session.Cookie({ maxAge: ms }), ...data } as SessionData;
}

/**
 * `action()` with `Date.now()` held at `at`. Store methods read the clock when called, so a
 * call's answer is decided at `at` even though its callback comes later.
 */
function atClock<T>(at: number, action: () => T): T {
  const realNow = Date.now;
  Date.now = () => at;
  try {
    return action();
  } finally {
    Date.now = realNow;
  }
}

/** How many records the store holds, without letting length() sweep: the clock is held at `at`. */
function heldAt(store: session.MemoryStore, at: number): Promise<number> {
  return atClock(at, () => call<number>(store, 'length'));
}

/** A store answer as text that shows key order too; all() by id, since the stores may order ids apart. */
function answerText(method: string, answer: unknown): string {
  if (method === 'all' && answer) return JSON.stringify(Object.fromEntries(Object.entries(answer).sort(([a], [b]) => (a < b ? -1 : 1))));
  return JSON.stringify(answer) ?? 'undefined';
}

describe('MemoryStore keeps every documented behaviour of express-session\'s', () => {
  it('get() gives back a JSON copy of what set() stored, as a new object each time', async () => {
    const store = new session.MemoryStore();
    const stored = sessionExpiringIn(HOUR, { user: { name: 'ada', roles: ['admin'] }, when: new Date(0), skip: undefined, fn: () => 1 });
    await call(store, 'set', 'sid', stored);
    const first = await call<Record<string, unknown>>(store, 'get', 'sid');
    assert.deepEqual(first, JSON.parse(JSON.stringify(stored)));
    assert.equal(first['when'], '1970-01-01T00:00:00.000Z', 'a Date comes back as its JSON string');
    assert.equal('fn' in first, false);
    assert.notEqual(first, await call(store, 'get', 'sid'));
  });

  it('set() stores a copy: later changes to the object or its cookie are not seen', async () => {
    const store = new session.MemoryStore();
    const stored = sessionExpiringIn(HOUR, { n: 1 }) as SessionData & { n: number };
    await call(store, 'set', 'sid', stored);
    stored.n = 2;
    stored.cookie.path = '/changed';
    const got = await call<{ n: number; cookie: { path: string } }>(store, 'get', 'sid');
    assert.equal(got.n, 1);
    assert.equal(got.cookie.path, '/');
  });

  it('set() of an array with a cookie property stores the array\'s JSON, as express-session does', async () => {
    const ours = new session.MemoryStore();
    const theirs = new UpstreamMemoryStore();
    const stored = Object.assign(['a', 1], { cookie: new session.Cookie({ maxAge: HOUR }) });
    for (const store of [ours, theirs]) await call(store, 'set', 'sid', stored);
    const [a, b] = await Promise.all([call(ours, 'get', 'sid'), call(theirs, 'get', 'sid')]);
    assert.deepEqual(b, ['a', 1]);
    assert.deepEqual(a, b);
  });

  it('set() honours toJSON, on the cookie and on the session itself', async () => {
    const store = new session.MemoryStore();
    const custom = { cookie: new session.Cookie({ maxAge: HOUR }), secret: 'x', toJSON: () => ({ shown: true }) };
    await call(store, 'set', 'sid', custom);
    assert.deepEqual(await call(store, 'get', 'sid'), { shown: true });
    await call(store, 'set', 'sid', sessionExpiringIn(HOUR));
    assert.equal(typeof (await call<{ cookie: { expires: unknown } }>(store, 'get', 'sid')).cookie.expires, 'string');
  });

  it('get() gives undefined for an unknown id', async () => {
    assert.equal(await call(new session.MemoryStore(), 'get', 'nope'), undefined);
  });

  it('get() never returns an expired session, and forgets it', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'old', { cookie: { expires: new Date(Date.now() - 1000).toISOString(), path: '/' } });
    assert.equal(await call(store, 'get', 'old'), undefined);
    assert.equal(await heldAt(store, 0), 0);
  });

  it('keeps a session whose cookie has no expiry (a browser-session cookie) until destroyed', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'forever', { cookie: new session.Cookie(), n: 1 });
    assert.equal((await call<{ n: number }>(store, 'get', 'forever')).n, 1);
    assert.equal(await call(store, 'length'), 1);
  });

  it('all() gives every live session keyed by id, in a prototype-less object, without the expired ones', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'a', sessionExpiringIn(HOUR, { n: 1 }));
    await call(store, 'set', '__proto__', sessionExpiringIn(HOUR, { n: 2 }));
    await call(store, 'set', 'gone', sessionExpiringIn(-1000, { n: 3 }));
    const all = await call<Record<string, { n: number }>>(store, 'all');
    assert.equal(Object.getPrototypeOf(all), null);
    assert.deepEqual(Object.keys(all).sort(), ['__proto__', 'a']);
    assert.equal(all['a']!.n, 1);
  });

  it('length() counts live sessions only', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'a', sessionExpiringIn(HOUR));
    await call(store, 'set', 'b', sessionExpiringIn(HOUR));
    await call(store, 'set', 'gone', sessionExpiringIn(-1));
    assert.equal(await call(store, 'length'), 2);
  });

  it('destroy() removes one session; clear() removes them all', async () => {
    const store = new session.MemoryStore();
    for (const id of ['a', 'b', 'c']) await call(store, 'set', id, sessionExpiringIn(HOUR));
    await call(store, 'destroy', 'b');
    await call(store, 'destroy', 'never existed');
    assert.deepEqual(Object.keys(await call<object>(store, 'all')).sort(), ['a', 'c']);
    await call(store, 'clear');
    assert.equal(await call(store, 'length'), 0);
  });

  it('touch() replaces the cookie (and so the expiry) and keeps the data', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'sid', sessionExpiringIn(1000, { user: 'ada' }));
    const longer = sessionExpiringIn(HOUR, { user: 'someone else' });
    await call(store, 'touch', 'sid', longer);
    const touched = await call<{ user: string; cookie: { expires: string } }>(store, 'get', 'sid');
    assert.equal(touched.user, 'ada');
    assert.equal(touched.cookie.expires, (longer.cookie.expires as Date).toISOString());
  });

  it('touch() with a cookie whose attribute getter throws calls back with that error and keeps the stored copy', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'sid', sessionExpiringIn(HOUR, { user: 'ada' }));
    const before = await call(store, 'get', 'sid');
    const broken = new Error('cookie attribute cannot be read');
    const cookie = Object.defineProperty(new session.Cookie({ maxAge: 2 * HOUR }), 'path', { get: () => { throw broken; }, enumerable: true });
    // Through the callback, never thrown at the caller (express-session's middleware does not catch).
    const answer = await new Promise((resolve) => assert.doesNotThrow(() => store.touch('sid', { cookie, user: 'ada' } as never, resolve)));
    assert.equal(answer, broken);
    assert.deepEqual(await call(store, 'get', 'sid'), before);
  });

  it('touch() with a cookie unlike the stored ones (other attributes, an object inside) stores that cookie and keeps the data', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'sid', sessionExpiringIn(HOUR, { user: 'ada' }));
    for (const cookie of [new session.Cookie({ maxAge: 2 * HOUR, domain: 'example.com' }), { expires: null, extra: { nested: true } }]) {
      await call(store, 'touch', 'sid', { cookie, user: 'someone else' });
      assert.deepEqual(await call(store, 'get', 'sid'), { cookie: JSON.parse(JSON.stringify(cookie)), user: 'ada' });
    }
  });

  it('touch() does nothing for an unknown or expired session', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'gone', sessionExpiringIn(-1));
    await call(store, 'touch', 'gone', sessionExpiringIn(HOUR));
    await call(store, 'touch', 'unknown', sessionExpiringIn(HOUR));
    assert.equal(await call(store, 'get', 'gone'), undefined);
    assert.equal(await call(store, 'length'), 0);
  });

  it('calls every callback asynchronously, and works without the optional ones', async () => {
    const store = new session.MemoryStore();
    const order: string[] = [];
    const calls: Array<[string, (cb: (...a: unknown[]) => void) => void]> = [
      ['set', (cb) => store.set('sid', sessionExpiringIn(HOUR), cb)],
      ['get', (cb) => store.get('sid', cb)],
      ['touch', (cb) => store.touch('sid', sessionExpiringIn(HOUR), cb)],
      ['all', (cb) => store.all(cb)],
      ['length', (cb) => store.length(cb)],
      ['destroy', (cb) => store.destroy('sid', cb)],
      ['clear', (cb) => store.clear(cb)],
    ];
    for (const [name, run] of calls) {
      await new Promise<void>((resolve) => {
        run(() => {
          order.push(`${name} callback`);
          resolve();
        });
        order.push(`${name} returned`);
      });
    }
    assert.deepEqual(order, calls.flatMap(([name]) => [`${name} returned`, `${name} callback`]));
    store.set('x', sessionExpiringIn(HOUR));
    store.touch('x', sessionExpiringIn(HOUR));
    store.destroy('x');
    store.clear();
  });

  it('set() calls back with the error for data JSON cannot hold (express-session\'s threw), keeping the old copy', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'sid', sessionExpiringIn(HOUR, { n: 1 }));
    const circular: Record<string, unknown> = { ...sessionExpiringIn(HOUR) };
    circular['self'] = circular;
    await assert.rejects(call(store, 'set', 'sid', circular), TypeError);
    await assert.rejects(call(store, 'set', 'sid', sessionExpiringIn(HOUR, { big: 1n })), TypeError);
    assert.equal((await call<{ n: number }>(store, 'get', 'sid')).n, 1);
  });

  it('property: any sequence of calls gives the same answers as express-session 1.19.0\'s MemoryStore', async (t) => {
    const ids = fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor');
    const expires = fc.oneof(
      fc.constantFrom(null, undefined, true, 0, '', 'not a date', Date.now() - HOUR, Date.now() + HOUR, [Date.now() - HOUR]),
      fc.integer({ min: -3, max: 3 }).filter((h) => h !== 0).map((h) => new Date(Date.now() + h * HOUR)),
      fc.integer({ min: -3, max: 3 }).filter((h) => h !== 0).map((h) => new Date(Date.now() + h * HOUR).toISOString()),
      fc.integer({ min: -3, max: 3 }).filter((h) => h !== 0).map((h) => new Date(Date.now() + h * HOUR).toUTCString()),
    );
    const cookie = fc.oneof(
      fc.record({ originalMaxAge: fc.constantFrom(null, HOUR), expires, path: fc.constantFrom('/', '/app'), httpOnly: fc.boolean() }, { requiredKeys: ['path'] }),
      fc.integer({ min: -3, max: 3 }).filter((h) => h !== 0).map((h) => new session.Cookie({ maxAge: h * HOUR })),
      fc.constant(new session.Cookie()),
      // Our own cookies take a shorter way to their JSON: every kind of expiry must come out as
      // JSON.stringify writes it (invalid dates, years past 9999 or before 1970, a Date's own
      // toJSON, a subclass's toJSON).
      fc.oneof(
        fc.constantFrom(Number.NaN, 8.64e15, 253_402_300_800_000 + HOUR, -62_198_755_200_000, -HOUR),
        fc.integer({ min: -3, max: 3 }).filter((h) => h !== 0).map((h) => Date.now() + h * HOUR + 123),
      ).chain((ms) => fc.constantFrom(
        () => Object.assign(new session.Cookie({ path: '/p' }), { expires: new Date(ms) }),
        () => Object.assign(new session.Cookie(), { expires: Object.assign(new Date(ms), { toJSON: () => 'custom' }) }),
        () => Object.assign(new (class extends session.Cookie {
          override toJSON() {
            return { ...super.toJSON(), tag: 'subclass' } as ReturnType<session.Cookie['toJSON']>;
          }
        })(), { expires: new Date(ms) }),
      ).map((make) => make())),
      // An "expires" inside a nested object must not be taken for the cookie's own.
      fc.tuple(expires, expires).map(([inner, outer]) => ({ extra: { expires: inner }, expires: outer })),
      fc.constantFrom(undefined, null, 'a string'),
    );
    // Sessions of primitive values only are kept as objects, not as text: their keys in any order
    // (the cookie among them), and values JSON changes on the way (NaN, -0, dates, functions).
    const primitive = fc.oneof(
      fc.string(), fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined),
      fc.date().map((d) => new Date(d)), fc.constant(() => 'a function'),
    );
    const flatEntries = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'views', '__proto__', '2', 'toJSONish', 'expires'), primitive), { maxLength: 6 });
    const flatSession = fc.tuple(cookie, flatEntries, fc.nat()).map(([c, entries, at]) => {
      const withCookie: Array<[string, unknown]> = [...entries];
      withCookie.splice(at % (entries.length + 1), 0, ['cookie', c]);
      return Object.fromEntries(withCookie);
    });
    const sessionData = fc.oneof(fc.record({ cookie, data: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ['data'] }), flatSession);
    const op = fc.oneof(
      fc.tuple(fc.constant('set' as const), ids, sessionData),
      fc.tuple(fc.constant('touch' as const), ids, sessionData),
      fc.tuple(fc.constant('get' as const), ids),
      fc.tuple(fc.constant('destroy' as const), ids),
      fc.tuple(fc.constant('all' as const)),
      fc.tuple(fc.constant('length' as const)),
      fc.tuple(fc.constant('clear' as const)),
    );
    const runs = 1_500;
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
      const ours = new session.MemoryStore();
      const theirs = new UpstreamMemoryStore();
      for (const [method, ...args] of ops) {
        const [a, b] = await Promise.all([call(ours, method, ...args), call(theirs, method, ...args)]);
        assert.deepEqual(a, b, `${method}(${args.map((x) => JSON.stringify(x)).join(', ')})`);
        assert.equal(answerText(method, a), answerText(method, b), `${method}: same keys in the same order`);
      }
    }), { numRuns: runs });
    t.diagnostic(`${runs} generated call sequences`);
  });
});

describe('MemoryStore hands out sessions of primitive values without parsing them', () => {
  it('gives a fresh session and cookie on every get(): changing one never reaches the store', async () => {
    const store = new session.MemoryStore();
    await call(store, 'set', 'sid', sessionExpiringIn(HOUR, { user: 'ada', views: 3, admin: false, note: null }));
    const first = await call<Record<string, unknown> & { cookie: Record<string, unknown> }>(store, 'get', 'sid');
    const expected = JSON.stringify(first);
    first['user'] = 'mallory';
    first['extra'] = 1;
    delete first['views'];
    first.cookie['path'] = '/elsewhere';
    first.cookie['expires'] = 'never';
    const second = await call<Record<string, unknown> & { cookie: object }>(store, 'get', 'sid');
    assert.equal(JSON.stringify(second), expected);
    assert.notEqual(second, first);
    assert.notEqual(second.cookie, first.cookie);
    assert.equal(Object.getPrototypeOf(second), Object.prototype);
    assert.equal(Object.getPrototypeOf(second.cookie), Object.prototype);
  });

  it('gives back sessions whose cookies differ from the first one stored in more than the expiry as stored', async () => {
    const ours = new session.MemoryStore();
    const theirs = new UpstreamMemoryStore();
    const sessions: Record<string, object> = {
      first: { cookie: new session.Cookie({ maxAge: HOUR }), n: 1 },
      otherPath: { cookie: new session.Cookie({ maxAge: HOUR, path: '/app' }), n: 2 },
      noExpiry: { cookie: new session.Cookie(), n: 3 },
      moreAttributes: { n: 4, cookie: new session.Cookie({ maxAge: 2 * HOUR, domain: 'example.com', sameSite: 'strict' }) },
      plainCookie: { cookie: { path: '/', expires: new Date(Date.now() + HOUR).toISOString() }, n: 5 },
    };
    for (const [id, stored] of Object.entries(sessions)) for (const store of [ours, theirs]) await call(store, 'set', id, stored);
    for (const id of Object.keys(sessions)) {
      const [a, b] = await Promise.all([call(ours, 'get', id), call(theirs, 'get', id)]);
      assert.equal(answerText('get', a), answerText('get', b), id);
    }
  });

  it('stores a session of nothing but its cookie as express-session does: a Session\'s hidden fields and inherited keys left out', async () => {
    const ours = new session.MemoryStore();
    const theirs = new UpstreamMemoryStore();
    const fresh = new session.Session({ sessionID: 'fresh', sessionStore: ours } as never);
    fresh.cookie = new session.Cookie({ maxAge: HOUR, sameSite: 'lax' });
    const sessions: Record<string, object> = {
      fresh,
      browserSession: { cookie: new session.Cookie() },
      inheritedKey: Object.assign(Object.create({ inherited: 'not stored' }) as object, { cookie: new session.Cookie({ maxAge: HOUR }) }),
    };
    for (const [id, stored] of Object.entries(sessions)) for (const store of [ours, theirs]) await call(store, 'set', id, stored);
    (fresh as unknown as Record<string, unknown>)['views'] = 1;
    for (const store of [ours, theirs]) await call(store, 'set', 'withData', fresh);
    for (const id of [...Object.keys(sessions), 'withData']) {
      const [a, b] = await Promise.all([call(ours, 'get', id), call(theirs, 'get', id)]);
      assert.equal(answerText('get', a), answerText('get', b), id);
    }
    assert.equal((await call<Record<string, unknown>>(ours, 'get', 'withData'))['views'], 1);
  });

  it('gives the keys in the order JSON.parse gives them, the cookie wherever the session had it', async () => {
    const ours = new session.MemoryStore();
    const theirs = new UpstreamMemoryStore();
    const stored = { user: 'ada', cookie: new session.Cookie({ maxAge: HOUR, sameSite: 'lax' }), 7: 'seven', views: 1 };
    for (const store of [ours, theirs]) await call(store, 'set', 'sid', stored);
    const [a, b] = await Promise.all([call(ours, 'get', 'sid'), call(theirs, 'get', 'sid')]);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.deepEqual(Object.keys(a as object), ['7', 'user', 'cookie', 'views']);
  });

  it('forgets a session at its expiry to the millisecond, whichever way it is kept', async () => {
    const now = Date.now();
    const kinds: Record<string, (expires: Date) => object> = {
      'primitive values': (expires) => ({ cookie: Object.assign(new session.Cookie(), { expires }), n: 1 }),
      'nested values': (expires) => ({ cookie: Object.assign(new session.Cookie(), { expires }), user: { n: 1 } }),
      'a plain cookie': (expires) => ({ cookie: { expires: expires.toISOString(), path: '/' }, n: 1 }),
      'a numeric expiry': (expires) => ({ cookie: { expires: expires.getTime(), path: '/' }, n: 1 }),
    };
    for (const [kind, make] of Object.entries(kinds)) {
      for (const method of ['get', 'touch', 'length'] as const) {
        const store = new session.MemoryStore();
        await call(store, 'set', 'sid', make(new Date(now + 10)));
        const ask = (at: number) => atClock(at, () => {
          if (method === 'touch') return call(store, 'touch', 'sid', make(new Date(now + 10)));
          return method === 'get' ? call(store, 'get', 'sid') : call(store, 'length');
        });
        await ask(now + 9);
        assert.equal(await heldAt(store, 0), 1, `${kind}: still held a millisecond before, after ${method}`);
        await ask(now + 10);
        assert.equal(await heldAt(store, 0), 0, `${kind}: gone at the expiry, after ${method}`);
        assert.equal(await atClock(now + 10, () => call(store, 'get', 'sid')), undefined);
      }
    }
  });

  it('property: with the clock stepping a millisecond at a time, every answer is express-session 1.19.0\'s', async (t) => {
    const base = Date.now();
    const ids = fc.constantFrom('a', 'b', 'c');
    // Expiries a few milliseconds from the clock, so sessions expire in the middle of a sequence.
    const cookie = fc.tuple(fc.constantFrom('own', 'own-no-expiry', 'plain', 'numeric'), fc.integer({ min: 0, max: 6 }), fc.constantFrom('/', '/app'));
    const data = fc.constantFrom({ n: 1, s: 'x' }, { n: 2 }, {}, { nested: { n: 3 } }, { list: [1, 2] });
    const op = fc.oneof(
      fc.tuple(fc.constant('set' as const), ids, cookie, data),
      fc.tuple(fc.constant('touch' as const), ids, cookie, data),
      fc.tuple(fc.constant('get' as const), ids),
      fc.tuple(fc.constant('destroy' as const), ids),
      fc.tuple(fc.constant('all' as const)),
      fc.tuple(fc.constant('length' as const)),
      fc.tuple(fc.constant('tick' as const), fc.integer({ min: 0, max: 3 })),
    );
    const makeCookie = ([kind, inMs, path]: [string, number, string], now: number): object => {
      if (kind === 'own') return atClock(now, () => new session.Cookie({ maxAge: inMs, path }));
      if (kind === 'own-no-expiry') return new session.Cookie({ path });
      if (kind === 'plain') return { originalMaxAge: inMs, expires: new Date(now + inMs).toISOString(), path };
      return { expires: now + inMs, path };
    };
    const runs = 1_000;
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), async (ops) => {
      const ours = new session.MemoryStore();
      const theirs = new UpstreamMemoryStore();
      let now = base;
      for (const [method, ...args] of ops) {
        if (method === 'tick') {
          now += args[0] as number;
          continue;
        }
        const callArgs = method === 'set' || method === 'touch'
          ? [args[0], { cookie: makeCookie(args[1] as [string, number, string], now), ...(args[2] as object) }]
          : args;
        const [a, b] = await Promise.all(atClock(now, () => [call(ours, method, ...callArgs), call(theirs, method, ...callArgs)]));
        assert.equal(answerText(method, a), answerText(method, b), `${method}(${JSON.stringify(callArgs)}) at +${now - base} ms`);
      }
    }), { numRuns: runs });
    t.diagnostic(`${runs} generated call sequences`);
  });

  it('property: any change to a cookie\'s attributes between saves is stored as express-session stores it', async (t) => {
    // A save whose cookie writes the same JSON as the last one's skips writing it; this drives
    // every attribute, with values JSON writes differently (NaN, -0, objects), through that check.
    const value = fc.constantFrom<unknown>(undefined, null, true, false, 0, -0, 1, HOUR, Number.NaN, Infinity, '', '/', 'lax', 'auto', 'example.com', { nested: 1 }, [1]);
    const attribute = fc.constantFrom('originalMaxAge', 'partitioned', 'priority', 'secure', 'httpOnly', 'domain', 'path', 'sameSite', 'expires', '_expires');
    const change = fc.oneof(
      fc.tuple(attribute, value),
      fc.tuple(fc.constant('expires'), fc.integer({ min: -2, max: 2 }).map((h) => new Date(Date.now() + h * HOUR))),
      fc.tuple(fc.constant('maxAge'), fc.constantFrom(null, HOUR, 2 * HOUR)),
    );
    const runs = 500;
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('set', 'touch'), fc.array(change, { maxLength: 3 })), { minLength: 1, maxLength: 8 }), async (saves) => {
      const ours = new session.MemoryStore();
      const theirs = new UpstreamMemoryStore();
      for (const store of [ours, theirs]) await call(store, 'set', 'sid', { cookie: new session.Cookie({ maxAge: HOUR }), n: 1 });
      for (const [method, changes] of saves) {
        const cookie = new session.Cookie({ maxAge: HOUR }) as unknown as Record<string, unknown>;
        for (const [key, to] of changes) cookie[key] = to;
        const saved = { cookie, n: 2 };
        const [a, b] = await Promise.all([call(ours, method, 'sid', saved), call(theirs, method, 'sid', saved)]);
        assert.equal(answerText(method, a), answerText(method, b));
        const [gotOurs, gotTheirs] = await Promise.all([call(ours, 'get', 'sid'), call(theirs, 'get', 'sid')]);
        assert.equal(answerText('get', gotOurs), answerText('get', gotTheirs), `${method} after ${JSON.stringify(changes)}`);
      }
    }), { numRuns: runs });
    t.diagnostic(`${runs} generated save sequences`);
  });
});

describe('MemoryStore sweeps expired sessions out without a read', () => {
  it('removes them within the prune interval, leaving the live ones', async () => {
    const store = new session.MemoryStore({ pruneInterval: 20 });
    const before = Date.now();
    for (let i = 0; i < 50; i++) await call(store, 'set', `short${i}`, sessionExpiringIn(40));
    for (let i = 0; i < 5; i++) await call(store, 'set', `long${i}`, sessionExpiringIn(HOUR));
    assert.equal(await heldAt(store, before), 55);
    // Counted as of before they expired, so only the timer can have removed them.
    await waitFor(async () => (await heldAt(store, before)) === 5, { message: 'the sweep of the 50 expired sessions' });
  });

  it('at a cost proportional to the sessions that expired, not to all of them', async () => {
    const store = new session.MemoryStore({ pruneInterval: 20 });
    for (let i = 0; i < 20_000; i++) store.set(`cost-long${i}`, sessionExpiringIn(HOUR));
    for (let i = 0; i < 100; i++) store.set(`cost-short${i}`, sessionExpiringIn(30));
    // The sweep's steps, counted on this store's own expiry queue (a private member).
    const queue = store['expiries'];
    const pop = queue.pop.bind(queue);
    let pops = 0;
    queue.pop = () => {
      pops++;
      return pop();
    };
    await waitFor(() => pops >= 100, { message: 'the sweep of the 100 expired sessions' });
    assert.equal(pops, 100, 'one queue pop per expired session');
    assert.equal(await call(store, 'length'), 20_000);
  });

  it('a touch that moves the expiry later keeps the session past its first expiry', async () => {
    const store = new session.MemoryStore({ pruneInterval: 10 });
    await call(store, 'set', 'sid', sessionExpiringIn(40, { n: 1 }));
    await call(store, 'touch', 'sid', sessionExpiringIn(HOUR));
    // Fixed on purpose: the session must still be there after its first expiry has passed.
    await pause(100);
    assert.equal((await call<{ n: number }>(store, 'get', 'sid')).n, 1);
  });

  it('a set that moves the expiry earlier is swept at the earlier time', async () => {
    const store = new session.MemoryStore({ pruneInterval: 10 });
    const before = Date.now();
    await call(store, 'set', 'sid', sessionExpiringIn(HOUR));
    await call(store, 'set', 'sid', sessionExpiringIn(30));
    await waitFor(async () => (await heldAt(store, before)) === 0, { message: 'the sweep at the earlier expiry' });
  });

  it('never keeps the process alive: a script that leaves sessions in a store exits at once', async () => {
    const entry = resolve(__dirname, '..', 'dist', 'index.js');
    const script = `
      const session = require(${JSON.stringify(entry)});
      const store = new session.MemoryStore({ pruneInterval: 10 });
      store.set('soon', { cookie: new session.Cookie({ maxAge: 50 }) });
      store.set('later', { cookie: new session.Cookie({ maxAge: 3600000 }) }, () => console.log('stored'));
    `;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 10_000 });
    assert.equal(stdout.trim(), 'stored');
    assert.ok(Date.now() - started < 5_000, `exited after ${Date.now() - started} ms`);
  });

  it('gives the memory of a flood of expired sessions back (heap after ≈ heap before)', async () => {
    const entry = resolve(__dirname, '..', 'dist', 'index.js');
    const script = `
      const session = require(${JSON.stringify(entry)});
      const collect = () => { for (let i = 0; i < 4; i++) global.gc(); };
      const store = new session.MemoryStore({ pruneInterval: 20 });
      const flood = (n, ms) => {
        const cookie = new session.Cookie({ maxAge: ms });
        for (let i = 0; i < n; i++) store.set('visitor-' + i + '-' + Math.random(), { cookie, user: 'u' + i });
      };
      (async () => {
        flood(2000, 50);
        await new Promise((r) => setTimeout(r, 200));
        collect();
        const before = process.memoryUsage().heapUsed;
        flood(50000, 100);
        collect();
        const peak = process.memoryUsage().heapUsed;
        await new Promise((r) => setTimeout(r, 400));
        collect();
        const after = process.memoryUsage().heapUsed;
        console.log(JSON.stringify({ before, peak, after }));
      })();
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '-e', script], { timeout: 20_000 });
    const { before, peak, after: settled } = JSON.parse(stdout) as { before: number; peak: number; after: number };
    const grown = peak - before;
    assert.ok(grown > 5 * 2 ** 20, `the flood took memory (${grown} bytes)`);
    assert.ok(settled - before < grown * 0.05, `retained ${settled - before} of ${grown} bytes`);
  });
});

describe('MemoryStore max: a bound with least-recently-used eviction', () => {
  it('drops the least recently used session (get, set and touch count as use)', async () => {
    const store = new session.MemoryStore({ max: 3 });
    for (const id of ['a', 'b', 'c']) await call(store, 'set', id, sessionExpiringIn(HOUR, { id }));
    await call(store, 'get', 'a'); // order of use: b, c, a
    await call(store, 'set', 'd', sessionExpiringIn(HOUR)); // b goes
    assert.deepEqual(Object.keys(await call<object>(store, 'all')).sort(), ['a', 'c', 'd']);
    await call(store, 'touch', 'c', sessionExpiringIn(HOUR)); // order: a, d, c
    await call(store, 'set', 'd', sessionExpiringIn(HOUR, { again: true })); // order: a, c, d
    await call(store, 'set', 'e', sessionExpiringIn(HOUR)); // a goes
    assert.deepEqual(Object.keys(await call<object>(store, 'all')).sort(), ['c', 'd', 'e']);
  });

  it('never holds more than max sessions, whatever the mix of calls', async (t) => {
    const runs = 300;
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 8 }),
      fc.array(fc.tuple(fc.constantFrom('set', 'get', 'touch', 'destroy'), fc.integer({ min: 0, max: 20 })), { maxLength: 60 }),
      async (max, ops) => {
        const store = new session.MemoryStore({ max });
        for (const [method, n] of ops) {
          if (method === 'set' || method === 'touch') await call(store, method, `s${n}`, sessionExpiringIn(HOUR));
          else await call(store, method, `s${n}`);
          assert.ok((await heldAt(store, 0)) <= max);
        }
      },
    ), { numRuns: runs });
    t.diagnostic(`${runs} generated call sequences`);
  });

  it('rejects a max or pruneInterval that is not a positive number', () => {
    for (const max of [0, -1, 1.5, NaN, '10']) assert.throws(() => new session.MemoryStore({ max: max as number }), TypeError);
    for (const pruneInterval of [0, -5, NaN, Infinity]) assert.throws(() => new session.MemoryStore({ pruneInterval }), TypeError);
  });
});
