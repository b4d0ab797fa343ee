import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';
import session = require('../../src/index');
import { defaultRoutes, expressVersions, sessionApp, start } from '../support/apps';
import { Browser, request, type TestResponse } from '../support/http';
import { onEachStore } from '../support/lifecycle-stores';
import { sessionIdOf } from '../support/stores';
import { waitFor } from '../support/wait';

const RENEWAL = 250;
const GRACE = 500;
const options = { secret: 'keyboard cat', resave: false, saveUninitialized: false, renewalTimeout: RENEWAL, renewalGrace: GRACE } as const;

/** The default routes, plus `/regenerate`, `/destroy`, and `/forge?to=<id>` that writes a fake tombstone mark into its own session. */
function routes(app: Express): void {
  defaultRoutes(app);
  app.get('/regenerate', (req, res, next) => {
    req.session.regenerate((err) => (err ? next(err) : res.end('regenerated')));
  });
  app.get('/destroy', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.end('destroyed')));
  });
  app.get('/forge', (req, res) => {
    // An app that copies request fields into the session (mass assignment) lets a user do this.
    (req.session as unknown as Record<string, unknown>)['__lifecycle'] = { renewedTo: String(req.query['to']), renewedAt: Date.now(), proof: 'forged' };
    res.end('forged');
  });
}

function idIn(res: TestResponse): string | undefined {
  const line = res.setCookies.find((l) => l.startsWith('connect.sid='));
  return sessionIdOf(line?.split(';')[0]);
}

/**
 * The same store, its `get` answering 60 ms after it read: two requests that arrive together both load the
 * old session before either has written anything, the race renewal must survive.
 */
function slowReads(store: session.Store, delay = 60): session.Store {
  const slow = Object.create(store) as session.Store;
  // Each store method on the real store: MemoryStore keeps state in fields a facade must not shadow.
  for (const method of ['set', 'destroy', 'touch'] as const) slow[method] = store[method]!.bind(store) as never;
  // A callback store only: connect-redis's get also returns a promise, which would answer first.
  slow.get = (sid, callback) => {
    store.get(sid, (err, stored) => void setTimeout(callback, delay, err, stored));
  };
  return slow;
}

/** A browser with a one-count session whose id is already due for renewal. */
async function dueSession(app: Express): Promise<{ browser: Browser; oldId: string; oldCookie: string }> {
  const browser = new Browser(await start(app));
  assert.equal((await browser.get('/count')).body, '1');
  await sleep(RENEWAL + 50);
  return { browser, oldId: sessionIdOf(browser.cookie)!, oldCookie: browser.cookie! };
}

