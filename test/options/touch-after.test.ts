import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express, RequestHandler } from 'express';
import { isTouchDeferred, shouldSetCookie, shouldTouch, type SessionSnapshot } from '../../src/decisions';
import session = require('../../src/index');
import { defaultRoutes, expressVersions, sessionApp, start } from '../support/apps';
import { Browser, cookieAttributes, setCookieLine } from '../support/http';
import { sessionIdOf } from '../support/stores';
import { service } from '../integration/support/services';
import { builtFactory, connectRedisCjs, openRedisStore, readStored } from '../integration/support/stores';

type Store = session.Store;

const DAY = 86_400_000;
/** Long enough that nothing in a test reaches it. */
const LONG = 60_000;
/** Short enough to wait for: the tests that need it to pass sleep past it. */
const SHORT = 400;

/** The shared routes, plus what a route sees of the cookie and an explicit save of unchanged data. */
function routes(app: Express): void {
  defaultRoutes(app);
  app.get('/cookie', (req, res) => {
    res.json({ expires: req.session.cookie.expires, maxAge: req.session.cookie.maxAge });
  });
  app.get('/save', (req, res, next) => {
    req.session.save((err) => (err ? next(err) : res.json({ expires: req.session.cookie.expires })));
  });
}

/** Calls to the store's `set` and `touch`, counted on this instance only (an own property shadows the class method). */
function countWrites(store: Store): { set: number; touch: number } {
  const calls = { set: 0, touch: 0 };
  const target = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['set', 'touch'] as const) {
    const original = target[method]!;
    const wrapper = function (this: unknown, ...args: unknown[]) {
      calls[method]++;
      return original.apply(this, args);
    };
    // The session bridge reads a method's arity to tell promise-only methods from those that call back.
    Object.defineProperty(wrapper, 'length', { value: original.length });
    target[method] = wrapper;
  }
  return calls;
}

/** The stored cookie's expiry, epoch ms. */
async function storedExpiry(store: Store, sid: string): Promise<number> {
  const stored = await readStored(store, sid);
  assert.ok(stored, 'the session is in the store');
  return new Date((stored.cookie as { expires: string | Date }).expires).getTime();
}

/** The Expires attribute of a response's Set-Cookie line, epoch ms (whole seconds). */
function sentExpiry(line: string | undefined): number {
  assert.ok(line, 'a Set-Cookie line');
  return Date.parse(cookieAttributes(line).expires as string);
}

interface Backend {
  readonly label: string;
  readonly skip: string | false;
  /**
   * A fresh store for one test, the middleware factory that shares its copy of the package, and
   * when the store will forget a session (epoch ms).
   */
  open(): Promise<{ store: Store; factory: (options: session.SessionOptions) => RequestHandler; expiresAt(sid: string): Promise<number> }>;
}

const redis = service('REDIS_URL', 'the touchAfter tests on connect-redis');
let redisHandle: Awaited<ReturnType<typeof openRedisStore>> | undefined;

const backends: Backend[] = [
  {
    label: 'MemoryStore',
    skip: false,
    open: async () => {
      const store = new session.MemoryStore();
      return { store, factory: session, expiresAt: (sid) => storedExpiry(store, sid) };
    },
  },
  {
    label: 'connect-redis on a real Redis',
    skip: redis.skip,
    open: async () => {
      if (!redisHandle) {
        await redis.assertReachable();
        redisHandle = await openRedisStore(redis.url!, 'touch-after', connectRedisCjs());
      }
      // One Redis connection for the file; a plain object inheriting from it gives each test its own counters.
      const handle = redisHandle;
      return {
        store: Object.create(handle.store) as Store,
        factory: builtFactory,
        expiresAt: async (sid) => Date.now() + (await handle.client.pTTL(handle.prefix + sid)),
      };
    },
  },
];
after(() => redisHandle?.close());

