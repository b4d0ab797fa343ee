import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultRoutes, expressVersions, sessionApp, start } from '../support/apps';
import { Browser } from '../support/http';
import { onEachStore } from '../support/lifecycle-stores';
import { sessionIdOf } from '../support/stores';

/** Sleep until `time` (epoch ms): timeouts are the behaviour under test, so some waiting is inherent. */
async function until(time: number): Promise<void> {
  const left = time - Date.now();
  if (left > 0) await sleep(left);
}

const options = { secret: 'keyboard cat', resave: false, saveUninitialized: false } as const;

onEachStore('absolute-timeout', (backend) => {
  for (const { label, express } of expressVersions) {
    it(`destroys an active rolling session once absoluteTimeout has passed since its creation and starts a fresh one (${label})`, async () => {
      const { store, factory, read } = backend();
      const app = sessionApp(express, { ...options, store, rolling: true, cookie: { maxAge: 60_000 }, absoluteTimeout: 600 }, defaultRoutes, factory);
      const browser = new Browser(await start(app));
      const before = Date.now();
      assert.equal((await browser.get('/count')).body, '1');
      const first = sessionIdOf(browser.cookie)!;
      await sleep(150);
      const active = await browser.get('/count');
      assert.equal(active.body, '2', 'still the same session while active');
      assert.ok(active.setCookies.length === 1, 'rolling re-sends the cookie (it extends maxAge, not the absolute limit)');
      await until(before + 700);
      assert.equal((await browser.get('/count')).body, '1', 'a fresh session after the absolute timeout');
      assert.notEqual(sessionIdOf(browser.cookie), first, 'under a new id');
      assert.equal(await read(first), undefined, 'the old session is destroyed in the store');
    });

    it(`stamps __lifecycle.created when the session is generated and keeps it across requests, through the store (${label})`, async () => {
      const { store, factory, read } = backend();
      const app = sessionApp(express, { ...options, store, absoluteTimeout: 60_000 }, defaultRoutes, factory);
      const browser = new Browser(await start(app));
      const before = Date.now();
      await browser.get('/count');
      const sid = sessionIdOf(browser.cookie)!;
      const stamp = (await read(sid))?.['__lifecycle'] as { created: number; idIssued: number };
      assert.ok(stamp.created >= before && stamp.created <= Date.now(), `created ${stamp.created}`);
      assert.equal(stamp.idIssued, stamp.created);
      await browser.get('/count');
      assert.deepEqual((await read(sid))?.['__lifecycle'], stamp, 'the stamp round-trips unchanged');
    });

    it(`stamps a session stored before absoluteTimeout was enabled at its first request under the option, and persists the stamp even when nothing else changed (${label})`, async () => {
      const { store, factory, read } = backend();
      const without = new Browser(await start(sessionApp(express, { ...options, store }, defaultRoutes, factory)));
      await without.get('/count');
      const sid = sessionIdOf(without.cookie)!;
      assert.equal((await read(sid))?.['__lifecycle'], undefined);
      const withOption = await start(sessionApp(express, { ...options, store, absoluteTimeout: 60_000 }, defaultRoutes, factory));
      const browser = new Browser(withOption);
      browser.cookie = without.cookie;
      const before = Date.now();
      await browser.get('/');
      const stamp = (await read(sid))?.['__lifecycle'] as { created: number } | undefined;
      assert.ok(stamp && stamp.created >= before, 'the first request under the option stamped and saved it');
      assert.equal((await browser.get('/count')).body, '2', 'the data is kept');
    });

    it(`keeps created across an id renewal, so absoluteTimeout still counts from the first request (${label})`, async () => {
      const { store, factory, read } = backend();
      const app = sessionApp(express, { ...options, store, absoluteTimeout: 900, renewalTimeout: 200, renewalGrace: 200 }, defaultRoutes, factory);
      const browser = new Browser(await start(app));
      const before = Date.now();
      await browser.get('/count');
      const first = sessionIdOf(browser.cookie)!;
      const created = ((await read(first))?.['__lifecycle'] as { created: number }).created;
      await sleep(300);
      assert.equal((await browser.get('/count')).body, '2');
      const renewed = sessionIdOf(browser.cookie)!;
      assert.notEqual(renewed, first, 'renewed');
      assert.equal(((await read(renewed))?.['__lifecycle'] as { created: number }).created, created);
      await until(before + 1_000);
      assert.equal((await browser.get('/count')).body, '1', 'the renewed session still expires absolutely');
    });

    it(`writes no __lifecycle key when neither absoluteTimeout nor renewalTimeout is set (${label})`, async () => {
      const { store, factory, read } = backend();
      const browser = new Browser(await start(sessionApp(express, { ...options, store, rolling: true }, defaultRoutes, factory)));
      await browser.get('/count');
      await browser.get('/count');
      const stored = await read(sessionIdOf(browser.cookie)!);
      assert.equal(stored?.['count'], 2);
      assert.deepEqual(Object.keys(stored!).sort(), ['cookie', 'count']);
    });
  }
});
