import assert from 'node:assert/strict';
import { createSecretKey } from 'node:crypto';
import { describe, it } from 'node:test';
import cookieParser from 'cookie-parser';
import upstreamSession from 'express-session-upstream';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { Browser, cookiePair, request } from '../support/http';
import { sessionIdOf } from '../support/stores';

for (const { label, express } of expressVersions) {
  describe(`secret option (${label})`, () => {
    it('fails each request with "secret option required for sessions" when there is no secret at all', async () => {
      const server = await start(sessionApp(express, { resave: false, saveUninitialized: true }));
      const res = await request(server, '/');
      assert.equal(res.status, 500);
      assert.equal(res.body, 'error: secret option required for sessions');
    });

    it("falls back to cookie-parser's req.secret when no secret option is given", async () => {
      const app = express();
      app.use(cookieParser('parser secret'));
      app.use(session({ resave: false, saveUninitialized: true }));
      app.get('/', (req, res) => {
        const data = req.session as unknown as { n?: number };
        data.n = (data.n ?? 0) + 1;
        res.end(String(data.n));
      });
      const browser = new Browser(await start(app));
      assert.equal((await browser.get('/')).body, '1');
      assert.equal((await browser.get('/')).body, '2');
    });

    it('does not consult req.secret when the secret option is set', async () => {
      let reads = 0;
      const app = express();
      app.use((req, _res, next) => {
        Object.defineProperty(req, 'secret', {
          get() {
            reads++;
            throw new Error('req.secret read');
          },
        });
        next();
      });
      app.use(session({ secret: 'option secret', resave: false, saveUninitialized: true }));
      app.get('/', (_req, res) => res.end('ok'));
      const res = await request(await start(app), '/');
      assert.equal(res.status, 200);
      assert.equal(res.body, 'ok');
      assert.equal(reads, 0);
    });

    it('signs with the first secret and still accepts cookies signed with the others (rotation)', async () => {
      const store = new session.MemoryStore();
      const oldServer = await start(sessionApp(express, { secret: 'old', resave: false, saveUninitialized: true, store }));
      const newServer = await start(sessionApp(express, { secret: ['new', 'old'], resave: false, saveUninitialized: true, store, rolling: true }));
      const first = await request(oldServer, '/count');
      const oldPair = cookiePair(first)!;
      const second = await request(newServer, '/count', { headers: { cookie: oldPair } });
      assert.equal(second.body, '2', 'the session signed with the old secret loaded');
      const newPair = cookiePair(second)!;
      assert.equal(sessionIdOf(newPair), sessionIdOf(oldPair));
      assert.notEqual(newPair, oldPair, 'the re-sent cookie is signed with the new secret');
      const third = await request(newServer, '/count', { headers: { cookie: newPair } });
      assert.equal(third.body, '3');
    });

    it('ignores a cookie signed with a secret that is not in the list', async () => {
      const store = new session.MemoryStore();
      const other = await start(sessionApp(express, { secret: 'other', resave: false, saveUninitialized: true, store }));
      const server = await start(sessionApp(express, { secret: 'mine', resave: false, saveUninitialized: true, store }));
      const pair = cookiePair(await request(other, '/count'))!;
      const res = await request(server, '/count', { headers: { cookie: pair } });
      assert.equal(res.body, '1');
      assert.notEqual(sessionIdOf(cookiePair(res)), sessionIdOf(pair));
    });

    it('accepts a Buffer, a typed array and a KeyObject as secrets', async () => {
      for (const secret of [Buffer.from('buffer secret'), new Uint8Array([1, 2, 3, 4]), createSecretKey(Buffer.from('key object'))]) {
        const browser = new Browser(await start(sessionApp(express, { secret, resave: false, saveUninitialized: true })));
        assert.equal((await browser.get('/count')).body, '1');
        assert.equal((await browser.get('/count')).body, '2');
      }
    });

    it('reads cookies signed by express-session 1.19.0 and writes cookies it reads (same format)', async () => {
      const store = new session.MemoryStore();
      const upstreamApp = express();
      upstreamApp.use(upstreamSession({ secret: 'shared', resave: false, saveUninitialized: true, store: store as never }));
      upstreamApp.get('/count', (req, res) => {
        const data = req.session as unknown as { count?: number };
        data.count = (data.count ?? 0) + 1;
        res.end(String(data.count));
      });
      const upstream = await start(upstreamApp);
      const ours = await start(sessionApp(express, { secret: 'shared', resave: false, saveUninitialized: true, store }));
      const pair = cookiePair(await request(upstream, '/count'))!;
      assert.equal((await request(ours, '/count', { headers: { cookie: pair } })).body, '2');
      const ourPair = cookiePair(await request(ours, '/count'))!;
      assert.equal((await request(upstream, '/count', { headers: { cookie: ourPair } })).body, '2');
    });
  });
}

describe('secret option validation', () => {
  it('throws a TypeError for an empty secret array', () => {
    assert.throws(() => session({ secret: [], resave: false, saveUninitialized: false }), {
      name: 'TypeError',
      message: 'secret option array must contain one or more strings',
    });
  });

  it('throws a TypeError at startup for a secret that cannot key an HMAC (a difference: 1.19.0 failed per request)', () => {
    assert.throws(() => session({ secret: 42 as never, resave: false, saveUninitialized: false }), TypeError);
    assert.throws(() => session({ secret: ['ok', {} as never], resave: false, saveUninitialized: false }), TypeError);
  });
});