for (const backend of backends) {
  for (const { label, express } of expressVersions) {
    describe(`touchAfter option, ${backend.label} (${label})`, { skip: backend.skip }, () => {
      async function setup(options: Partial<session.SessionOptions>) {
        const { store, factory, expiresAt } = await backend.open();
        const writes = countWrites(store);
        const all: session.SessionOptions = { secret: 's', store, resave: false, saveUninitialized: false, cookie: { maxAge: DAY }, ...options };
        const browser = new Browser(await start(sessionApp(express, all, routes, factory)));
        return { store, writes, browser, expiresAt };
      }

      it('neither touches an unchanged session nor resends its rolling cookie within touchAfter', async () => {
        const { writes, browser } = await setup({ touchAfter: LONG, rolling: true });
        assert.ok(setCookieLine(await browser.get('/count')), 'the new session gets its cookie');
        assert.deepEqual(writes, { set: 1, touch: 0 });
        for (let i = 0; i < 3; i++) assert.equal(setCookieLine(await browser.get('/')), undefined, `request ${i + 2} gets no cookie`);
        assert.deepEqual(writes, { set: 1, touch: 0 }, 'no store write for the unchanged requests');
      });

      it('touches the session, and with rolling resends its cookie, once touchAfter has passed', async () => {
        const { writes, browser, expiresAt } = await setup({ touchAfter: SHORT, rolling: true });
        await browser.get('/count');
        const sid = sessionIdOf(browser.cookie)!;
        await sleep(SHORT + 50);
        const res = await browser.get('/');
        assert.equal(writes.touch, 1, 'one touch once touchAfter has passed');
        const line = setCookieLine(res);
        assert.ok(line, 'the rolling cookie comes with the touch');
        // The browser's Expires has whole seconds, and Redis TTLs too: the same moment to within them.
        const drift = Math.abs(sentExpiry(line) - (await expiresAt(sid)));
        assert.ok(drift < 2000, `browser and store expiries ${drift} ms apart`);
        assert.equal(setCookieLine(await browser.get('/')), undefined, 'and not again right after');
        assert.equal(writes.touch, 1, 'not touched again right after');
      });

      it('touches an unchanged session once per touchAfter, not on every request once it has passed', async () => {
        const { writes, browser } = await setup({ touchAfter: SHORT });
        await browser.get('/count');
        await sleep(SHORT + 50);
        for (let i = 0; i < 3; i++) assert.equal(setCookieLine(await browser.get('/')), undefined, 'no cookie without rolling');
        assert.deepEqual(writes, { set: 1, touch: 1 }, 'one touch for three requests after touchAfter');
      });

      it('saves a changed session at once and sends its new expiry, within touchAfter', async () => {
        const { writes, browser } = await setup({ touchAfter: LONG });
        await browser.get('/count');
        const res = await browser.get('/count');
        assert.equal(res.body, '2');
        assert.ok(setCookieLine(res), 'a changed session with an expiry gets its cookie, as without touchAfter');
        assert.deepEqual(writes, { set: 2, touch: 0 });
      });

      it('keeps saving on every request with resave: true', async () => {
        const { writes, browser } = await setup({ touchAfter: LONG, resave: true });
        await browser.get('/count');
        await browser.get('/');
        await browser.get('/');
        assert.deepEqual(writes, { set: 3, touch: 0 });
      });

      it('touches a browser-session cookie (no maxAge) on every request, as without touchAfter', async () => {
        const { writes, browser } = await setup({ touchAfter: LONG, cookie: {} });
        await browser.get('/count');
        await browser.get('/');
        await browser.get('/');
        assert.deepEqual(writes, { set: 1, touch: 2 });
      });

      it('touches on every request a cookie that lives no longer than touchAfter (a deferred touch could let it expire in use)', async () => {
        const { writes, browser } = await setup({ touchAfter: LONG, cookie: { maxAge: LONG } });
        await browser.get('/count');
        await browser.get('/');
        await browser.get('/');
        assert.deepEqual(writes, { set: 1, touch: 2 });
      });

      it('leaves the expiry as the store and the browser have it when the touch is deferred: the next request reads the same', async () => {
        const { browser } = await setup({ touchAfter: LONG });
        const sent = sentExpiry(setCookieLine(await browser.get('/count')));
        await sleep(20);
        const first = JSON.parse((await browser.get('/cookie')).body) as { expires: string; maxAge: number };
        await sleep(20);
        const second = JSON.parse((await browser.get('/cookie')).body) as { expires: string; maxAge: number };
        assert.equal(second.expires, first.expires, 'no touch moved the expiry in between');
        assert.ok(Math.abs(Date.parse(first.expires) - sent) < 1000, 'the expiry the browser was sent');
        assert.ok(second.maxAge < first.maxAge, 'maxAge counts down from the last touch');
      });

      it('writes the expiry the store already has when the route saves an unchanged session within touchAfter', async () => {
        const { store, writes, browser } = await setup({ touchAfter: LONG });
        await browser.get('/count');
        const sid = sessionIdOf(browser.cookie)!;
        const before = await storedExpiry(store, sid);
        await sleep(20);
        const res = await browser.get('/save');
        assert.equal(Date.parse((JSON.parse(res.body) as { expires: string }).expires), before);
        assert.equal(await storedExpiry(store, sid), before, 'the save did not move the expiry');
        assert.equal(setCookieLine(res), undefined);
        assert.deepEqual(writes, { set: 2, touch: 0 });
      });
    });
  }
}

