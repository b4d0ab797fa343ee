import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session = require('../src/index');
import { callStore } from '../src/internal/store-call';
import { defaultRoutes, expressVersions, sessionApp, start } from './support/apps';
import { Browser } from './support/http';
import { sessionIdOf } from './support/stores';

// How the middleware talks to a store's methods (the "Callbacks, promises, or both" rules of
// docs/stores.md). Stores that throw or call back twice are in faults/broken-store.test.ts.

type SessionData = session.SessionData;
type Callback = (err?: unknown, value?: unknown) => void;

/** Every answer `callStore` gave for one operation, once the store has had time to give more. */
async function answers(method: (...args: unknown[]) => unknown, args: unknown[] = ['sid']): Promise<unknown[][]> {
  const seen: unknown[][] = [];
  const done = new Promise<void>((resolve) => {
    callStore({ method }, 'method', args, (...received: unknown[]) => {
      seen.push(received);
      resolve();
    });
  });
  await done;
  // Give a second answer every chance to come: two timer turns after the first.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 5));
  return seen;
}

describe('the store bridge (callStore)', { timeout: 5_000 }, () => {
  it('takes the promise of an async method that declares the callback but never calls it', async () => {
    async function get(_sid: string, _cb: Callback): Promise<unknown> {
      return { cookie: { originalMaxAge: null }, user: 'ada' };
    }
    assert.deepEqual(await answers(get as never), [[null, { cookie: { originalMaxAge: null }, user: 'ada' }]]);
  });

  it('takes undefined as the answer of a method whose promise fulfilled and whose callback never comes', async () => {
    async function set(_sid: string, _data: unknown, _cb: Callback): Promise<void> {}
    assert.deepEqual(await answers(set as never, ['sid', {}]), [[null, undefined]]);
  });

  it('still takes a callback that comes on the next tick or turn after the promise fulfilled with undefined', async () => {
    async function onNextTick(_sid: string, cb: Callback): Promise<void> {
      process.nextTick(cb, null, 'from the callback');
    }
    async function onSetImmediate(_sid: string, cb: Callback): Promise<void> {
      setImmediate(cb, null, 'from the callback');
    }
    assert.deepEqual(await answers(onNextTick as never), [[null, 'from the callback']]);
    assert.deepEqual(await answers(onSetImmediate as never), [[null, 'from the callback']]);
  });

  it('settles once when the store calls back and also returns a promise, whichever comes first', async () => {
    async function callsBackFirst(_sid: string, cb: Callback): Promise<string> {
      cb(null, 'callback');
      return 'promise';
    }
    function promiseFirst(_sid: string, cb: Callback): Promise<string> {
      setTimeout(cb, 1, new Error('late callback'));
      return Promise.resolve('promise');
    }
    assert.deepEqual(await answers(callsBackFirst as never), [[null, 'callback']]);
    assert.deepEqual(await answers(promiseFirst as never), [[null, 'promise']]);
  });

  it('does not depend on the declared arity: a default callback parameter changes nothing', async () => {
    async function withDefault(_sid: string, cb: Callback = () => {}): Promise<void> {
      setImmediate(cb, null, 'from the callback');
    }
    assert.equal(withDefault.length, 1);
    assert.deepEqual(await answers(withDefault as never), [[null, 'from the callback']]);
  });
});

/** A promise store whose methods declare the callback parameter (copied from the typings) but ignore it. */
class DeclaresButIgnoresCallbacks extends session.Store {
  readonly sessions = new Map<string, string>();
  override async get(sid: string, _cb: (err: unknown, s?: SessionData | null) => void): Promise<SessionData | undefined> {
    const raw = this.sessions.get(sid);
    return raw ? (JSON.parse(raw) as SessionData) : undefined;
  }
  override async set(sid: string, data: SessionData, _cb?: Callback): Promise<void> {
    this.sessions.set(sid, JSON.stringify(data));
  }
  override async destroy(sid: string, _cb?: Callback): Promise<void> {
    this.sessions.delete(sid);
  }
  override async touch(_sid: string, _data: SessionData, _cb?: Callback): Promise<void> {}
}

for (const { label, express } of expressVersions) {
  describe(`a store whose async methods ignore the callback they declare (${label})`, { timeout: 10_000 }, () => {
    it('serves new and returning visitors, regenerate and destroy, without hanging a request', async () => {
      const store = new DeclaresButIgnoresCallbacks();
      const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: false }, (app) => {
        defaultRoutes(app);
        app.get('/regenerate', (req, res, next) => {
          req.session.regenerate().then(() => res.end('regenerated'), next);
        });
        app.get('/destroy', (req, res, next) => {
          req.session.destroy().then(() => res.end('destroyed'), next);
        });
      }));
      const browser = new Browser(server);
      assert.equal((await browser.get('/count')).body, '1');
      assert.equal((await browser.get('/count')).body, '2');
      assert.equal((await browser.get('/')).body, 'ok', 'a touch answers too');
      const before = sessionIdOf(browser.cookie)!;
      assert.equal((await browser.get('/regenerate')).body, 'regenerated');
      assert.equal(store.sessions.has(before), false);
      assert.equal((await browser.get('/count')).body, '1');
      assert.equal((await browser.get('/destroy')).body, 'destroyed');
      assert.equal(store.sessions.size, 0);
    });
  });
}
