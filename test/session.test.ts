import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session = require('../src/index');
import { defaultRoutes, expressVersions, sessionApp, start } from './support/apps';
import { Browser, cookiePair, request } from './support/http';
import { CountingStore, sessionIdOf } from './support/stores';

const base = { secret: 's', resave: false, saveUninitialized: true } as const;
type Data = { count?: number; user?: string };

for (const { label, express } of expressVersions) {
  describe(`req.session (${label})`, () => {
    it('holds the data as own enumerable properties plus cookie, and nothing else', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/', (req, res) => {
          (req.session as unknown as Data).user = 'ada';
          res.json({
            keys: Object.keys(req.session),
            json: JSON.parse(JSON.stringify(req.session)),
            enumerableId: Object.prototype.propertyIsEnumerable.call(req.session, 'id'),
            hasMethods: ['regenerate', 'destroy', 'reload', 'save', 'touch', 'resetMaxAge'].every((m) => typeof (req.session as unknown as Record<string, unknown>)[m] === 'function'),
          });
        });
      }));
      const body = JSON.parse((await request(server, '/')).body);
      assert.deepEqual(body.keys, ['cookie', 'user']);
      assert.deepEqual(Object.keys(body.json), ['cookie', 'user']);
      assert.deepEqual(Object.keys(body.json.cookie).sort(), ['expires', 'httpOnly', 'originalMaxAge', 'path']);
      assert.equal(body.enumerableId, false);
      assert.equal(body.hasMethods, true);
    });

    it('never lets a stored key named like a method or id replace it', async () => {
      const store = new session.MemoryStore();
      const server = await start(sessionApp(express, { ...base, store }, (app) => {
        app.get('/', (req, res) => {
          res.json({ save: typeof req.session.save, id: req.session.id === req.sessionID, regenerate: typeof req.session.regenerate });
        });
      }));
      const pair = cookiePair(await request(server, '/'))!;
      const id = sessionIdOf(pair)!;
      await new Promise<void>((resolve) => store.set(id, { cookie: { path: '/', httpOnly: true, originalMaxAge: null }, save: 'evil', id: 'other', regenerate: 1 } as never, () => resolve()));
      const body = JSON.parse((await request(server, '/', { headers: { cookie: pair } })).body);
      assert.deepEqual(body, { save: 'function', id: true, regenerate: 'function' });
    });

    it('regenerate() makes a new session with a new id and deletes the old one', async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { ...base, store }, (app) => {
        defaultRoutes(app);
        app.get('/login', (req, res, next) => {
          const before = req.sessionID;
          req.session.regenerate((err) => {
            if (err) return next(err);
            (req.session as unknown as Data).user = 'ada';
            res.json({ changed: req.sessionID !== before, sameAsSession: req.sessionID === req.session.id, leftover: (req.session as unknown as Data).count ?? null });
          });
        });
        app.get('/me', (req, res) => res.end(String((req.session as unknown as Data).user)));
      }));
      const browser = new Browser(server);
      await browser.get('/count');
      const oldId = sessionIdOf(browser.cookie)!;
      const login = await browser.get('/login');
      assert.deepEqual(JSON.parse(login.body), { changed: true, sameAsSession: true, leftover: null });
      const newId = sessionIdOf(browser.cookie)!;
      assert.notEqual(newId, oldId);
      assert.equal(await store.read(oldId), undefined);
      assert.equal((await browser.get('/me')).body, 'ada');
    });

    it('destroy() removes the session from the store and from the request', async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { ...base, store }, (app) => {
        defaultRoutes(app);
        app.get('/logout', (req, res, next) => {
          req.session.destroy((err) => (err ? next(err) : res.end(String(req.session === undefined))));
        });
      }));
      const browser = new Browser(server);
      await browser.get('/count');
      const id = sessionIdOf(browser.cookie)!;
      assert.equal((await browser.get('/logout')).body, 'true');
      assert.equal(await store.read(id), undefined);
      assert.equal((await browser.get('/count')).body, '1');
    });

    it('reload() picks up what another request saved meanwhile', async () => {
      const store = new session.MemoryStore();
      const server = await start(sessionApp(express, { ...base, store }, (app) => {
        defaultRoutes(app);
        app.get('/reload', (req, res, next) => {
          const sid = req.sessionID;
          store.get(sid, (err, stored) => {
            if (err || !stored) return next(err ?? new Error('missing'));
            store.set(sid, { ...stored, count: 41 } as never, () => {
              req.session.reload((reloadErr) => {
                if (reloadErr) return next(reloadErr);
                res.end(String((req.session as unknown as Data).count));
              });
            });
          });
        });
      }));
      const browser = new Browser(server);
      await browser.get('/count');
      assert.equal((await browser.get('/reload')).body, '41');
      assert.equal((await browser.get('/count')).body, '42');
    });

    it('reload() fails with "failed to load session" when the store no longer has it', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        defaultRoutes(app);
        app.get('/reload', (req, res) => {
          req.sessionStore.destroy(req.sessionID, () => {
            req.session.reload((err) => res.end(err instanceof Error ? err.message : 'no error'));
          });
        });
      }));
      const browser = new Browser(server);
      await browser.get('/count');
      assert.equal((await browser.get('/reload')).body, 'failed to load session');
    });

    it('save() writes to the store before the response ends', async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { ...base, store }, (app) => {
        app.get('/save', (req, res, next) => {
          (req.session as unknown as Data).user = 'grace';
          req.session.save((err) => {
            if (err) return next(err);
            store.get(req.sessionID, (_e, stored) => res.end(String((stored as Data | undefined)?.user)));
          });
        });
      }));
      assert.equal((await request(server, '/save')).body, 'grace');
    });

    it('touch() and resetMaxAge() reset cookie.maxAge to originalMaxAge and return the session', async () => {
      const server = await start(sessionApp(express, { ...base, cookie: { maxAge: 10_000 } }, (app) => {
        app.get('/', (req, res) => {
          // Time passing is the behaviour: maxAge must have run down before touch() resets it.
          setTimeout(() => {
            const aged = req.session.cookie.maxAge!;
            const chained = req.session.touch() === req.session && req.session.resetMaxAge() === req.session;
            res.json({ chained, aged, maxAge: req.session.cookie.maxAge, original: req.session.cookie.originalMaxAge });
          }, 100);
        });
      }));
      const body = JSON.parse((await request(server, '/')).body);
      assert.equal(body.chained, true);
      assert.ok(body.aged <= 10_000 - 90, `maxAge counted down while waiting (${body.aged})`);
      assert.ok(body.maxAge > 10_000 - 50 && body.maxAge <= 10_000, `touch reset it (${body.maxAge})`);
      assert.equal(body.original, 10_000);
    });

    it('the methods return the session when given a callback', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/', (req, res) => {
          const s = req.session;
          const results = [s.save(() => {}) === s, s.reload(() => {}) === s];
          res.end(String(results.every(Boolean)));
        });
      }));
      assert.equal((await request(server, '/')).body, 'true');
    });

    it('does not resend the cookie when only cookie.maxAge changed on a loaded session (as express-session)', async () => {
      const server = await start(sessionApp(express, { ...base, cookie: { maxAge: 60_000 } }, (app) => {
        app.get('/extend', (req, res) => {
          req.session.cookie.maxAge = 120_000;
          res.end('ok');
        });
      }));
      const browser = new Browser(server);
      await browser.get('/');
      assert.deepEqual((await browser.get('/extend')).setCookies, []);
    });
  });
}

describe('Session class', () => {
  it('takes its id from req.sessionID and copies the data it is given', () => {
    const req = { sessionID: 'abc', sessionStore: new session.MemoryStore() };
    const created = new session.Session(req as never, { a: 1, b: { c: 2 } });
    assert.equal(created.id, 'abc');
    assert.equal(created.req, req);
    assert.deepEqual(JSON.parse(JSON.stringify(created)), { a: 1, b: { c: 2 } });
  });

  it('makes id read-only', () => {
    const created = new session.Session({ sessionID: 'abc' } as never);
    try {
      (created as { id: string }).id = 'other';
    } catch {
      // strict-mode callers get a TypeError; either way the id must not change
    }
    assert.equal(created.id, 'abc');
  });
});
