import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express, NextFunction, Request, Response } from 'express';
import session = require('../src/index');
import { defaultRoutes, expressVersions, sessionApp, start, type ExpressFactory } from './support/apps';
import { Browser, cookiePair, request } from './support/http';
import { CountingStore, sessionIdOf } from './support/stores';
import { rawGet } from './security/support/clients';
import { waitFor } from './support/wait';

// Complements session.test.ts (callback forms), faults/broken-store.test.ts (stores that
// throw, reject or call back twice under the callback forms) and types/app.ts (the types):
// here, the promise forms of the session methods and stores written with promises.

type SessionData = session.SessionData;
type Data = { count?: number; user?: string };

// Anything escaping as an unhandled rejection or uncaught exception fails the test it happened in.
const escaped: string[] = [];
process.on('unhandledRejection', (err) => escaped.push(`unhandledRejection: ${String(err)}`));
process.on('uncaughtException', (err) => escaped.push(`uncaughtException: ${String(err)}`));
afterEach(async () => {
  // Fixed on purpose: it gives an escaping rejection time to show up, and an absence cannot be polled.
  await sleep(20);
  assert.deepEqual(escaped.splice(0), [], 'nothing escaped');
});

const base = { secret: 's', resave: false, saveUninitialized: false } as const;
const data = (req: Request) => req.session as unknown as Data;

type Fault = { method: 'get' | 'set' | 'destroy'; how: 'rejects' | 'throws'; skip?: number };

/**
 * A store written only with promises: no callback parameter, nothing ever called back. A fault
 * armed with `failNext` makes one call reject, or throw before returning a promise at all.
 */
class AsyncStore extends session.Store {
  readonly sessions = new Map<string, string>();
  readonly calls = { get: 0, set: 0, touch: 0, destroy: 0 };
  failNext: Fault | undefined;

  #run<T>(method: Fault['method'], body: () => Promise<T>): Promise<T> {
    const fault = this.failNext;
    if (fault?.method === method && !(fault.skip && fault.skip-- > 0)) {
      this.failNext = undefined;
      if (fault.how === 'throws') throw new Error(`${method} threw`);
      return Promise.reject(new Error(`${method} rejected`));
    }
    return sleep(1).then(body);
  }

  override get(sid: string): Promise<SessionData | null> {
    this.calls.get++;
    return this.#run('get', async () => {
      const raw = this.sessions.get(sid);
      return raw ? (JSON.parse(raw) as SessionData) : null;
    });
  }

  override set(sid: string, sess: SessionData): Promise<void> {
    this.calls.set++;
    const json = JSON.stringify(sess);
    return this.#run('set', async () => {
      this.sessions.set(sid, json);
    });
  }

  override destroy(sid: string): Promise<void> {
    this.calls.destroy++;
    return this.#run('destroy', async () => {
      this.sessions.delete(sid);
    });
  }

  override async touch(sid: string, sess: SessionData): Promise<void> {
    this.calls.touch++;
    const raw = this.sessions.get(sid);
    if (raw) this.sessions.set(sid, JSON.stringify({ ...JSON.parse(raw), cookie: sess.cookie }));
  }

  stored(sid: string | undefined): Data | undefined {
    const raw = sid === undefined ? undefined : this.sessions.get(sid);
    return raw ? (JSON.parse(raw) as Data) : undefined;
  }
}

/** Routes that use the promise forms, passing rejections to next(err) as Express 4 needs. */
function promiseRoutes(app: Express): void {
  defaultRoutes(app);
  const route = (path: string, body: (req: Request, res: Response) => Promise<void>) => {
    app.get(path, (req: Request, res: Response, next: NextFunction) => {
      body(req, res).catch(next);
    });
  };
  route('/save', async (req, res) => {
    data(req).user = 'ada';
    const returned = req.session.save();
    assert.ok(returned instanceof Promise);
    assert.equal(await returned, undefined);
    res.end('saved');
  });
  route('/reload', async (req, res) => {
    const store = req.sessionStore as AsyncStore;
    store.sessions.set(req.sessionID, JSON.stringify({ ...store.stored(req.sessionID), count: 41 }));
    await req.session.reload();
    res.end(String(data(req).count));
  });
  route('/regenerate', async (req, res) => {
    const before = req.sessionID;
    await req.session.regenerate();
    data(req).user = 'grace';
    res.end(req.sessionID !== before ? 'new id' : 'same id');
  });
  route('/destroy', async (req, res) => {
    await req.session.destroy();
    res.end(String(req.session === undefined));
  });
  app.get('/unawaited', (req, res) => {
    data(req).user = 'fire and forget';
    void req.session.save();
    res.end('answered');
  });
}

