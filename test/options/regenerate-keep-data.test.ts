import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express, Request } from 'express';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { onEachStore } from '../support/backends';
import { Browser, cookieAttributes, setCookieLine } from '../support/http';
import { readStored } from '../integration/support/stores';
import { sessionIdOf } from '../support/stores';

type Data = Record<string, unknown>;
const data = (req: Request): Data => req.session as unknown as Data;

/**
 * `/cart?item=x` adds to the cart of an anonymous visitor; `/login` regenerates with
 * `{ keepData: true }` and sets the user (answering `old-id new-id`); `/me` answers the data.
 */
function shopRoutes(app: Express): void {
  app.get('/cart', (req, res) => {
    data(req)['cart'] = [...((data(req)['cart'] as string[] | undefined) ?? []), String(req.query['item'])];
    res.end('added');
  });
  app.get('/remember-me', (req, res) => {
    req.session.cookie.maxAge = 123_456_000;
    data(req)['remember'] = true;
    res.end('remembered');
  });
  app.get('/login', async (req, res, next) => {
    const oldId = req.sessionID;
    try {
      await req.session.regenerate({ keepData: true });
    } catch (err) {
      next(err);
      return;
    }
    data(req)['user'] = 'ada';
    res.end(`${oldId} ${req.sessionID}`);
  });
  app.get('/regenerate-only', (req, res, next) => {
    req.session.regenerate({ keepData: true }, (err) => (err ? next(err) : res.end(req.sessionID)));
  });
  app.get('/me', (req, res) => {
    const { cookie: _cookie, ...rest } = data(req);
    res.json(rest);
  });
}

function shopOptions(store: session.Store, extra: session.SessionOptions = {}): session.SessionOptions {
  return { secret: 's', store, resave: false, saveUninitialized: false, cookie: { maxAge: 60_000, sameSite: 'lax' }, ...extra };
}

