import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { inherits } from 'node:util';
import session = require('../src/index');
import { defaultRoutes, expressVersions, sessionApp, start } from './support/apps';
import { Browser, request } from './support/http';
import { sessionIdOf } from './support/stores';
import { sessionMethod } from '../src/store';

type SessionData = session.SessionData;
type Callback = (err?: unknown, value?: unknown) => void;

/** A store written the pre-ES2015 way, as many published stores still are. */
interface OldStyleStore extends session.Store {
  data: Record<string, string>;
}
function OldStyleStore(this: OldStyleStore, options?: unknown): void {
  session.Store.call(this, options);
  this.data = {};
}
inherits(OldStyleStore, session.Store);
Object.assign(OldStyleStore.prototype, {
  get(this: OldStyleStore, sid: string, cb: Callback) {
    const raw = this.data[sid];
    setImmediate(cb, null, raw ? JSON.parse(raw) : undefined);
  },
  set(this: OldStyleStore, sid: string, sess: SessionData, cb?: Callback) {
    this.data[sid] = JSON.stringify(sess);
    if (cb) setImmediate(cb);
  },
  destroy(this: OldStyleStore, sid: string, cb?: Callback) {
    delete this.data[sid];
    if (cb) setImmediate(cb);
  },
});
const OldStyle = OldStyleStore as unknown as new (options?: unknown) => OldStyleStore;

class ModernStore extends session.Store {
  data = new Map<string, string>();
  override get(sid: string, cb: (err: unknown, s?: SessionData | null) => void): void {
    const raw = this.data.get(sid);
    queueMicrotask(() => cb(null, raw ? JSON.parse(raw) : null));
  }
  override set(sid: string, sess: SessionData, cb?: (err?: unknown) => void): void {
    this.data.set(sid, JSON.stringify(sess));
    queueMicrotask(() => cb?.());
  }
  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.data.delete(sid);
    queueMicrotask(() => cb?.());
  }
}

function storedCookie(maxAge: number) {
  return { cookie: new session.Cookie({ maxAge }) } as SessionData;
}