async function appOn(express: ExpressFactory, store: session.Store, options: Partial<session.SessionOptions> = {}) {
  const errors: string[] = [];
  const app = sessionApp(express, { ...base, store, ...options }, (a) => {
    promiseRoutes(a);
    a.use((err: Error, _req: Request, _res: Response, next: NextFunction) => {
      errors.push(err.message);
      next(err);
    });
  });
  return { server: await start(app), errors };
}

for (const { label, express } of expressVersions) {
  describe(`session methods without a callback return a Promise (${label})`, () => {
    it('save() resolves once the store has the session', async () => {
      const store = new AsyncStore();
      const { server } = await appOn(express, store);
      const res = await request(server, '/save');
      assert.equal(res.body, 'saved');
      assert.equal(store.stored(sessionIdOf(cookiePair(res)))?.user, 'ada');
    });

    it('reload() resolves with req.session replaced by the stored copy', async () => {
      const store = new AsyncStore();
      const browser = new Browser((await appOn(express, store)).server);
      await browser.get('/count');
      assert.equal((await browser.get('/reload')).body, '41');
      assert.equal((await browser.get('/count')).body, '42');
    });

    it('regenerate() resolves with a new session under a new id, the old one deleted', async () => {
      const store = new AsyncStore();
      const browser = new Browser((await appOn(express, store)).server);
      await browser.get('/count');
      const oldId = sessionIdOf(browser.cookie)!;
      assert.equal((await browser.get('/regenerate')).body, 'new id');
      assert.equal(store.stored(oldId), undefined);
      const { cookie, ...fresh } = store.stored(sessionIdOf(browser.cookie)) as Data & { cookie: object };
      assert.ok(cookie, 'the new session has its cookie');
      assert.deepEqual(fresh, { user: 'grace' }, 'and only what was set after regenerate()');
    });

    it('destroy() resolves with the session gone from the request and the store', async () => {
      const store = new AsyncStore();
      const browser = new Browser((await appOn(express, store)).server);
      await browser.get('/count');
      const sid = sessionIdOf(browser.cookie)!;
      assert.equal((await browser.get('/destroy')).body, 'true');
      assert.equal(store.stored(sid), undefined);
    });

    for (const [method, path, how] of [
      ['set', '/save', 'rejects'],
      ['set', '/save', 'throws'],
      ['get', '/reload', 'rejects'],
      ['destroy', '/regenerate', 'rejects'],
      ['destroy', '/destroy', 'throws'],
    ] as const) {
      it(`rejects when the store's ${method} ${how === 'throws' ? 'throws synchronously' : 'rejects'}, so the route's next(err) answers 500 (${path})`, async () => {
        const store = new AsyncStore();
        const { server, errors } = await appOn(express, store);
        const cookie = path === '/save' ? undefined : cookiePair(await request(server, '/count'));
        // reload() makes the request's second get: the middleware's own comes first.
        store.failNext = { method, how, skip: method === 'get' ? 1 : 0 };
        const res = await request(server, path, cookie ? { headers: { cookie } } : {});
        assert.equal(res.status, 500);
        assert.equal(store.failNext, undefined, 'the fault fired');
        assert.deepEqual(errors, [`${method} ${how === 'rejects' ? 'rejected' : 'threw'}`]);
      });
    }

    it('with a callback, destroy() and regenerate() return the session as express-session did', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/', (req, res) => {
          const s = req.session;
          const regenerated = s.regenerate(() => {
            const fresh = req.session;
            const destroyed = fresh.destroy(() => res.json({ regenerated: regenerated === s, destroyed: destroyed === fresh }));
          });
        });
      }));
      assert.deepEqual(JSON.parse((await request(server, '/')).body), { regenerated: true, destroyed: true });
    });

    it('an unawaited save() that fails is dropped: no unhandled rejection, no crash, the app keeps serving', async () => {
      const store = new AsyncStore();
      const { server, errors } = await appOn(express, store);
      store.failNext = { method: 'set', how: 'rejects' };
      const res = await request(server, '/unawaited');
      assert.equal(res.body, 'answered');
      await waitFor(() => store.failNext === undefined, { message: 'the failing set' });
      // As express-session's save() without a callback: the error reaches nobody.
      assert.deepEqual(errors, []);
      assert.equal((await request(server, '/count')).body, '1');
    });
  });

  describe(`stores written with promises (${label})`, () => {
    it('an all-async store that never calls back runs the whole flow: create, read, modify, touch, regenerate, destroy', async () => {
      const store = new AsyncStore();
      const { server, errors } = await appOn(express, store, { cookie: { maxAge: 60_000 } });
      const browser = new Browser(server);
      assert.equal((await browser.get('/count')).body, '1');
      assert.equal((await browser.get('/count')).body, '2');
      const sid = sessionIdOf(browser.cookie)!;
      assert.equal(store.stored(sid)?.count, 2);
      const before = { ...store.calls };
      await browser.get('/');
      assert.equal(store.calls.touch, before.touch + 1, 'an unchanged session is touched');
      assert.equal(store.calls.set, before.set, 'and not saved');
      assert.equal((await browser.get('/regenerate')).body, 'new id');
      assert.equal(store.stored(sid), undefined);
      assert.equal((await browser.get('/destroy')).body, 'true');
      assert.equal(store.sessions.size, 0);
      assert.deepEqual(errors, []);
    });

    type Hybrid = 'calls back, then fulfils with a different value' | 'calls back, then rejects' | 'fulfils with the answer, then calls back with an error';
    const hybrids: Hybrid[] = ['calls back, then fulfils with a different value', 'calls back, then rejects', 'fulfils with the answer, then calls back with an error'];

    for (const hybrid of hybrids) {
      it(`a store that ${hybrid} settles each operation once: one pass through the app, one response, no error`, async () => {
        const inner = new CountingStore();
        // Late answers come on a later tick, as a driver's would; count them to wait for the last.
        let pendingLate = 0;
        const later = (fn: () => void) => {
          pendingLate++;
          setTimeout(() => {
            pendingLate--;
            fn();
          }, 5);
        };
        /** Wrap a callback method of `inner` in the given two-answer behaviour. */
        const both = (method: 'get' | 'set' | 'touch' | 'destroy') => async (...args: unknown[]) => {
          const callback = args.pop() as (err: unknown, value?: unknown) => void;
          const answer = await new Promise<[unknown, unknown]>((resolve) => {
            (inner[method] as (...a: unknown[]) => void)(...args, (err: unknown, value: unknown) => resolve([err, value]));
          });
          if (hybrid === 'fulfils with the answer, then calls back with an error') {
            later(() => callback(new Error(`${method} called back late`)));
            // A driver's reply for writes ('OK'), the session or null for get.
            return method === 'get' ? answer[1] ?? null : 'OK';
          }
          callback(answer[0], answer[1]);
          if (hybrid === 'calls back, then rejects') throw new Error(`${method} rejected after calling back`);
          return method === 'get' ? { cookie: { originalMaxAge: null }, count: 1000 } : 'ignored';
        };
        class HybridStore extends session.Store {}
        const store = new HybridStore() as unknown as Record<string, unknown>;
        for (const method of ['get', 'set', 'touch', 'destroy'] as const) {
          // Declared arity matches a callback method's, as connect-redis's do.
          const fn = both(method);
          Object.defineProperty(fn, 'length', { value: method === 'get' || method === 'destroy' ? 2 : 3 });
          store[method] = fn;
        }
        let passes = 0;
        const errors: string[] = [];
        const app = express();
        app.use(session({ ...base, store: store as unknown as session.Store }));
        app.use((_req, _res, next) => {
          passes++;
          next();
        });
        promiseRoutes(app);
        app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
          errors.push(err.message);
          if (!res.headersSent) res.status(500).end(err.message);
        });
        const server = await start(app);

        let cookie: string | undefined;
        const expected: Array<[path: string, body: string]> = [['/count', '1'], ['/count', '2'], ['/', 'ok'], ['/regenerate', 'new id'], ['/destroy', 'true']];
        for (const [path, body] of expected) {
          passes = 0;
          const { responses, socketError } = await rawGet(server, path, cookie);
          await waitFor(() => pendingLate === 0, { message: 'the late second answers' });
          assert.equal(socketError, undefined);
          assert.equal(responses.length, 1, `${path}: exactly one response`);
          assert.equal(responses[0]!.status, 200, `${path}: ${responses[0]!.body}`);
          assert.equal(responses[0]!.body, body, `${path}: the first answer counts`);
          assert.equal(passes, 1, `${path}: one pass through the app`);
          cookie = responses[0]!.headers.find(([n, v]) => n === 'set-cookie' && v.startsWith('connect.sid='))?.[1].split(';')[0] ?? cookie;
        }
        assert.deepEqual(errors, []);
        assert.equal(inner.calls.destroy, 2, 'regenerate and destroy each destroyed once');
      });
    }
  });
}