describe('regenerate({ keepData: true })', () => {
  onEachStore('regenerate-keep-data', (backend) => {
    for (const { label, express } of expressVersions) {
      describe(label, () => {
        async function shop(routes: (app: Express) => void = shopRoutes, extra: session.SessionOptions = {}) {
          return start(sessionApp(express, shopOptions(backend.store(), extra), routes, backend.factory));
        }

        it('moves the data to a new id and sends the new cookie (a login that keeps the cart)', async () => {
          const browser = new Browser(await shop());
          await browser.get('/cart?item=book');
          const before = sessionIdOf(browser.cookie)!;
          const login = await browser.get('/login');
          const [oldId, newId] = login.body.split(' ');
          assert.equal(oldId, before);
          assert.notEqual(newId, oldId);
          assert.equal(sessionIdOf(browser.cookie), newId, 'the browser got the new id');
          assert.deepEqual(JSON.parse((await browser.get('/me')).body), { cart: ['book'], user: 'ada' });
        });

        it('destroys the old id in the store before the promise settles, so a planted id is worth nothing', async () => {
          const server = await shop((app) => {
            shopRoutes(app);
            app.get('/login-and-look', async (req, res) => {
              const oldId = req.sessionID;
              await req.session.regenerate({ keepData: true });
              res.end(String((await readStored(backend.store(), oldId)) === undefined));
            });
          });
          const victim = new Browser(server);
          await victim.get('/cart?item=book');
          const planted = victim.cookie;
          assert.equal((await victim.get('/login-and-look')).body, 'true', 'gone before the route goes on');
          const attacker = new Browser(server);
          attacker.cookie = planted;
          assert.deepEqual(JSON.parse((await attacker.get('/me')).body), {}, "the planted id finds nobody's session");
        });

        it('keeps the cookie: its attributes, its expiry and the originalMaxAge the app set', async () => {
          const browser = new Browser(await shop());
          await browser.get('/remember-me');
          const sent = Date.now();
          const res = await browser.get('/login');
          const newId = res.body.split(' ')[1]!;
          const stored = await backend.read(newId);
          const cookie = stored?.['cookie'] as { originalMaxAge: number; expires: string; sameSite: string; httpOnly: boolean; path: string };
          assert.equal(cookie.originalMaxAge, 123_456_000, 'the "remember me" lifetime, not the option\'s 60 s');
          assert.equal(cookie.sameSite, 'lax');
          const attributes = cookieAttributes(setCookieLine(res)!);
          const expiresIn = Date.parse(attributes['expires'] as string) - sent;
          assert.ok(expiresIn > 123_456_000 - 10_000 && expiresIn <= 123_456_000 + 1_000, `cookie expires in ${expiresIn} ms`);
          assert.equal(attributes['samesite'], 'Lax');
          assert.equal(attributes['path'], '/');
          assert.equal(attributes['httponly'], true);
        });

        it('saves the moved session and sends its cookie with saveUninitialized: false and resave: false, though the route changes nothing after it', async () => {
          const browser = new Browser(await shop());
          await browser.get('/cart?item=book');
          const res = await browser.get('/regenerate-only');
          assert.equal(sessionIdOf(browser.cookie), res.body, 'the new cookie was sent');
          assert.deepEqual((await backend.read(res.body))?.['cart'], ['book']);
        });

        it('moves the data of a session created in the same request, never stored before', async () => {
          const server = await shop((app) => {
            shopRoutes(app);
            app.get('/new-and-login', async (req, res) => {
              data(req)['cart'] = ['pen'];
              await req.session.regenerate({ keepData: true });
              res.end(req.sessionID);
            });
          });
          const browser = new Browser(server);
          const res = await browser.get('/new-and-login');
          assert.equal(sessionIdOf(browser.cookie), res.body);
          assert.deepEqual((await backend.read(res.body))?.['cart'], ['pen']);
        });

        it('regenerating twice in one request leaves only the last id in the store, holding the data', async () => {
          const server = await shop((app) => {
            shopRoutes(app);
            app.get('/twice', async (req, res) => {
              const ids = [req.sessionID];
              await req.session.regenerate({ keepData: true });
              ids.push(req.sessionID);
              await req.session.regenerate({ keepData: true });
              ids.push(req.sessionID);
              res.json(ids);
            });
          });
          const browser = new Browser(server);
          await browser.get('/cart?item=book');
          const ids = JSON.parse((await browser.get('/twice')).body) as string[];
          assert.equal(new Set(ids).size, 3);
          assert.equal(sessionIdOf(browser.cookie), ids[2]);
          assert.equal(await backend.read(ids[0]!), undefined);
          assert.equal(await backend.read(ids[1]!), undefined);
          assert.deepEqual((await backend.read(ids[2]!))?.['cart'], ['book']);
        });

        it('{ keepData: false } is a plain regenerate: a new, empty session', async () => {
          const server = await shop((app) => {
            shopRoutes(app);
            app.get('/plain', async (req, res) => {
              await req.session.regenerate({ keepData: false });
              data(req)['fresh'] = true;
              res.end(req.sessionID);
            });
          });
          const browser = new Browser(server);
          await browser.get('/cart?item=book');
          await browser.get('/plain');
          assert.deepEqual(JSON.parse((await browser.get('/me')).body), { fresh: true });
        });

        it('takes a function as the first argument for the callback, as before: a plain regenerate that returns the session', async () => {
          const server = await shop((app) => {
            shopRoutes(app);
            app.get('/callback', (req, res, next) => {
              const old = req.session;
              const returned = req.session.regenerate((err) => {
                if (err) return next(err);
                data(req)['fresh'] = true;
                res.end(String(returned === old));
              });
            });
          });
          const browser = new Browser(server);
          await browser.get('/cart?item=book');
          assert.equal((await browser.get('/callback')).body, 'true');
          assert.deepEqual(JSON.parse((await browser.get('/me')).body), { fresh: true });
        });
      });
    }

    if (backend.redis) {
      it('removes the old key from Redis and writes the data under the new one', async () => {
        const { client, prefix } = backend.redis!;
        const browser = new Browser(await start(sessionApp(expressVersions[0].express, shopOptions(backend.store()), shopRoutes, backend.factory)));
        await browser.get('/cart?item=book');
        const [oldId, newId] = (await browser.get('/login')).body.split(' ') as [string, string];
        assert.equal(await client().exists(prefix() + oldId), 0, 'the old key is gone');
        assert.equal(await client().exists(prefix() + newId), 1, 'the new key exists');
        const stored = await backend.read(newId);
        assert.deepEqual(stored?.['cart'], ['book']);
        assert.equal(stored?.['user'], 'ada');
      });
    }
  });
});