describe('touchAfter on connect-redis, whose touch only moves the key\'s expiry', { skip: redis.skip }, () => {
  let handle: Awaited<ReturnType<typeof openRedisStore>>;
  before(async () => {
    await redis.assertReachable();
    handle = await openRedisStore(redis.url!, 'touch-after-ttl', connectRedisCjs());
  });
  after(() => handle?.close());

  for (const { label, express } of expressVersions) {
    async function setup(options: Partial<session.SessionOptions>) {
      const store = Object.create(handle.store) as Store;
      const writes = countWrites(store);
      const all: session.SessionOptions = { secret: 's', store, resave: false, saveUninitialized: false, rolling: true, cookie: { maxAge: LONG }, ...options };
      const browser = new Browser(await start(sessionApp(express, all, routes, builtFactory)));
      return { writes, browser, pttl: () => handle.client.pTTL(handle.prefix + sessionIdOf(browser.cookie)!) };
    }

    it(`extends the Redis TTL only when the touch happens (${label})`, async () => {
      const { writes, browser, pttl } = await setup({ touchAfter: 2 * SHORT });
      await browser.get('/count');
      await sleep(SHORT);
      const beforeDeferred = await pttl();
      await browser.get('/');
      assert.ok((await pttl()) <= beforeDeferred, 'a deferred request leaves the TTL running down');
      await sleep(SHORT + 50);
      const beforeTouch = await pttl();
      await browser.get('/');
      assert.equal(writes.touch, 1);
      assert.ok((await pttl()) > beforeTouch + SHORT, 'the touch set the TTL back to the whole maxAge');
    });

    it(`does not touch again within touchAfter of its own last touch, though Redis still holds the cookie of the last save (${label})`, async () => {
      const { writes, browser } = await setup({ touchAfter: SHORT });
      await browser.get('/count');
      const sid = sessionIdOf(browser.cookie)!;
      const savedExpiry = await storedExpiry(handle.store, sid);
      await sleep(SHORT + 50);
      assert.ok(setCookieLine(await browser.get('/')), 'touched, with its rolling cookie');
      assert.equal(writes.touch, 1);
      for (let i = 0; i < 3; i++) assert.equal(setCookieLine(await browser.get('/')), undefined);
      assert.equal(writes.touch, 1, 'the middleware remembers its touch');
      assert.equal(await storedExpiry(handle.store, sid), savedExpiry, "connect-redis's touch left the stored cookie as saved");
      // What the route sees, and what a save writes, is the expiry the touch gave store and browser.
      const seen = Date.parse((JSON.parse((await browser.get('/cookie')).body) as { expires: string }).expires);
      assert.ok(seen - savedExpiry >= SHORT, 'the route sees the touched expiry, not the saved one');
      await browser.get('/save');
      assert.equal(await storedExpiry(handle.store, sid), seen, 'the save wrote the touched expiry');
      assert.equal(writes.touch, 1);
    });
  }
});