describe('Store base class', () => {
  it('is an EventEmitter when extended with class syntax', () => {
    const store = new ModernStore();
    assert.ok(store instanceof session.Store);
    assert.ok(store instanceof EventEmitter);
    let heard = false;
    store.on('connect', () => { heard = true; });
    store.emit('connect');
    assert.equal(heard, true);
  });

  it('works the old way: Store.call(this) plus util.inherits', () => {
    const store = new OldStyle({ any: 'options' });
    assert.ok(store instanceof session.Store);
    assert.ok(store instanceof EventEmitter);
    assert.equal(typeof store.regenerate, 'function');
    assert.equal(typeof store.load, 'function');
    assert.equal(typeof store.createSession, 'function');
  });

  it('createSession revives the stored expiry as a Date, keeps originalMaxAge and puts the session on req', () => {
    const store = new ModernStore();
    const expires = new Date(Date.now() + 30_000);
    const req = { sessionID: 'abc', sessionStore: store } as never as import('express').Request;
    const created = store.createSession(req, { cookie: { expires: expires.toISOString(), originalMaxAge: 60_000, path: '/', httpOnly: true }, user: 'ada' } as never);
    assert.ok(created instanceof session.Session);
    assert.ok(created.cookie instanceof session.Cookie);
    assert.ok(created.cookie.expires instanceof Date);
    assert.equal((created.cookie.expires as Date).valueOf(), expires.valueOf());
    assert.equal(created.cookie.originalMaxAge, 60_000);
    assert.equal(req.session, created);
    assert.equal((created as unknown as { user: string }).user, 'ada');
  });

  it('createSession fails with a TypeError for stored data without a cookie, as express-session did', () => {
    const store = new ModernStore();
    const req = { sessionID: 'abc', sessionStore: store } as never as import('express').Request;
    assert.throws(() => store.createSession(req, { user: 'ada' } as never), { name: 'TypeError', message: /Cannot read prop/ });
  });

  it('load() fetches a session by id as a Session, and nothing for an unknown id', async () => {
    const store = new OldStyle();
    await new Promise<void>((resolve) => store.set('known', { ...storedCookie(60_000), user: 'ada' } as never, () => resolve()));
    const loaded = await new Promise<unknown>((resolve, reject) => store.load('known', (err, s) => (err ? reject(err) : resolve(s))));
    assert.ok(loaded instanceof session.Session);
    assert.equal((loaded as session.Session).id, 'known');
    assert.equal((loaded as unknown as { user: string }).user, 'ada');
    const missing = await new Promise<unknown>((resolve, reject) => store.load('unknown', (err, s) => (err ? reject(err) : resolve(s))));
    assert.equal(missing, undefined);
  });

  it('load() calls back with no arguments at all for an unknown id, as express-session did', async () => {
    const store = new ModernStore();
    const args = await new Promise<unknown[]>((resolve) => store.load('unknown', (...received: unknown[]) => resolve(received)));
    assert.deepEqual(args, []);
  });

  it("is named 'Store', as express-session's constructor was", () => {
    assert.equal(session.Store.name, 'Store');
    assert.equal(new ModernStore().constructor.name, 'ModernStore');
    assert.equal(Object.getPrototypeOf(ModernStore.prototype).constructor.name, 'Store');
  });

  it('regenerate() fails clearly when no middleware attached the store', async () => {
    const store = new ModernStore();
    const err = await new Promise<unknown>((resolve) => store.regenerate({ sessionID: 'x' } as never, resolve));
    assert.ok(err instanceof TypeError);
  });

  for (const { label, express } of expressVersions) {
    for (const [kind, make] of [['an old-style store', () => new OldStyle()], ['a class store', () => new ModernStore()]] as const) {
      it(`runs the whole session flow on ${kind} (${label})`, async () => {
        const store = make();
        const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: false }, (app) => {
          defaultRoutes(app);
          app.get('/regenerate', (req, res, next) => req.session.regenerate((err) => (err ? next(err) : res.end('new'))));
        }));
        const browser = new Browser(server);
        assert.equal((await browser.get('/count')).body, '1');
        assert.equal((await browser.get('/count')).body, '2');
        const before = sessionIdOf(browser.cookie);
        await browser.get('/regenerate');
        assert.notEqual(sessionIdOf(browser.cookie), before);
        assert.equal((await browser.get('/count')).body, '1');
      });
    }

    it(`fails a returning visitor's request through next(err) when the store does not extend Store, as express-session did (${label})`, async () => {
      // Only the three required methods on a bare EventEmitter: no createSession to turn stored
      // data into a session. express-session failed such a request with that TypeError.
      const backing = new ModernStore();
      const store = Object.assign(new EventEmitter(), {
        get: backing.get.bind(backing),
        set: backing.set.bind(backing),
        destroy: backing.destroy.bind(backing),
      });
      const server = await start(sessionApp(express, { secret: 's', store: store as never, resave: false, saveUninitialized: false }));
      const browser = new Browser(server);
      assert.equal((await browser.get('/count')).body, '1');
      const returning = await browser.get('/count');
      assert.equal(returning.status, 500);
      assert.match(returning.body, /createSession is not a function/);
      assert.equal((await request(server, '/count')).body, '1', 'the server still serves new visitors');
    });

    it(`looks store methods up on the instance at call time (${label})`, async () => {
      const store = new ModernStore();
      const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true }));
      const browser = new Browser(server);
      await browser.get('/count');
      let replacedGetRan = false;
      const originalGet = store.get.bind(store);
      store.get = (sid, cb) => {
        replacedGetRan = true;
        originalGet(sid, cb);
      };
      assert.equal((await browser.get('/count')).body, '2');
      assert.equal(replacedGetRan, true);
    });
  }
});

