import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express, Request } from 'express';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { onEachStore } from '../support/backends';
import { Browser, cookieAttributes, request, setCookieLine } from '../support/http';
import { sessionIdOf } from '../support/stores';

type Data = Record<string, unknown>;
const data = (req: Request): Data => req.session as unknown as Data;
const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

/** `/login` stores a user; `/logout` destroys the session; `/me` answers the user or nobody. */
function accountRoutes(app: Express): void {
  app.get('/login', (req, res) => {
    data(req)['user'] = 'ada';
    res.end('in');
  });
  app.get('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.end('out')));
  });
  app.get('/me', (req, res) => {
    res.end(String(data(req)['user'] ?? 'nobody'));
  });
}

function accountOptions(store: session.Store, extra: session.SessionOptions = {}): session.SessionOptions {
  return { secret: 's', store, resave: false, saveUninitialized: false, clearCookieOnDestroy: true, ...extra };
}

describe('clearCookieOnDestroy', () => {
  onEachStore('clear-cookie-on-destroy', (backend) => {
    for (const { label, express } of expressVersions) {
      describe(label, () => {
        it('destroy() also sends a Set-Cookie that expires the cookie, with its name, path and domain', async () => {
          const options = accountOptions(backend.store(), { name: 'app.sid', cookie: { path: '/', domain: 'example.test', maxAge: 60_000 } });
          const browser = new Browser(await start(sessionApp(express, options, accountRoutes, backend.factory)), 'app.sid');
          await browser.get('/login');
          const sid = sessionIdOf(browser.cookie)!;
          const res = await browser.get('/logout');
          const line = setCookieLine(res, 'app.sid')!;
          assert.match(line, /^app\.sid=;/);
          const attributes = cookieAttributes(line);
          assert.equal(attributes['path'], '/');
          assert.equal(attributes['domain'], 'example.test');
          assert.equal(attributes['expires'], EPOCH);
          assert.equal(await backend.read(sid), undefined, 'and the session is gone from the store');
        });

        it('leaves the browser with no session: its next request is nobody', async () => {
          const browser = new Browser(await start(sessionApp(express, accountOptions(backend.store()), accountRoutes, backend.factory)));
          await browser.get('/login');
          await browser.get('/logout');
          assert.equal(browser.cookie, 'connect.sid=', 'the browser stored the empty, expired value');
          assert.equal((await browser.get('/me')).body, 'nobody');
        });

        it("with unset: 'destroy', removing req.session also clears the cookie", async () => {
          const options = accountOptions(backend.store(), { unset: 'destroy', cookie: { path: '/' } });
          const server = await start(sessionApp(express, options, (app) => {
            accountRoutes(app);
            app.get('/drop', (req, res) => {
              (req as { session: unknown }).session = null;
              res.end('dropped');
            });
          }, backend.factory));
          const browser = new Browser(server);
          await browser.get('/login');
          const sid = sessionIdOf(browser.cookie)!;
          const res = await browser.get('/drop');
          assert.equal(cookieAttributes(setCookieLine(res)!)['expires'], EPOCH);
          assert.equal(await backend.read(sid), undefined);
        });

        it("does not clear when the app makes a new session after destroying: the new session's cookie wins", async () => {
          const server = await start(sessionApp(express, accountOptions(backend.store()), (app) => {
            accountRoutes(app);
            app.get('/switch-user', async (req, res) => {
              const old = req.session;
              await old.destroy();
              await old.regenerate();
              data(req)['user'] = 'grace';
              res.end(req.sessionID);
            });
          }, backend.factory));
          const browser = new Browser(server);
          await browser.get('/login');
          const res = await browser.get('/switch-user');
          assert.equal(res.setCookies.length, 1);
          assert.equal(sessionIdOf(browser.cookie), res.body, 'the one Set-Cookie carries the new id');
          assert.equal((await browser.get('/me')).body, 'grace');
        });
      });
    }
  });
});

