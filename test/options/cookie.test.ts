import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import session = require('../../src/index');
import { defaultRoutes, expressVersions, sessionApp, start } from '../support/apps';
import { Browser, cookieAttributes, request, setCookieLine } from '../support/http';
import { waitFor } from '../support/wait';

const base = { secret: 's', resave: false, saveUninitialized: true } as const;

for (const { label, express } of expressVersions) {
  describe(`cookie option (${label})`, () => {
    it('defaults to Path=/ and HttpOnly with no Expires (a browser-session cookie)', async () => {
      const res = await request(await start(sessionApp(express, base)), '/');
      const line = setCookieLine(res)!;
      assert.match(line, /; Path=\/; HttpOnly$/);
      assert.equal(cookieAttributes(line).expires, undefined);
    });

    it('sets Expires maxAge milliseconds from now', async () => {
      const before = Date.now();
      const res = await request(await start(sessionApp(express, { ...base, cookie: { maxAge: 3_600_000 } })), '/');
      const expires = Date.parse(cookieAttributes(setCookieLine(res)!).expires as string);
      assert.ok(Math.abs(expires - (before + 3_600_000)) < 5000);
    });

    it('writes Domain, Path, SameSite, Partitioned and Priority as configured', async () => {
      const cookie = { domain: 'example.com', path: '/app', sameSite: 'strict', partitioned: true, priority: 'high', httpOnly: false } as const;
      const server = await start(sessionApp(express, { ...base, cookie }, (app) => app.get('/app', (_req, res) => res.end('ok'))));
      const attributes = cookieAttributes(setCookieLine(await request(server, '/app'))!);
      assert.deepEqual(attributes, { domain: 'example.com', path: '/app', samesite: 'Strict', partitioned: true, priority: 'High' });
    });

    it('does not run (no session, no cookie) for requests outside cookie.path', async () => {
      const server = await start(sessionApp(express, { ...base, cookie: { path: '/app' } }, (app) => {
        app.get('/other', (req, res) => res.end(String(req.session === undefined)));
      }));
      const res = await request(server, '/other');
      assert.equal(res.body, 'true');
      assert.deepEqual(res.setCookies, []);
    });

    it('matches cookie.path against the original URL of a mounted app', async () => {
      const outer = express();
      const inner = express.Router();
      inner.use(session({ ...base, cookie: { path: '/mounted' } }));
      inner.get('/page', (req, res) => res.end(String(req.session !== undefined)));
      outer.use('/mounted', inner);
      const res = await request(await start(outer), '/mounted/page');
      assert.equal(res.body, 'true');
    });

    it('evaluates a cookie function once per request and uses its result for the path check and the cookie', async () => {
      let calls = 0;
      const cookie = (req: Request) => {
        calls++;
        return req.path.startsWith('/admin') ? { path: '/admin', maxAge: 1000 } : { path: '/', sameSite: 'lax' as const };
      };
      const server = await start(sessionApp(express, { ...base, cookie }, (app) => {
        app.get('/admin/x', (_req, res) => res.end('admin'));
        app.get('/', (_req, res) => res.end('home'));
      }));
      const admin = cookieAttributes(setCookieLine(await request(server, '/admin/x'))!);
      assert.equal(admin.path, '/admin');
      assert.ok(admin.expires);
      assert.equal(calls, 1);
      const home = cookieAttributes(setCookieLine(await request(server, '/'))!);
      assert.equal(home.samesite, 'Lax');
      assert.equal(calls, 2);
    });

    it('passes an error thrown by a cookie function to next(err)', async () => {
      const server = await start(sessionApp(express, { ...base, cookie: () => { throw new Error('no options for you'); } }));
      const res = await request(server, '/');
      assert.equal(res.status, 500);
      assert.equal(res.body, 'error: no options for you');
    });

    it('uses the default cookie options when a cookie function returns nothing (1.19.0 failed the request)', async () => {
      const server = await start(sessionApp(express, { ...base, cookie: (req: Request) => (req.path === '/short' ? { maxAge: 1000 } : undefined) }, (app) => {
        defaultRoutes(app);
        app.get('/short', (req, res) => res.end(String(req.session.cookie.maxAge)));
      }));
      const plain = await request(server, '/count');
      assert.equal(plain.status, 200);
      const attributes = cookieAttributes(setCookieLine(plain)!);
      assert.equal(attributes.path, '/');
      assert.equal(attributes.httponly, true);
      assert.equal(attributes.expires, undefined);
      assert.ok(cookieAttributes(setCookieLine(await request(server, '/short'))!).expires);
    });

    it('passes a TypeError to next(err) when a cookie function returns something that is not an object', async () => {
      const server = await start(sessionApp(express, { ...base, cookie: (() => 'secure') as never }));
      const res = await request(server, '/');
      assert.equal(res.status, 500);
      assert.equal(res.body, 'error: cookie option function must return an object');
    });

    it('sends no cookie when secure is true and the connection is plain HTTP', async () => {
      const store = new session.MemoryStore();
      const res = await request(await start(sessionApp(express, { ...base, store, cookie: { secure: true } })), '/count');
      assert.equal(res.status, 200);
      assert.deepEqual(res.setCookies, []);
    });

    it('sends a Secure cookie over HTTPS when secure is true', async () => {
      const server = await start(sessionApp(express, { ...base, cookie: { secure: true } }), { secure: true });
      const browser = new Browser(server);
      assert.equal(cookieAttributes(setCookieLine(await browser.get('/count'))!).secure, true);
      assert.equal((await browser.get('/count')).body, '2');
    });

    it("resolves secure: 'auto' per connection: Secure over HTTPS, not over HTTP", async () => {
      const options = { ...base, cookie: { secure: 'auto' as const } };
      const plain = cookieAttributes(setCookieLine(await request(await start(sessionApp(express, options)), '/'))!);
      assert.equal(plain.secure, undefined);
      const tls = cookieAttributes(setCookieLine(await request(await start(sessionApp(express, options), { secure: true }), '/'))!);
      assert.equal(tls.secure, true);
    });

    it("resolves sameSite: 'auto' per connection: None over HTTPS, Lax over HTTP", async () => {
      const options = { ...base, cookie: { sameSite: 'auto' as const, secure: 'auto' as const } };
      const plain = cookieAttributes(setCookieLine(await request(await start(sessionApp(express, options)), '/'))!);
      assert.equal(plain.samesite, 'Lax');
      const tls = cookieAttributes(setCookieLine(await request(await start(sessionApp(express, options), { secure: true }), '/'))!);
      assert.equal(tls.samesite, 'None');
      assert.equal(tls.secure, true);
    });

    it("resolves 'auto' values returned by a cookie function like the object form (1.19.0 sent no cookie over HTTP)", async () => {
      const options = { ...base, cookie: () => ({ secure: 'auto' as const, sameSite: 'auto' as const, maxAge: 60_000 }) };
      const plainRes = await request(await start(sessionApp(express, options)), '/');
      const plain = cookieAttributes(setCookieLine(plainRes)!);
      assert.equal(plain.secure, undefined);
      assert.equal(plain.samesite, 'Lax');
      const tls = cookieAttributes(setCookieLine(await request(await start(sessionApp(express, options), { secure: true }), '/'))!);
      assert.equal(tls.secure, true);
      assert.equal(tls.samesite, 'None');
    });

    it('passes an invalid cookie attribute set by the route to next(err) and still finishes the response', async () => {
      const errors: unknown[] = [];
      const app = express();
      app.use(session(base));
      app.get('/', (req, res) => {
        // Static options are checked at startup (cookie-validation.test.ts); a route can still
        // set a wrong attribute on its own session's cookie.
        (req.session.cookie as { priority: unknown }).priority = 'urgent';
        res.end('body');
      });
      app.use((err: unknown, _req: unknown, _res: unknown, next: (e?: unknown) => void) => {
        errors.push(err);
        next();
      });
      const res = await request(await start(app), '/');
      assert.equal(res.body, 'body');
      await waitFor(() => errors.length > 0, { message: 'the cookie error' });
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /priority is invalid/);
    });
  });
}

describe('cookie option validation', () => {
  it('throws a TypeError when cookie is neither an object nor a function', () => {
    assert.throws(() => session({ secret: 's', cookie: 'yes' as never, resave: false, saveUninitialized: false }), TypeError);
  });
});