describe('a store built on a second copy of the package', () => {
  /** dist/ copied under .tmp/: it resolves the same dependencies but is another module instance. */
  function secondCopy(): typeof session {
    const root = resolve(__dirname, '..');
    mkdirSync(resolve(root, '.tmp'), { recursive: true });
    const dir = mkdtempSync(resolve(root, '.tmp', 'copy-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(resolve(root, 'dist'), resolve(dir, 'dist'), { recursive: true });
    return require(resolve(dir, 'dist', 'index.js')) as typeof session;
  }

  it('saves once when a route calls save() on a session the other copy made', async () => {
    const other = secondCopy();
    assert.notEqual(other.Session, session.Session, 'really a second copy');
    let sets = 0;
    class OtherStore extends other.MemoryStore {
      override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
        sets++;
        super.set(sid, data, callback);
      }
    }
    const store = new OtherStore();
    const server = await start(sessionApp(expressVersions[0]!.express, { secret: 's', store, resave: false, saveUninitialized: false }, (app) => {
      defaultRoutes(app);
      app.get('/save', (req, res, next) => {
        (req.session as unknown as { n: number }).n = 1;
        req.session.save((err) => (err ? next(err) : res.end('saved')));
      });
    }));
    const browser = new Browser(server);
    await browser.get('/count');
    assert.equal(sets, 1);
    assert.equal((await browser.get('/save')).body, 'saved');
    assert.equal(sets, 2, 'the explicit save only: the end of the response knows it was saved');
  });
});

describe("a store built on express-session's own Store (the copy npm installs for a store's peer dependency)", () => {
  const UpstreamStore: new () => session.Store = require('express-session-upstream/session/store');

  /** A callback store on express-session 1.19.0's Store, as connect-redis is when npm brings it. */
  class StoreOnUpstream extends UpstreamStore {
    data = new Map<string, string>();
    override get(sid: string, cb: (err: unknown, s?: SessionData | null) => void): void {
      const raw = this.data.get(sid);
      setImmediate(cb, null, raw ? JSON.parse(raw) : null);
    }
    override set(sid: string, sess: SessionData, cb?: (err?: unknown) => void): void {
      this.data.set(sid, JSON.stringify(sess));
      if (cb) setImmediate(cb);
    }
    override destroy(sid: string, cb?: (err?: unknown) => void): void {
      this.data.delete(sid);
      if (cb) setImmediate(cb);
    }
  }

  /** Routes that report what kind of session the request has and use the promise forms. */
  function probeRoutes(app: import('express').Express): void {
    defaultRoutes(app);
    app.get('/kind', (req, res) => {
      res.end(req.session instanceof session.Session ? 'ours' : (req.session as object).constructor.name);
    });
    app.get('/promises', (req, res, next) => {
      const saved = req.session.save();
      if (!(saved instanceof Promise)) return res.end('save() returned no Promise');
      saved.then(() => {
        const before = req.sessionID;
        const regenerated = req.session.regenerate();
        if (!(regenerated instanceof Promise)) return res.end('regenerate() returned no Promise');
        return regenerated.then(() => res.end(req.sessionID !== before && req.session instanceof session.Session ? 'new ours' : 'wrong'));
      }).catch(next);
    });
    app.get('/reload', (req, res, next) => {
      req.session.reload().then(() => res.end(req.session instanceof session.Session ? 'ours' : 'theirs'), next);
    });
  }

  for (const { label, express } of expressVersions) {
    it(`gives returning visitors our Session, with the promise forms of save(), regenerate() and reload() (${label})`, async () => {
      const store = new StoreOnUpstream();
      assert.equal(store instanceof session.Store, false, 'really not our Store');
      const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: false }, probeRoutes));
      const browser = new Browser(server);
      assert.equal((await browser.get('/count')).body, '1');
      assert.equal((await browser.get('/kind')).body, 'ours');
      const before = sessionIdOf(browser.cookie)!;
      assert.equal((await browser.get('/promises')).body, 'new ours');
      assert.equal(store.data.has(before), false, 'the old session is gone');
      assert.equal((await browser.get('/count')).body, '1');
      assert.equal((await browser.get('/reload')).body, 'ours');
    });

    it(`lets such a store's own createSession win (${label})`, async () => {
      class CustomSessionStore extends StoreOnUpstream {
        override createSession(req: import('express').Request, stored: SessionData) {
          const created = super.createSession(req, stored);
          (created as unknown as { custom: boolean }).custom = true;
          return created;
        }
      }
      const store = new CustomSessionStore();
      const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: false }, (app) => {
        defaultRoutes(app);
        app.get('/custom', (req, res) => res.end(`${req.session.constructor.name} ${String((req.session as unknown as { custom?: boolean }).custom)}`));
      }));
      const browser = new Browser(server);
      await browser.get('/count');
      // express-session's createSession, called by the store's own: its Session, as the store asked.
      assert.equal((await browser.get('/custom')).body, 'Session true');
    });
  }

  it("keeps an instance's own createSession, and a concrete store named Store on EventEmitter keeps its methods", () => {
    const store = new StoreOnUpstream();
    assert.equal(sessionMethod(store, 'createSession'), session.Store.prototype.createSession);
    assert.equal(sessionMethod(store, 'regenerate'), session.Store.prototype.regenerate);
    const own = () => undefined;
    (store as unknown as { createSession: unknown }).createSession = own;
    assert.equal(sessionMethod(store, 'createSession'), own);

    // A store class that happens to be called Store and implements everything itself.
    const Standalone = class Store extends EventEmitter {
      get() {}
      set() {}
      createSession() {}
      regenerate() {}
      load() {}
    };
    const standalone = new Standalone();
    assert.equal(sessionMethod(standalone, 'createSession'), Standalone.prototype.createSession);
  });
});
