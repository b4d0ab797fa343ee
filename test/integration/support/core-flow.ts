import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';
import { defaultRoutes, expressVersions, sessionApp, start } from '../../support/apps';
import { Browser } from '../../support/http';
import { sessionIdOf } from '../../support/stores';
import { builtFactory, readStored, type StoreHandle } from './stores';

const MAX_AGE = 60_000;

/** `/count` and `/` from the shared routes, plus the session operations the flow exercises. */
function flowRoutes(app: Express): void {
  defaultRoutes(app);
  app.get('/peek', (req, res) => {
    res.end(String((req.session as unknown as { count?: number }).count ?? 'none'));
  });
  app.get('/regenerate', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      (req.session as unknown as { fresh: boolean }).fresh = true;
      res.end('regenerated');
    });
  });
  app.get('/destroy', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.end('destroyed')));
  });
}

/** Count the calls to one of the store's methods while `body` runs. */
async function counting(store: StoreHandle['store'], methods: Array<'set' | 'touch'>, body: () => Promise<void>): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  const target = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = methods.map((method) => {
    calls[method] = 0;
    const original = target[method]!;
    // An own property shadows the class method for this instance only.
    const wrapper = function (this: unknown, ...args: unknown[]) {
      calls[method]!++;
      return original.apply(this, args);
    };
    // The session bridge reads a method's arity to tell promise-only methods from those that
    // call back, so the wrapper must keep it.
    Object.defineProperty(wrapper, 'length', { value: original.length });
    target[method] = wrapper;
    return [method, original] as const;
  });
  try {
    await body();
  } finally {
    for (const [method] of originals) delete target[method];
  }
  return calls;
}

/**
 * The core session flow over real HTTP on both Express majors, against a real store: create,
 * read, modify, regenerate, destroy, and touch with `resave: false` (plain and `rolling`).
 * `handle()` is called once the suite's `before` hook has opened the store.
 */
export function coreFlow(handle: () => StoreHandle): void {
  for (const { label, express } of expressVersions) {
    describe(`core session flow (${label})`, () => {
      async function browse(options: { rolling?: boolean } = {}) {
        const { store } = handle();
        const app = sessionApp(express, {
          secret: ['current secret', 'previous secret'],
          store,
          resave: false,
          saveUninitialized: false,
          rolling: Boolean(options.rolling),
          cookie: { maxAge: MAX_AGE },
        }, flowRoutes, builtFactory);
        return new Browser(await start(app));
      }

      it('creates the session in the store once it holds data, with its cookie', async () => {
        const browser = await browse();
        assert.equal((await browser.get('/count')).body, '1');
        const sid = sessionIdOf(browser.cookie)!;
        const stored = await readStored(handle().store, sid);
        assert.equal(stored?.count, 1);
        const cookie = stored?.cookie as { originalMaxAge: number; expires: string | Date };
        // Read back from the expiry just set (as express-session does): a busy moment can take a few ms off.
        assert.ok(cookie.originalMaxAge > MAX_AGE - 50 && cookie.originalMaxAge <= MAX_AGE, String(cookie.originalMaxAge));
        const expiresIn = new Date(cookie.expires).valueOf() - Date.now();
        assert.ok(expiresIn > MAX_AGE - 10_000 && expiresIn <= MAX_AGE, `expires in ${expiresIn} ms`);
      });

      it('reads the session back on the next request and saves the change', async () => {
        const browser = await browse();
        await browser.get('/count');
        assert.equal((await browser.get('/peek')).body, '1');
        assert.equal((await browser.get('/count')).body, '2');
        assert.equal((await readStored(handle().store, sessionIdOf(browser.cookie)!))?.count, 2);
      });

      it('regenerate() moves the browser to a new id and deletes the old session from the store', async () => {
        const browser = await browse();
        await browser.get('/count');
        const oldId = sessionIdOf(browser.cookie)!;
        assert.equal((await browser.get('/regenerate')).body, 'regenerated');
        const newId = sessionIdOf(browser.cookie)!;
        assert.notEqual(newId, oldId);
        assert.equal(await readStored(handle().store, oldId), undefined);
        const stored = await readStored(handle().store, newId);
        assert.equal(stored?.fresh, true);
        assert.equal(stored?.count, undefined, 'nothing carried over from the old session');
      });

      it('destroy() deletes the session from the store, and its cookie then starts a new one', async () => {
        const browser = await browse();
        await browser.get('/count');
        const sid = sessionIdOf(browser.cookie)!;
        assert.equal((await browser.get('/destroy')).body, 'destroyed');
        assert.equal(await readStored(handle().store, sid), undefined);
        assert.equal((await browser.get('/count')).body, '1');
        assert.notEqual(sessionIdOf(browser.cookie), sid);
      });

      for (const rolling of [false, true]) {
        it(`an unchanged session is touched, not rewritten, and its expiry in the store moves later (resave: false, rolling: ${rolling})`, async () => {
          const browser = await browse({ rolling });
          await browser.get('/count');
          const sid = sessionIdOf(browser.cookie)!;
          const before = await handle().expiresAt(sid);
          assert.ok(before !== undefined && before > Date.now(), 'the new session has an expiry in the store');
          // Stores with second-granular expiry (Redis EX, connect-pg-simple) need over a second to show a move.
          await sleep(1_200);
          let res!: Awaited<ReturnType<Browser['get']>>;
          const calls = await counting(handle().store, ['set', 'touch'], async () => {
            res = await browser.get('/peek');
          });
          assert.equal(res.body, '1');
          assert.deepEqual(calls, { set: 0, touch: 1 });
          assert.equal(res.setCookies.length, rolling ? 1 : 0, rolling ? 'rolling resends the cookie' : 'no cookie without rolling');
          const after = await handle().expiresAt(sid);
          assert.ok(after !== undefined && after - before >= 900, `expiry moved by ${after === undefined ? 'nothing' : after - before} ms`);
          assert.equal((await readStored(handle().store, sid))?.count, 1, 'the data is unchanged');
        });
      }
    });
  }
}
