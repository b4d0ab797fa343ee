import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import upstreamSession from 'express-session-upstream';
import fc from 'fast-check';
import session = require('../../src/index');
import { originalPathname, pathMatches } from '../../src/internal/url-path';
import { expressVersions, start, type ExpressFactory } from '../support/apps';
import { request } from '../support/http';

/**
 * RFC 6265 §5.1.4, read straight from the text: the request-path path-matches the cookie-path when
 * they are identical, or the cookie-path is a prefix of it and either ends in "/" or is followed
 * in the request-path by "/".
 */
function rfcPathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

describe('cookie.path matching (RFC 6265 §5.1.4)', () => {
  const table: Array<[string, string, boolean]> = [
    ['/foo', '/foo', true],
    ['/foo/', '/foo', true],
    ['/foo/bar', '/foo', true],
    ['/foo/bar/baz', '/foo/bar', true],
    ['/foobar', '/foo', false],
    ['/foo.html', '/foo', false],
    ['/fo', '/foo', false],
    ['/', '/foo', false],
    ['/FOO', '/foo', false],
    ['/foo/bar', '/foo/', true],
    ['/foo', '/foo/', false],
    ['/anything', '/', true],
    ['/', '/', true],
  ];
  for (const [requestPath, cookiePath, expected] of table) {
    it(`${expected ? 'matches' : 'does not match'} ${requestPath} against cookie path ${cookiePath}`, () => {
      assert.equal(pathMatches(requestPath, cookiePath), expected);
    });
  }

  it('property: agrees with the RFC\'s three conditions for any paths', (t) => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9._~-]{0,5}$/);
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => '/' + s.join('/'));
    const runs = 10_000;
    // Half the cases extend the cookie path, so that prefixes (the interesting part) are common.
    const pair = fc.oneof(
      fc.tuple(path, path),
      fc.tuple(path, fc.stringMatching(/^[a-z/]{0,4}$/)).map(([cookiePath, extra]) => [cookiePath + extra, cookiePath] as [string, string]),
    );
    fc.assert(fc.property(pair, ([requestPath, cookiePath]) => {
      assert.equal(pathMatches(requestPath, cookiePath), rfcPathMatch(requestPath, cookiePath));
    }), { numRuns: runs });
    t.diagnostic(`${runs} generated cases`);
  });

  it('compares the path of the original URL, without query or fragment, also in absolute form', () => {
    assert.equal(originalPathname({ originalUrl: '/foo?next=/foo/bar', url: '/' }), '/foo');
    assert.equal(originalPathname({ url: '/foo#frag' }), '/foo');
    assert.equal(originalPathname({ url: 'http://example.com/foo/bar?x' }), '/foo/bar');
    assert.equal(originalPathname({ url: 'http://example.com' }), '/');
    assert.equal(originalPathname({}), '/');
  });

  it('property: never throws, and always gives a path starting with "/", for any URL', (t) => {
    const runs = 10_000;
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (url) => {
      const path = originalPathname({ url });
      assert.equal(typeof pathMatches(path, '/foo'), 'boolean');
      if (url.startsWith('/')) assert.ok(path.startsWith('/'));
    }), { numRuns: runs });
    t.diagnostic(`${runs} generated cases`);
  });
});

function appWith(express: ExpressFactory, middleware: ReturnType<typeof session>) {
  const app = express();
  app.use(middleware);
  app.use((req, res) => {
    res.end(req.session ? 'session' : 'none');
  });
  return app;
}

for (const { label, express } of expressVersions) {
  describe(`cookie.path over HTTP (${label})`, () => {
    const options = { secret: 's', resave: false, saveUninitialized: true, cookie: { path: '/foo' } };

    for (const [path, expected] of [['/foo', 'session'], ['/foo/bar', 'session'], ['/foo/', 'session'], ['/foo?x=1', 'session'], ['/foobar', 'none'], ['/Foo', 'none'], ['/', 'none']] as const) {
      it(`${expected === 'session' ? 'runs' : 'does not run'} on ${path} with cookie.path /foo`, async () => {
        const server = await start(appWith(express, session(options)));
        const res = await request(server, path);
        assert.equal(res.body, expected);
        assert.equal(res.setCookies.length, expected === 'session' ? 1 : 0);
        if (expected === 'session') assert.match(res.setCookies[0]!, /; Path=\/foo(;|$)/);
      });
    }

    it('does not run on /foobar, where express-session 1.19.0 did (its bare prefix test; a deliberate fix)', async () => {
      const ours = await start(appWith(express, session(options)));
      const upstream = await start(appWith(express, upstreamSession(options)));
      assert.equal((await request(ours, '/foobar')).body, 'none');
      assert.equal((await request(upstream, '/foobar')).body, 'session');
      // Where the RFC says the cookie applies, both agree.
      assert.equal((await request(ours, '/foo/bar')).body, 'session');
      assert.equal((await request(upstream, '/foo/bar')).body, 'session');
    });
  });
}
