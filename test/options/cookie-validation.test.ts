import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NextFunction, Request, Response } from 'express';
import upstreamSession from 'express-session-upstream';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { Browser, cookieAttributes, cookiePair, request, setCookieLine, type TestResponse } from '../support/http';

const base = { secret: 's', resave: false, saveUninitialized: true } as const;

/** `session()` with these cookie options; the cast lets the tests pass what JavaScript users pass. */
function withCookie(cookie: Record<string, unknown>): ReturnType<typeof session> {
  return session({ ...base, cookie: cookie as session.CookieOptions });
}

describe('static cookie options are checked when session() is called (1.19.0 failed each request instead)', () => {
  it("throws a TypeError naming maxAge and its unit for maxAge: '1h'", () => {
    assert.throws(() => withCookie({ maxAge: '1h' }), {
      name: 'TypeError',
      message: 'cookie.maxAge option must be a number of milliseconds (3600000 for one hour) or null, got the string "1h"',
    });
  });

  it("throws for a numeric string maxAge ('60000'), which 1.19.0 never turned into a cookie", () => {
    assert.throws(() => withCookie({ maxAge: '60000' }), { name: 'TypeError', message: /^cookie\.maxAge option .*milliseconds.*"60000"/ });
  });

  it('throws for a maxAge no Date can hold: NaN, Infinity, 1e16, a BigInt, an invalid Date', () => {
    for (const maxAge of [Number.NaN, Infinity, 1e16, 60_000n, new Date('never')]) {
      assert.throws(() => withCookie({ maxAge }), { name: 'TypeError', message: /^cookie\.maxAge option must be a number of milliseconds/ }, String(maxAge));
    }
  });

  it("throws a TypeError saying expires must be a Date for expires: '2030-01-01'", () => {
    assert.throws(() => withCookie({ expires: '2030-01-01' }), {
      name: 'TypeError',
      message: 'cookie.expires option must be a Date, got the string "2030-01-01" (for a lifetime counted from each request, use maxAge in milliseconds)',
    });
  });

  it('throws for a non-finite number as expires, but leaves an invalid Date to fail its request as express-session does', () => {
    assert.doesNotThrow(() => withCookie({ expires: new Date(Number.NaN) }));
    for (const expires of [Number.NaN, Infinity]) {
      assert.throws(() => withCookie({ expires }), { name: 'TypeError', message: /^cookie\.expires option must be a Date/ }, String(expires));
    }
  });

  it('throws for a sameSite that is not true, false, strict, lax, none or auto', () => {
    for (const sameSite of ['bogus', 'Auto', 1]) {
      assert.throws(() => withCookie({ sameSite }), { name: 'TypeError', message: /^cookie\.sameSite option must be true, false, 'strict', 'lax', 'none' or 'auto', got / });
    }
  });

  it('throws for a priority that is not low, medium or high', () => {
    assert.throws(() => withCookie({ priority: 'urgent' }), {
      name: 'TypeError',
      message: `cookie.priority option must be 'low', 'medium' or 'high', got the string "urgent"`,
    });
  });

  it("throws for a path that is not a string starting with '/' (the middleware could never run) or holds ';'", () => {
    for (const path of ['api', 123, '/a;b']) {
      assert.throws(() => withCookie({ path }), { name: 'TypeError', message: /^cookie\.path option must be a URL path starting with '\/'/ }, String(path));
    }
  });

  it('throws for a domain that is not a domain name string (a port, a scheme, a boolean)', () => {
    for (const domain of ['localhost:3000', 'https://example.com', true]) {
      assert.throws(() => withCookie({ domain }), { name: 'TypeError', message: /^cookie\.domain option must be a domain name such as 'example\.com'/ }, String(domain));
    }
  });

  it('accepts every value express-session 1.19.0 served', () => {
    const served: Record<string, unknown>[] = [
      { maxAge: 60_000 }, { maxAge: 0 }, { maxAge: -1 }, { maxAge: 1500.5 }, { maxAge: null }, { maxAge: undefined },
      { maxAge: '' }, { maxAge: false }, { maxAge: new Date(Date.now() + 60_000) },
      { expires: new Date(Date.now() + 60_000) }, { expires: null }, { expires: '' }, { expires: 3_600_000 },
      { sameSite: true }, { sameSite: false }, { sameSite: 'Strict' }, { sameSite: 'lax' }, { sameSite: 'None' }, { sameSite: 'auto' },
      { priority: 'High' }, { priority: 'low' }, { secure: true }, { secure: 'auto' }, { secure: 'true' },
      { path: '/app' }, { path: '' }, { domain: 'example.com' }, { domain: '.example.com' }, { partitioned: true }, { httpOnly: false },
    ];
    for (const cookie of served) assert.doesNotThrow(() => withCookie(cookie), JSON.stringify(cookie));
  });
});

/** Static cookie options this package rejects at startup, one per kind of mistake. */
const rejected: Record<string, unknown>[] = [
  { maxAge: '1h' }, { maxAge: '60000' }, { maxAge: Number.NaN }, { maxAge: 1e16 }, { expires: '2030-01-01' },
  { sameSite: 'bogus' }, { priority: 'urgent' }, { path: 'api' }, { path: 123 },
  { domain: 'localhost:3000' },
];

