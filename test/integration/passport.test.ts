import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Express, RequestHandler } from 'express';
import session = require('../../src/index');
import { expressVersions, sessionApp, start, type ExpressFactory } from '../support/apps';
import { Browser } from '../support/http';
import { CountingStore, sessionIdOf } from '../support/stores';
import { service } from './support/services';
import { builtFactory, connectRedisCjs, openRedisStore, readStored, type StoreHandle } from './support/stores';

// passport and passport-local ship no types and this package adds no @types for them: the
// little the tests use, declared here.
type Done = (err: unknown, value?: unknown) => void;
interface Authenticator {
  use(strategy: unknown): void;
  serializeUser(fn: (user: User, done: Done) => void): void;
  deserializeUser(fn: (id: string, done: Done) => void): void;
  initialize(): RequestHandler;
  session(): RequestHandler;
  authenticate(name: string, options?: { keepSessionInfo?: boolean }): RequestHandler;
}
interface User {
  id: string;
  name: string;
}
interface PassportRequest {
  user?: User;
  logout(options: { keepSessionInfo?: boolean }, done: (err?: unknown) => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Passport } = require('passport') as { Passport: new () => Authenticator };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Strategy: LocalStrategy } = require('passport-local') as {
  Strategy: new (verify: (username: string, password: string, done: Done) => void) => unknown;
};

const users: Record<string, User & { password: string }> = {
  ada: { id: 'u1', name: 'Ada', password: 'lovelace' },
};

/** A login app: POST /login (form), GET /me, POST /logout, GET /visit (puts data in the session). */
function loginRoutes(express: ExpressFactory, keepSessionInfo: boolean) {
  return (app: Express): void => {
    const passport = new Passport();
    passport.use(new LocalStrategy((username, password, done) => {
      const user = users[username];
      done(null, user && user.password === password ? { id: user.id, name: user.name } : false);
    }));
    passport.serializeUser((user, done) => done(null, user.id));
    passport.deserializeUser((id, done) => {
      const user = Object.values(users).find((u) => u.id === id);
      done(null, user ? { id: user.id, name: user.name } : false);
    });
    app.use(express.urlencoded({ extended: false }));
    app.use(passport.initialize());
    app.use(passport.session());
    app.get('/visit', (req, res) => {
      (req.session as unknown as { returnTo: string }).returnTo = '/account';
      res.end('visited');
    });
    app.post('/login', passport.authenticate('local', { keepSessionInfo }), (req, res) => {
      res.end(`welcome ${(req as unknown as PassportRequest).user!.name}`);
    });
    app.get('/me', (req, res) => {
      const data = req.session as unknown as { returnTo?: string };
      res.json({ user: (req as unknown as PassportRequest).user?.name ?? null, returnTo: data.returnTo ?? null });
    });
    app.post('/logout', (req, res, next) => {
      (req as unknown as PassportRequest).logout({ keepSessionInfo }, (err) => (err ? next(err) : res.end('bye')));
    });
  };
}

const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };

/** The login flow of passport 0.7 on one store, on both Express majors. */
function loginFlow(open: () => { store: session.Store; factory: (options: session.SessionOptions) => RequestHandler }): void {
  for (const { label, express } of expressVersions) {
    describe(label, () => {
      async function browser(keepSessionInfo = false) {
        const { store, factory } = open();
        const app = sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: false }, loginRoutes(express, keepSessionInfo), factory);
        return new Browser(await start(app));
      }

      it('login regenerates the session: new id, old id gone from the store, /me sees the user on the new cookie', async () => {
        const b = await browser();
        await b.get('/visit');
        const anonymous = sessionIdOf(b.cookie)!;
        assert.ok(await readStored(open().store, anonymous), 'the anonymous session is stored');
        const login = await b.get('/login', { ...form, body: 'username=ada&password=lovelace' });
        assert.equal(login.body, 'welcome Ada');
        const signedIn = sessionIdOf(b.cookie)!;
        assert.notEqual(signedIn, anonymous);
        assert.equal(await readStored(open().store, anonymous), undefined, 'the pre-login session is destroyed');
        assert.deepEqual((await readStored(open().store, signedIn))?.passport, { user: 'u1' });
        assert.deepEqual(JSON.parse((await b.get('/me')).body), { user: 'Ada', returnTo: null });
      });

      it('a wrong password neither logs in nor changes the session id', async () => {
        const b = await browser();
        await b.get('/visit');
        const before = b.cookie;
        const res = await b.get('/login', { ...form, body: 'username=ada&password=babbage' });
        assert.equal(res.status, 401);
        assert.equal(b.cookie, before);
        assert.deepEqual(JSON.parse((await b.get('/me')).body), { user: null, returnTo: '/account' });
      });

      it('logout regenerates again: the signed-in id is gone and the new session has no user', async () => {
        const b = await browser();
        await b.get('/login', { ...form, body: 'username=ada&password=lovelace' });
        const signedInCookie = b.cookie;
        const signedIn = sessionIdOf(signedInCookie)!;
        assert.equal((await b.get('/logout', { method: 'POST' })).body, 'bye');
        const after = sessionIdOf(b.cookie)!;
        assert.notEqual(after, signedIn);
        assert.equal(await readStored(open().store, signedIn), undefined);
        assert.deepEqual(JSON.parse((await b.get('/me')).body), { user: null, returnTo: null });
        // Replaying the signed-in cookie finds nothing either.
        assert.deepEqual(JSON.parse((await b.get('/me', { headers: { cookie: signedInCookie! } })).body), { user: null, returnTo: null });
      });

      it('keepSessionInfo copies the old data into the regenerated session, under the new id', async () => {
        const b = await browser(true);
        await b.get('/visit');
        const anonymous = sessionIdOf(b.cookie)!;
        await b.get('/login', { ...form, body: 'username=ada&password=lovelace' });
        assert.notEqual(sessionIdOf(b.cookie), anonymous);
        assert.deepEqual(JSON.parse((await b.get('/me')).body), { user: 'Ada', returnTo: '/account' });
      });
    });
  }
}

describe('passport 0.7 with passport-local on MemoryStore', () => {
  const store = new CountingStore();
  loginFlow(() => ({ store, factory: session }));
});

const redis = service('REDIS_URL', 'the passport tests on connect-redis');

describe('passport 0.7 with passport-local on connect-redis', { skip: redis.skip }, () => {
  let handle: StoreHandle;
  before(async () => {
    await redis.assertReachable();
    handle = await openRedisStore(redis.url!, 'passport', connectRedisCjs());
  });
  after(() => handle?.close());
  loginFlow(() => ({ store: handle.store, factory: builtFactory }));
});