describe('touchAfter decision rules', () => {
  /** A loaded, unchanged session whose store copy was touched 1 s before this request. */
  function snapshot(overrides: Partial<Omit<SessionSnapshot, 'currentFingerprint'>> & { fingerprint?: string } = {}): SessionSnapshot {
    const { fingerprint = '{}', ...rest } = overrides;
    return {
      sessionId: 'id', cookieId: 'id', originalId: 'id', currentId: 'id',
      originalFingerprint: '{}', savedFingerprint: '{}', cookieHasExpiry: true, storeTouchAge: 1_000,
      currentFingerprint: () => fingerprint,
      ...rest,
    };
  }
  const options = { saveUninitialized: false, rolling: true, touchAfter: 60_000 };

  it('defers the touch and the rolling cookie of an unchanged session touched less than touchAfter ago', () => {
    assert.equal(isTouchDeferred(snapshot(), options), true);
    assert.equal(shouldTouch(snapshot(), options), false);
    assert.equal(shouldSetCookie(snapshot(), options), false);
  });
  it('touches, and sends the rolling cookie, once touchAfter has passed', () => {
    const due = snapshot({ storeTouchAge: 60_000 });
    assert.equal(isTouchDeferred(due, options), false);
    assert.equal(shouldTouch(due, options), true);
    assert.equal(shouldSetCookie(due, options), true);
  });
  it('never defers without the option, or when the last touch cannot be told', () => {
    assert.equal(isTouchDeferred(snapshot(), { ...options, touchAfter: undefined }), false);
    assert.equal(isTouchDeferred(snapshot({ storeTouchAge: undefined }), options), false);
  });
  it('never defers a changed session, one with a new id, or one resave saves anyway', () => {
    assert.equal(isTouchDeferred(snapshot({ fingerprint: '{"a":1}' }), options), false);
    assert.equal(isTouchDeferred(snapshot({ currentId: 'other' }), options), false);
    assert.equal(isTouchDeferred(snapshot({ sessionId: 'other' }), options), false);
    assert.equal(isTouchDeferred(snapshot({ savedFingerprint: undefined }), options), false);
  });
  it('still sends the new expiry of a changed session with rolling', () => {
    assert.equal(shouldSetCookie(snapshot({ fingerprint: '{"a":1}' }), options), true);
  });
});

describe('touchAfter startup warnings', () => {
  const entry = resolve(__dirname, '..', '..', 'dist', 'index.js');
  function stderrOf(options: string): string {
    const code = `const session = require(${JSON.stringify(entry)}); session(${options});`;
    const result = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, NODE_ENV: undefined } });
    assert.equal(result.status, 0, result.stderr);
    return result.stderr;
  }
  const base = "secret: 's', saveUninitialized: false";

  it('warns that touchAfter has no effect on a browser-session cookie', () => {
    assert.match(stderrOf(`{ ${base}, resave: false, touchAfter: 60000 }`), /touchAfter \(60000 ms\) has no effect on a browser-session cookie \(no cookie\.maxAge\)/);
  });

  it('warns that touchAfter has no effect with resave: true', () => {
    assert.match(stderrOf(`{ ${base}, resave: true, touchAfter: 60000, cookie: { maxAge: 86400000 } }`), /touchAfter \(60000 ms\) has no effect with resave: true/);
  });

  it('warns that touchAfter has no effect when cookie.maxAge is not longer than it', () => {
    assert.match(stderrOf(`{ ${base}, resave: false, touchAfter: 60000, cookie: { maxAge: 60000 } }`), /cookie\.maxAge \(60000 ms\) is not longer than it/);
  });

  it('prints nothing for touchAfter with resave: false and a maxAge longer than it', () => {
    assert.equal(stderrOf(`{ ${base}, resave: false, touchAfter: 60000, cookie: { maxAge: 86400000 } }`), '');
  });
});
