import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import session = require('../src/index');
import { expressVersions, sessionApp, start } from './support/apps';
import { Browser, cookiePair, request, setCookieLine } from './support/http';
import { CountingStore, sessionIdOf } from './support/stores';
import { waitFor } from './support/wait';

const base = { secret: 's', resave: false, saveUninitialized: true } as const;
type SessionData = session.SessionData;

for (const { label, express } of expressVersions) {
  describe(`middleware: loading the session (${label})`, () => {
    it('does nothing when req.session already exists (a second session middleware is skipped)', async () => {
      const storeA = new CountingStore();
      const storeB = new CountingStore();
      const app = express();
      app.use(session({ ...base, store: storeA }));
      app.use(session({ ...base, store: storeB }));
      app.get('/', (req, res) => res.end(String(req.sessionStore === storeA)));
      const res = await request(await start(app), '/');
      assert.equal(res.body, 'true');
      assert.equal(res.setCookies.length, 1);
      assert.equal(storeB.calls.set, 0);
    });

    it('runs requests without a session while the store is disconnected, and with one after it reconnects', async () => {
      const store = new session.MemoryStore();
      const server = await start(sessionApp(express, { ...base, store }, (app) => {
        app.get('/', (req, res) => res.end(String(req.session === undefined)));
      }));
      store.emit('disconnect');
      const offline = await request(server, '/');
      assert.equal(offline.body, 'true');
      assert.deepEqual(offline.setCookies, []);
      store.emit('connect');
      assert.equal((await request(server, '/')).body, 'false');
    });

    it('loads the session named by a correctly signed cookie', async () => {
      const browser = new Browser(await start(sessionApp(express, base)));
      assert.equal((await browser.get('/count')).body, '1');
      assert.equal((await browser.get('/count')).body, '2');
    });

    it('generates a new session when the signed id is not in the store', async () => {
      const store = new session.MemoryStore();
      const browser = new Browser(await start(sessionApp(express, { ...base, store })));
      await browser.get('/count');
      await new Promise<void>((resolve) => store.clear(() => resolve()));
      const res = await browser.get('/count');
      assert.equal(res.body, '1');
      assert.notEqual(sessionIdOf(cookiePair(res)), undefined);
    });

    it('ignores an unsigned cookie value and starts a new session', async () => {
      const store = new session.MemoryStore();
      const server = await start(sessionApp(express, { ...base, store }));
      const pair = cookiePair(await request(server, '/count'))!;
      const id = sessionIdOf(pair)!;
      const res = await request(server, '/count', { headers: { cookie: `connect.sid=${id}` } });
      assert.equal(res.body, '1');
    });

    it('treats a store error with code ENOENT as "not found"', async () => {
      const store = new session.MemoryStore();
      store.get = (_sid, callback) => callback(Object.assign(new Error('gone'), { code: 'ENOENT' }));
      const server = await start(sessionApp(express, { ...base, store }));
      const res = await request(server, '/count', { headers: { cookie: cookiePair(await request(server, '/'))! } });
      assert.equal(res.status, 200);
      assert.equal(res.body, '1');
    });

    it('passes any other store error to next(err)', async () => {
      const store = new session.MemoryStore();
      const server = await start(sessionApp(express, { ...base, store }));
      const pair = cookiePair(await request(server, '/'))!;
      store.get = (_sid, callback) => callback(new Error('store is on fire'));
      const res = await request(server, '/count', { headers: { cookie: pair } });
      assert.equal(res.status, 500);
      assert.equal(res.body, 'error: store is on fire');
    });

    it('revives a stored expiry string as a Date and keeps originalMaxAge', async () => {
      const server = await start(sessionApp(express, { ...base, cookie: { maxAge: 60_000 } }, (app) => {
        app.get('/inspect', (req, res) => {
          res.json({ isDate: req.session.cookie.expires instanceof Date, originalMaxAge: req.session.cookie.originalMaxAge });
        });
      }));
      const browser = new Browser(server);
      await browser.get('/inspect');
      assert.deepEqual(JSON.parse((await browser.get('/inspect')).body), { isDate: true, originalMaxAge: 60_000 });
    });

    it('reads the id from req.signedCookies left by cookie-parser when the header is gone', async () => {
      const store = new session.MemoryStore();
      const server = await start(sessionApp(express, { ...base, store }));
      const pair = cookiePair(await request(server, '/count'))!;
      const app = express();
      app.use(cookieParser('s'));
      app.use((req: Request, _res: Response, next: NextFunction) => {
        delete req.headers.cookie;
        next();
      });
      app.use(session({ ...base, store }));
      app.get('/count', (req, res) => {
        const data = req.session as unknown as { count?: number };
        data.count = (data.count ?? 0) + 1;
        res.end(String(data.count));
      });
      const res = await request(await start(app), '/count', { headers: { cookie: pair } });
      assert.equal(res.body, '2');
    });

    it('reads a signed id from req.cookies (cookie-parser without a secret) when the header is gone', async () => {
      const store = new session.MemoryStore();
      const server = await start(sessionApp(express, { ...base, store }));
      const pair = cookiePair(await request(server, '/count'))!;
      const app = express();
      app.use(cookieParser());
      app.use((req: Request, _res: Response, next: NextFunction) => {
        delete req.headers.cookie;
        next();
      });
      app.use(session({ ...base, store }));
      app.get('/count', (req, res) => res.end(String((req.session as unknown as { count?: number }).count)));
      assert.equal((await request(await start(app), '/count', { headers: { cookie: pair } })).body, '1');
    });

    it('sets req.sessionID to the id of the session', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/', (req, res) => res.end(`${req.sessionID === req.session.id}:${req.sessionID}`));
      }));
      const res = await request(server, '/');
      const [same, id] = res.body.split(':');
      assert.equal(same, 'true');
      assert.equal(id, sessionIdOf(cookiePair(res)));
    });
  });

  describe(`middleware: ending the response (${label})`, () => {
    it('keeps the chunk and encoding given to res.end', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/hex', (req, res) => {
          (req.session as unknown as { x: number }).x = 1;
          res.end('68656c6c6f', 'hex');
        });
      }));
      const res = await request(server, '/hex');
      assert.equal(res.body, 'hello');
      assert.equal(res.setCookies.length, 1);
    });

    it('keeps a Content-Length response intact', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/sized', (req, res) => {
          (req.session as unknown as { x: number }).x = 1;
          res.setHeader('Content-Length', '11');
          res.end('hello world');
        });
      }));
      const res = await request(server, '/sized');
      assert.equal(res.headers['content-length'], '11');
      assert.equal(res.body, 'hello world');
    });

    it('answers HEAD requests without a body but with the cookie', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/page', (req, res) => {
          (req.session as unknown as { x: number }).x = 1;
          res.send('a body');
        });
      }));
      const res = await request(server, '/page', { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(res.body, '');
      assert.equal(res.setCookies.length, 1);
    });

    it('calls the callback given to res.end', async () => {
      let ran = false;
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/cb', (req, res) => {
          (req.session as unknown as { x: number }).x = 1;
          res.end('done', () => { ran = true; });
        });
      }));
      assert.equal((await request(server, '/cb')).body, 'done');
      await waitFor(() => ran, { message: 'the res.end callback' });
    });

    it('sets the cookie when the headers go out before res.end (streamed responses)', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/stream', (req, res) => {
          (req.session as unknown as { x: number }).x = 1;
          res.write('part 1, ');
          // A later tick, so the headers really go out with the first write: the gap is the case.
          setTimeout(() => res.end('part 2'), 10);
        });
      }));
      const browser = new Browser(server);
      const res = await browser.get('/stream');
      assert.equal(res.body, 'part 1, part 2');
      assert.equal(res.setCookies.length, 1);
      assert.ok(browser.cookie);
    });

    it('has saved the session before the response finishes (a redirect target sees the data)', async () => {
      const store = new session.MemoryStore();
      const slowSet = store.set.bind(store);
      // A slow store is the case: the redirect must not go out before the save answered.
      store.set = (sid, data, callback) => setTimeout(() => slowSet(sid, data, callback), 50);
      const server = await start(sessionApp(express, { ...base, store }, (app) => {
        app.get('/login', (req, res) => {
          (req.session as unknown as { user: string }).user = 'ada';
          res.redirect('/me');
        });
        app.get('/me', (req, res) => res.end(String((req.session as unknown as { user?: string }).user)));
      }));
      const browser = new Browser(server);
      const redirect = await browser.get('/login');
      assert.equal(redirect.status, 302);
      assert.equal((await browser.get('/me')).body, 'ada');
    });

    it('still sends the redirect when the save fails (as express-session): the target finds no session, the error goes to next(err)', async () => {
      const errors: unknown[] = [];
      const store = new session.MemoryStore();
      store.set = (_sid, _data, callback) => setTimeout(() => callback?.(new Error('store down')), 10);
      const app = express();
      app.use(session({ ...base, store }));
      app.get('/login', (req, res) => {
        (req.session as unknown as { user: string }).user = 'ada';
        res.redirect('/me');
      });
      app.get('/me', (req, res) => res.end(String((req.session as unknown as { user?: string }).user)));
      app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
        errors.push(err);
        if (res.headersSent) return next();
        res.status(500).end('error');
      });
      const browser = new Browser(await start(app));
      const redirect = await browser.get('/login');
      assert.equal(redirect.status, 302, 'the route\'s answer goes out, not an error page');
      await waitFor(() => errors.length > 0, { message: 'the save error' });
      assert.match(String(errors[0]), /store down/);
      assert.equal((await browser.get('/me')).body, 'undefined', 'the redirect target finds no session');
    });

    it('passes a save error to next(err) after the response body is written', async () => {
      const errors: unknown[] = [];
      const store = new session.MemoryStore();
      store.set = (_sid, _data, callback) => callback?.(new Error('disk full'));
      const app = express();
      app.use(session({ ...base, store }));
      app.get('/', (req, res) => {
        (req.session as unknown as { x: number }).x = 1;
        res.end('body');
      });
      app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
        errors.push(err);
        next();
      });
      const res = await request(await start(app), '/');
      assert.equal(res.body, 'body');
      await waitFor(() => errors.length > 0, { message: 'the save error' });
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /disk full/);
    });

    it('passes a touch error to next(err) after the response body is written', async () => {
      const errors: unknown[] = [];
      const store = new session.MemoryStore();
      const app = express();
      app.use(session({ ...base, store }));
      app.get('/', (_req, res) => res.end('body'));
      app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
        errors.push(err);
        next();
      });
      const browser = new Browser(await start(app));
      await browser.get('/');
      store.touch = (_sid, _data, callback) => callback?.(new Error('touch failed'));
      assert.equal((await browser.get('/')).body, 'body');
      await waitFor(() => errors.length > 0, { message: 'the touch error' });
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /touch failed/);
    });

    it('does not touch a session that is being saved, nor call touch on stores without it', async () => {
      const store = new CountingStore();
      (store as { touch?: unknown }).touch = undefined;
      const browser = new Browser(await start(sessionApp(express, { ...base, store })));
      await browser.get('/');
      assert.equal((await browser.get('/')).status, 200);
      assert.equal(store.calls.touch, 0);
    });

    it('never sends a Secure cookie over an insecure connection even if the app made it secure', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/secure', (req, res) => {
          req.session.cookie.secure = true;
          res.end('ok');
        });
      }));
      assert.deepEqual((await request(server, '/secure')).setCookies, []);
    });

    it('keeps Set-Cookie headers the app set itself', async () => {
      const server = await start(sessionApp(express, base, (app) => {
        app.get('/', (_req, res) => {
          res.cookie('theme', 'dark');
          res.end('ok');
        });
      }));
      const res = await request(server, '/');
      assert.equal(res.setCookies.length, 2);
      assert.match(res.setCookies[0]!, /^theme=dark/);
      assert.ok(setCookieLine(res));
    });

    it('sends no cookie and saves nothing after req.session.destroy()', async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { ...base, store }, (app) => {
        app.get('/logout', (req, res) => req.session.destroy(() => res.end('bye')));
      }));
      const browser = new Browser(server);
      await browser.get('/count');
      store.reset();
      const res = await browser.get('/logout');
      assert.equal(res.body, 'bye');
      assert.deepEqual(res.setCookies, []);
      assert.equal(store.calls.set, 0);
      assert.equal(await store.count(), 0);
    });

    it('fails the request through next(err) when session data cannot be serialised, and stays up', async () => {
      const errors: unknown[] = [];
      const app = express();
      app.use(session(base));
      app.get('/circular', (req, res) => {
        const loop: Record<string, unknown> = {};
        loop.self = loop;
        (req.session as unknown as SessionData & { loop: unknown }).loop = loop;
        res.end('body');
      });
      app.get('/', (_req, res) => res.end('still up'));
      app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
        errors.push(err);
        if (!res.headersSent) res.status(500).end();
      });
      const server = await start(app);
      await request(server, '/circular').catch(() => undefined);
      await waitFor(() => errors.length > 0, { message: 'the serialisation error' });
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /circular/i);
      assert.equal((await request(server, '/')).body, 'still up');
    });
  });
}