onEachStore('renewal', (backend) => {
  for (const { label, express } of expressVersions) {
    it(`moves the same data to a new id and sends the new cookie once the id is older than renewalTimeout, even unmodified with saveUninitialized and resave false (${label})`, async () => {
      const { store, factory, read } = backend();
      const { browser, oldId } = await dueSession(sessionApp(express, { ...options, store }, routes, factory));
      const res = await browser.get('/');
      const newId = idIn(res);
      assert.ok(newId && newId !== oldId, 'a Set-Cookie with a new id');
      assert.equal(newId.length, 32, 'the length of a default id');
      assert.match(newId, /^[A-Za-z0-9_-]+$/, 'the alphabet of a default id');
      assert.equal((await read(newId))?.['count'], 1, 'the data moved');
      assert.equal((await browser.get('/count')).body, '2', 'the new cookie carries on the session');
      const again = await browser.get('/');
      assert.equal(again.setCookies.length, 0, 'no renewal again before renewalTimeout');
    });

    it(`sends the new cookie and the renewed data to a request that arrives with the old id within the grace window (${label})`, async () => {
      const { store, factory } = backend();
      const { browser, oldCookie } = await dueSession(sessionApp(express, { ...options, store }, routes, factory));
      const renewed = idIn(await browser.get('/count'));
      assert.ok(renewed);
      const late = await request((browser as unknown as { server: Parameters<typeof request>[0] }).server, '/count', { headers: { cookie: oldCookie } });
      assert.equal(late.body, '3', 'the old id resolved to the renewed session');
      assert.equal(idIn(late), renewed, 'and was sent the new cookie');
      assert.equal((await browser.get('/count')).body, '4', 'one session throughout');
    });

    it(`finds nothing under the old id once the grace window has passed, while the new id keeps working (${label})`, async () => {
      const { store, factory, read, pttl } = backend();
      const { browser, oldId, oldCookie } = await dueSession(sessionApp(express, { ...options, store }, routes, factory));
      await browser.get('/');
      const tombstone = await read(oldId);
      assert.deepEqual(Object.keys(tombstone ?? {}).sort(), ['__lifecycle', 'cookie'], 'the old id holds only a tombstone, no data');
      if (pttl) {
        const ttl = await pttl(oldId);
        assert.ok(ttl > 0 && ttl <= 1_000, `the old key expires with the grace window (whole seconds in Redis): PTTL ${ttl}`);
      }
      await sleep(GRACE + 50);
      const stale = await request(browser.server, '/count', { headers: { cookie: oldCookie } });
      assert.equal(stale.body, '1', 'the old id starts a fresh session');
      assert.notEqual(idIn(stale), sessionIdOf(browser.cookie));
      if (pttl) await waitFor(async () => (await pttl(oldId)) === -2, { timeout: 2_000, message: 'the old key to leave Redis' });
      assert.equal((await browser.get('/count')).body, '2', 'the renewed session is untouched');
    });

    it(`gives two parallel requests that both trigger the renewal the same new id: one session, never two (${label})`, async () => {
      const { store, factory, read } = backend();
      const { browser, oldId, oldCookie } = await dueSession(sessionApp(express, { ...options, store: slowReads(store) }, routes, factory));
      const [a, b] = await Promise.all([0, 1].map(() => request(browser.server, '/count', { headers: { cookie: oldCookie } })));
      assert.ok(idIn(a!) && idIn(a!) === idIn(b!), `both got ${idIn(a!)} / ${idIn(b!)}`);
      const count = (await read(idIn(a!)!))?.['count'];
      assert.ok(count === 2 || count === 3, `both wrote to the one session (last writer wins): ${String(count)}`);
      assert.ok((await read(oldId))?.['count'] === undefined, 'the old id is no second live session');
    });

    it(`gives two middleware instances sharing one store and secret (two processes) the same new id when they race to renew (${label})`, async () => {
      const { store, factory, read } = backend();
      const { browser, oldId, oldCookie } = await dueSession(sessionApp(express, { ...options, store: slowReads(store) }, routes, factory));
      const other = await start(sessionApp(express, { ...options, store: slowReads(store) }, routes, factory));
      const [a, b] = await Promise.all([
        request(browser.server, '/count', { headers: { cookie: oldCookie } }),
        request(other, '/count', { headers: { cookie: oldCookie } }),
      ]);
      assert.ok(idIn(a) && idIn(a) === idIn(b), `both got ${idIn(a)} / ${idIn(b)}`);
      assert.ok((await read(oldId))?.['count'] === undefined, 'the old id is no second live session');
    });

    it(`follows a chain of renewals within the grace window to the latest id (${label})`, async () => {
      const { store, factory } = backend();
      const app = sessionApp(express, { ...options, store, renewalTimeout: 150, renewalGrace: 1_500 }, routes, factory);
      const browser = new Browser(await start(app));
      await browser.get('/count');
      const first = browser.cookie!;
      await sleep(200);
      await browser.get('/count');
      await sleep(200);
      const latest = idIn(await browser.get('/count'));
      assert.ok(latest);
      const res = await request(browser.server, '/count', { headers: { cookie: first } });
      assert.equal(res.body, '4', 'the first id reaches the session through two tombstones');
      assert.equal(idIn(res), latest);
    });

    it(`leaves the old id worth nothing when the session is regenerated within the grace window (${label})`, async () => {
      const { store, factory } = backend();
      const { browser, oldCookie } = await dueSession(sessionApp(express, { ...options, store }, routes, factory));
      await browser.get('/');
      await browser.get('/regenerate');
      const res = await request(browser.server, '/count', { headers: { cookie: oldCookie } });
      assert.equal(res.body, '1', 'regenerate has no grace: the tombstone leads nowhere');
    });

    it(`destroys the renewed session when a request with the old id destroys it within the grace window (${label})`, async () => {
      const { store, factory, read } = backend();
      const { browser, oldCookie } = await dueSession(sessionApp(express, { ...options, store }, routes, factory));
      const renewed = idIn(await browser.get('/'))!;
      await request(browser.server, '/destroy', { headers: { cookie: oldCookie } });
      assert.equal(await read(renewed), undefined);
      assert.equal((await browser.get('/count')).body, '1');
    });

    it(`does not follow a tombstone-like mark the app let a user write into a session (its proof does not verify) (${label})`, async () => {
      const { store, factory } = backend();
      const app = sessionApp(express, { ...options, store }, routes, factory);
      const server = await start(app);
      const victim = new Browser(server);
      await victim.get('/count');
      await victim.get('/count');
      const attacker = new Browser(server);
      await attacker.get('/count');
      await attacker.get(`/forge?to=${sessionIdOf(victim.cookie)}`);
      assert.equal((await attacker.get('/count')).body, '1', 'a fresh session, not the victim\'s (count 3)');
    });

    it(`with a custom genid, makes a second middleware instance that loaded the old session before the first renewed it follow that renewal rather than fork (${label})`, async () => {
      const { store, factory } = backend();
      let made = 0;
      const genid = (): string => `custom-${process.pid}-${Date.now()}-${made++}`;
      // Reads answer 150 ms late: the first request renews (after two reads) at about 300 ms; the
      // second, sent at 225 ms, reads the whole old session (at 225) and then, on its second read
      // (at 375), the first one's tombstone. 75 ms of margin either side.
      const slowOptions = { ...options, store: slowReads(store, 150), genid };
      const { browser, oldCookie } = await dueSession(sessionApp(express, slowOptions, routes, factory));
      const other = await start(sessionApp(express, slowOptions, routes, factory));
      const first = request(browser.server, '/count', { headers: { cookie: oldCookie } });
      await sleep(225);
      const [a, b] = await Promise.all([first, request(other, '/count', { headers: { cookie: oldCookie } })]);
      assert.match(idIn(a) ?? '', /^custom-/);
      assert.equal(idIn(b), idIn(a), 'the second found the tombstone on its second read');
    });

    it(`renews through a custom genid, awaiting its Promise, and coalesces parallel renewals in one process (${label})`, async () => {
      const { store, factory } = backend();
      let made = 0;
      // The first id (a new session) is returned as is: that path awaiting a Promise is item 7's
      // (async genid); the renewals after it get a Promise, resolved a little later.
      const genid = (): string | Promise<string> => {
        const id = `custom-${process.pid}-${Date.now()}-${made++}`;
        return made === 1 ? id : sleep(20).then(() => id);
      };
      const { browser, oldCookie } = await dueSession(sessionApp(express, { ...options, store, genid }, routes, factory));
      const before = made;
      const [a, b] = await Promise.all([0, 1].map(() => request(browser.server, '/count', { headers: { cookie: oldCookie } })));
      assert.match(idIn(a) ?? '', /^custom-/, 'the new id comes from genid');
      assert.equal(idIn(a), idIn(b), 'one renewal for both requests');
      assert.equal(made - before, 1, 'genid was called once');
    });
  }
});

it('starts no renewal and writes no __lifecycle key without renewalTimeout (defaults unchanged)', async () => {
  const store = new session.MemoryStore();
  const app = sessionApp(expressVersions[0].express, { secret: 'keyboard cat', resave: false, saveUninitialized: false, store }, routes);
  const browser = new Browser(await start(app));
  await browser.get('/count');
  const sid = sessionIdOf(browser.cookie)!;
  await sleep(50);
  assert.equal((await browser.get('/')).setCookies.length, 0);
  assert.equal(sessionIdOf(browser.cookie), sid);
  const stored = await new Promise<Record<string, unknown>>((resolve) => store.get(sid, (_err, s) => resolve(s as unknown as Record<string, unknown>)));
  assert.deepEqual(Object.keys(stored).sort(), ['cookie', 'count']);
});