for (const { label, express } of expressVersions) {
  describe(`clearCookieOnDestroy details (${label})`, () => {
    it("writes the same Set-Cookie line as Express's res.clearCookie for the cookie's name and attributes", async () => {
      const cookie = { path: '/app', domain: 'example.test', httpOnly: true, sameSite: 'strict' } as const;
      const mounted = (app: Express) => {
        const router = express.Router();
        accountRoutes(router as unknown as Express);
        app.use('/app', router);
      };
      const ours = new Browser(await start(sessionApp(express, accountOptions(new session.MemoryStore(), { cookie }), mounted)));
      await ours.get('/app/login');
      const cleared = setCookieLine(await ours.get('/app/logout'))!;
      const reference = express();
      reference.get('/', (_req, res) => {
        res.clearCookie('connect.sid', cookie);
        res.end();
      });
      const expected = setCookieLine(await request(await start(reference), '/'))!;
      assert.equal(cleared, expected);
    });

    it('keeps Secure, SameSite=None and Partitioned on the removal, so the browser accepts it', async () => {
      const options = accountOptions(new session.MemoryStore(), { cookie: { secure: true, sameSite: 'none', partitioned: true } });
      const browser = new Browser(await start(sessionApp(express, options, accountRoutes), { secure: true }));
      await browser.get('/login');
      const attributes = cookieAttributes(setCookieLine(await browser.get('/logout'))!);
      assert.equal(attributes['secure'], true);
      assert.equal(attributes['samesite'], 'None');
      assert.equal(attributes['partitioned'], true);
      assert.equal(attributes['expires'], EPOCH);
    });

    it('resolves secure and sameSite "auto" for the removal as for the cookie', async () => {
      const options = accountOptions(new session.MemoryStore(), { unset: 'destroy', cookie: { secure: 'auto', sameSite: 'auto' } });
      const server = await start(sessionApp(express, options, (app) => {
        accountRoutes(app);
        app.get('/drop', (req, res) => {
          delete (req as { session?: unknown }).session;
          res.end('dropped');
        });
      }), { secure: true });
      const browser = new Browser(server);
      await browser.get('/login');
      const attributes = cookieAttributes(setCookieLine(await browser.get('/drop'))!);
      assert.equal(attributes['secure'], true);
      assert.equal(attributes['samesite'], 'None');
    });

    it('sends nothing when destroy() comes after the headers went out', async () => {
      const server = await start(sessionApp(express, accountOptions(new session.MemoryStore()), (app) => {
        accountRoutes(app);
        app.get('/late-logout', (req, res) => {
          res.write('streaming ');
          req.session.destroy(() => res.end('out'));
        });
      }));
      const browser = new Browser(server);
      await browser.get('/login');
      const res = await browser.get('/late-logout');
      assert.equal(res.body, 'streaming out');
      assert.deepEqual(res.setCookies, []);
    });

    it('without the option, destroy() leaves the cookie in the browser, as express-session', async () => {
      const options = accountOptions(new session.MemoryStore(), { clearCookieOnDestroy: false });
      const browser = new Browser(await start(sessionApp(express, options, accountRoutes)));
      await browser.get('/login');
      assert.deepEqual((await browser.get('/logout')).setCookies, []);
    });

    it("with unset: 'keep', removing req.session is no destroy and clears nothing", async () => {
      const server = await start(sessionApp(express, accountOptions(new session.MemoryStore()), (app) => {
        accountRoutes(app);
        app.get('/drop', (req, res) => {
          delete (req as { session?: unknown }).session;
          res.end('dropped');
        });
      }));
      const browser = new Browser(server);
      await browser.get('/login');
      assert.deepEqual((await browser.get('/drop')).setCookies, []);
      assert.equal((await browser.get('/me')).body, 'ada', 'the session is still there');
    });

    it('clears the cookie when a session regenerated earlier in the request is destroyed', async () => {
      const server = await start(sessionApp(express, accountOptions(new session.MemoryStore()), (app) => {
        accountRoutes(app);
        app.get('/login-then-abort', async (req, res) => {
          await req.session.regenerate({ keepData: true });
          await req.session.destroy();
          res.end('aborted');
        });
      }));
      const browser = new Browser(server);
      await browser.get('/login');
      const res = await browser.get('/login-then-abort');
      assert.equal(res.setCookies.length, 1);
      assert.equal(cookieAttributes(setCookieLine(res)!)['expires'], EPOCH);
    });
  });
}