for (const { label, express } of expressVersions) {
  describe(`middleware: res.end compared with plain Node (${label})`, () => {
    /** Run `handler` on a bare Node server and behind the session middleware; both results. */
    async function compare(handler: (res: import('node:http').ServerResponse) => unknown) {
      const bareResults: unknown[] = [];
      const bare = await start((_req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
        bareResults.push(handler(res));
      });
      const withSessionResults: unknown[] = [];
      const app = express();
      app.use(session({ ...base, store: new session.MemoryStore() }));
      app.use((req: Request, res: Response) => {
        (req.session as unknown as { touched: boolean }).touched = true;
        withSessionResults.push(handler(res));
      });
      const plain = await request(bare, '/');
      const withSession = await request(await start(app), '/');
      return { plain, withSession, bareResults, withSessionResults };
    }

    it('throws the same error as plain Node for setHeader after res.end, and sends the same response', async () => {
      const handler = (res: import('node:http').ServerResponse) => {
        res.end();
        try {
          res.setHeader('Content-Length', '3');
          res.end('foo');
          return 'no error';
        } catch (err) {
          return (err as Error).message;
        }
      };
      const { plain, withSession, bareResults, withSessionResults } = await compare(handler);
      assert.notEqual(bareResults[0], 'no error');
      assert.equal(withSessionResults[0], bareResults[0]);
      assert.equal(withSession.status, plain.status);
      assert.equal(withSession.body, plain.body);
    });

    it('sends Content-Length for a plain res.end(body), like Node does, not chunked encoding', async () => {
      const { plain, withSession } = await compare((res) => res.end('héllo'));
      assert.equal(plain.headers['content-length'], '6');
      assert.equal(withSession.headers['content-length'], '6');
      assert.equal(withSession.headers['transfer-encoding'], undefined);
      assert.equal(withSession.body, 'héllo');
    });

    it('marks the headers as sent as soon as res.end is called, while the session is being saved', async () => {
      const { withSessionResults } = await compare((res) => {
        res.end('x');
        return res.headersSent;
      });
      assert.equal(withSessionResults[0], true);
    });
  });
}

for (const { label, express } of expressVersions) {
  describe(`middleware: a stored session without a cookie (${label})`, () => {
    it('fails that request through next(err) with the TypeError express-session gave, and serves the next one', async () => {
      const store = new session.MemoryStore();
      const server = await start(sessionApp(express, { ...base, store }));
      const pair = cookiePair(await request(server, '/count'))!;
      await new Promise<void>((resolve) => store.set(sessionIdOf(pair)!, { foo: 'bar' } as never, () => resolve()));
      const res = await request(server, '/count', { headers: { cookie: pair } });
      assert.equal(res.status, 500);
      assert.match(res.body, /Cannot read prop/);
      assert.equal((await request(server, '/count')).body, '1');
    });
  });
}