for (const { label, express } of expressVersions) {
  describe(`regenerate({ keepData: true }) details (${label})`, () => {
    it('copies the lifecycle stamp as a fresh object: created kept, idIssued reset to now', async () => {
      const store = new session.MemoryStore();
      const server = await start(sessionApp(express, shopOptions(store), (app) => {
        shopRoutes(app);
        app.get('/stamp', (req, res) => {
          data(req)['__lifecycle'] = { created: 1_000, idIssued: 2_000 };
          res.end('stamped');
        });
        app.get('/login-stamp', async (req, res) => {
          const before = data(req)['__lifecycle'];
          const started = Date.now();
          await req.session.regenerate({ keepData: true });
          const after = data(req)['__lifecycle'] as { created: number; idIssued: number };
          res.json({ fresh: after !== before, created: after.created, reset: after.idIssued >= started && after.idIssued <= Date.now() });
        });
      }));
      const browser = new Browser(server);
      await browser.get('/stamp');
      assert.deepEqual(JSON.parse((await browser.get('/login-stamp')).body), { fresh: true, created: 1_000, reset: true });
      // The original session's stamp object is not the one now stored.
      const stored = await readStored(store, sessionIdOf(browser.cookie)!);
      assert.equal((stored?.['__lifecycle'] as { created: number }).created, 1_000);
    });

    it('writes no lifecycle stamp when the session had none', async () => {
      const store = new session.MemoryStore();
      const browser = new Browser(await start(sessionApp(express, shopOptions(store), shopRoutes)));
      await browser.get('/cart?item=book');
      await browser.get('/login');
      const stored = await readStored(store, sessionIdOf(browser.cookie)!);
      assert.deepEqual(Object.keys(stored!).sort(), ['cart', 'cookie', 'user']);
    });

    it("fails with the store's error and leaves the new session empty when the old id cannot be destroyed", async () => {
      class StuckStore extends session.MemoryStore {
        override destroy(_sid: string, callback?: (err?: unknown) => void): void {
          process.nextTick(() => callback?.(new Error('destroy failed')));
        }
      }
      const server = await start(sessionApp(express, shopOptions(new StuckStore()), (app) => {
        shopRoutes(app);
        app.get('/try-login', (req, res) => {
          req.session.regenerate({ keepData: true }, (err) => {
            const { cookie: _cookie, ...rest } = data(req);
            res.json({ error: (err as Error | undefined)?.message, data: rest });
          });
        });
      }));
      const browser = new Browser(server);
      await browser.get('/cart?item=book');
      assert.deepEqual(JSON.parse((await browser.get('/try-login')).body), { error: 'destroy failed', data: {} });
    });

    it('goes through a store that overrides regenerate, and moves the data onto the session it made', async () => {
      const calls: string[] = [];
      class AuditedStore extends session.MemoryStore {
        override regenerate(req: Request, callback: (err?: unknown) => void): void {
          calls.push(req.sessionID);
          super.regenerate(req, callback);
        }
      }
      const browser = new Browser(await start(sessionApp(express, shopOptions(new AuditedStore()), shopRoutes)));
      await browser.get('/cart?item=book');
      const [oldId] = (await browser.get('/login')).body.split(' ');
      assert.deepEqual(calls, [oldId]);
      assert.deepEqual(JSON.parse((await browser.get('/me')).body), { cart: ['book'], user: 'ada' });
    });

    it('fails when a store\'s regenerate puts no new session on req, rather than keep the data on the old id', async () => {
      class LazyStore extends session.MemoryStore {
        override regenerate(_req: Request, callback: (err?: unknown) => void): void {
          process.nextTick(callback);
        }
      }
      const server = await start(sessionApp(express, shopOptions(new LazyStore()), shopRoutes));
      const browser = new Browser(server);
      await browser.get('/cart?item=book');
      const res = await browser.get('/login');
      assert.equal(res.status, 500);
      assert.match(res.body, /the store put no new session on req/);
    });
  });
}
