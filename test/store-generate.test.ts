import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import session = require('../src/index');
import { expressVersions, sessionApp, start } from './support/apps';
import { Browser, cookieAttributes, request, setCookieLine } from './support/http';
import { sessionIdOf } from './support/stores';

const base = { secret: 's', resave: false, saveUninitialized: true } as const;

for (const { label, express } of expressVersions) {
  describe(`store.generate (${label})`, () => {
    it('is installed on the store by session(), and makes a new session with a new id on req', () => {
      const store = new session.MemoryStore();
      session({ ...base, store, genid: () => 'made-by-genid', cookie: { maxAge: 1000 } });
      assert.equal(typeof store.generate, 'function');
      const req = { sessionStore: store } as unknown as Request;
      store.generate!(req);
      assert.equal(req.sessionID, 'made-by-genid');
      assert.ok(req.session instanceof session.Session);
      assert.equal(req.session.id, 'made-by-genid');
      assert.equal(req.session.cookie.originalMaxAge, 1000);
    });

    it('makes the new sessions of requests when the app replaced it, as express-session does', async () => {
      const store = new session.MemoryStore();
      const app = sessionApp(express, { ...base, store });
      const own = store.generate!;
      let calls = 0;
      store.generate = (req) => {
        calls++;
        own(req);
        (req.session as unknown as { origin: string }).origin = 'app generator';
      };
      app.get('/origin', (req, res) => res.end(String((req.session as unknown as { origin?: string }).origin)));
      const server = await start(app);
      assert.equal((await request(server, '/origin')).body, 'app generator');
      assert.equal(calls, 1);
    });

    it('gives a session made by regenerate() the cookie options of its request (a cookie function)', async () => {
      const cookie = (req: Request) => (req.path.startsWith('/admin') ? { path: '/admin', maxAge: 5000 } : { path: '/' });
      const server = await start(sessionApp(express, { ...base, cookie }, (app) => {
        app.get('/admin/login', (req, res, next) => {
          req.session.regenerate((err) => {
            if (err) return next(err);
            (req.session as unknown as { user: string }).user = 'ada';
            res.end('in');
          });
        });
      }));
      const browser = new Browser(server);
      const res = await browser.get('/admin/login');
      const attributes = cookieAttributes(setCookieLine(res)!);
      assert.equal(attributes.path, '/admin');
      assert.ok(attributes.expires, 'the admin maxAge applies');
      assert.ok(sessionIdOf(browser.cookie));
    });
  });
}