/** A request that gives up after `ms`: some of 1.19.0's failures leave the socket hanging. */
async function attempt(promise: Promise<TestResponse>, ms = 1000): Promise<TestResponse | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(resolve, ms, 'timed out');
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (err) {
    return (err as Error).message;
  } finally {
    clearTimeout(timer);
  }
}

for (const { label, express } of expressVersions) {
  describe(`what express-session 1.19.0 did with the options rejected at startup (${label})`, () => {
    it('never kept a session with any of them: every request failed, hung or went without a cookie', async () => {
      for (const cookie of rejected) {
        assert.throws(() => withCookie(cookie), TypeError, `${JSON.stringify(cookie)} is rejected here`);
        const app = express();
        app.use(upstreamSession({ ...base, cookie }));
        app.get('/count', (req, res) => {
          const data = req.session as unknown as { count?: number };
          data.count = (data.count ?? 0) + 1;
          res.end(String(data.count));
        });
        app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
          if (res.headersSent) return;
          try {
            res.status(500).end(err.message);
          } catch {
            // 1.19.0's own res.end throws here for some of them (a session without a cookie).
            res.destroy();
          }
        });
        const server = await start(app);
        const first = await attempt(request(server, '/count'));
        const pair = typeof first === 'string' ? undefined : cookiePair(first);
        const second = pair ? await attempt(request(server, '/count', { headers: { cookie: pair } })) : undefined;
        const kept = typeof second === 'object' && second.status === 200 && second.body === '2';
        assert.equal(kept, false, `${JSON.stringify(cookie)}: ${JSON.stringify(first)}`);
      }
    });
  });

  describe(`cookie options 1.19.0 served still serve (${label})`, () => {
    it('keeps a session with maxAge as a number, expires as a Date and maxAge: null', async () => {
      for (const cookie of [{ maxAge: 60_000 }, { expires: new Date(Date.now() + 3_600_000) }, { maxAge: null }]) {
        const browser = new Browser(await start(sessionApp(express, { ...base, cookie })));
        assert.equal((await browser.get('/count')).body, '1');
        assert.equal((await browser.get('/count')).body, '2', JSON.stringify(cookie));
      }
    });

    it("gives a browser-session cookie for maxAge: '' as 1.19.0 did (an empty environment variable)", async () => {
      const res = await request(await start(sessionApp(express, { ...base, cookie: { maxAge: '' as never } })), '/');
      assert.equal(cookieAttributes(setCookieLine(res)!).expires, undefined);
    });

    it('uses a number given as expires as a lifetime in ms from each request, as 1.19.0 did', async () => {
      const before = Date.now();
      const res = await request(await start(sessionApp(express, { ...base, cookie: { expires: 3_600_000 as never } })), '/');
      const expires = Date.parse(String(cookieAttributes(setCookieLine(res)!).expires));
      assert.ok(expires >= before + 3_599_000 && expires <= Date.now() + 3_601_000, new Date(expires).toISOString());
    });
  });

  describe(`a cookie function returning a wrong attribute (${label})`, () => {
    it('fails that request through next(err) with a TypeError naming the attribute', async () => {
      const server = await start(sessionApp(express, { ...base, cookie: () => ({ maxAge: '1h' as never }) }));
      const res = await request(server, '/count');
      assert.equal(res.status, 500);
      assert.equal(
        res.body,
        'error: cookie.maxAge option must be a number of milliseconds (3600000 for one hour) or null, got the string "1h" (returned by the cookie option function)',
      );
      assert.deepEqual(res.setCookies, []);
    });

    it("names expires, not maxAge, for expires: '2030-01-01' (the request used to fail with a maxAge error)", async () => {
      const server = await start(sessionApp(express, { ...base, cookie: () => ({ expires: '2030-01-01' as never }) }));
      const res = await request(server, '/count');
      assert.equal(res.status, 500);
      assert.match(res.body, /^error: cookie\.expires option must be a Date, got the string "2030-01-01"/);
    });

    it('fails before the route runs for an attribute only the Set-Cookie header would have rejected', async () => {
      let routeRan = false;
      const app = sessionApp(express, { ...base, cookie: () => ({ sameSite: 'sometimes' as never }) }, (a) => {
        a.get('/', (_req, res) => {
          routeRan = true;
          res.end('ok');
        });
      });
      const res = await request(await start(app), '/');
      assert.equal(res.status, 500);
      assert.match(res.body, /^error: cookie\.sameSite option must be/);
      assert.equal(routeRan, false);
    });

    it('still passes requests outside the returned path through untouched, as 1.19.0 did', async () => {
      const app = sessionApp(express, { ...base, cookie: () => ({ path: '/admin', maxAge: '1h' as never }) }, (a) => {
        a.get('/public', (req, res) => res.end(String(req.session)));
      });
      const res = await request(await start(app), '/public');
      assert.equal(res.status, 200);
      assert.equal(res.body, 'undefined');
    });
  });
}
