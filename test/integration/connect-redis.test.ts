import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultRoutes, expressVersions, sessionApp, start } from '../support/apps';
import { Browser } from '../support/http';
import { sessionIdOf } from '../support/stores';
import { coreFlow } from './support/core-flow';
import { service } from './support/services';
import { built, builtFactory, connectRedisCjs, connectRedisEsm, openRedisStore, readStored } from './support/stores';
import { waitFor } from '../support/wait';

const redis = service('REDIS_URL', 'the connect-redis tests');

const builds = [
  { build: 'CommonJS build, through require()', load: async () => connectRedisCjs() },
  { build: 'ES module build, through import()', load: connectRedisEsm },
] as const;

describe('connect-redis on a real Redis', { skip: redis.skip }, () => {
  it('loads two distinct builds, both subclasses of our Store (the ESM one imports { Store } by name)', async () => {
    const cjs = connectRedisCjs();
    const esm = await connectRedisEsm();
    assert.notEqual(esm, cjs, 'import() must give the ES module build, not the CommonJS one again');
    assert.ok(cjs.prototype instanceof built.Store);
    assert.ok(esm.prototype instanceof built.Store);
  });

  for (const { build, load } of builds) {
    describe(build, () => {
      let handle: Awaited<ReturnType<typeof openRedisStore>>;
      before(async () => {
        await redis.assertReachable();
        handle = await openRedisStore(redis.url!, `connect-redis ${build}`, await load());
      });
      after(() => handle?.close());

      coreFlow(() => handle);

      for (const { label, express } of expressVersions) {
        it(`sets the key's Redis TTL from cookie.maxAge (${label})`, async () => {
          const app = sessionApp(express, { secret: 's', store: handle.store, resave: false, saveUninitialized: false, cookie: { maxAge: 30_000 } }, defaultRoutes, builtFactory);
          const browser = new Browser(await start(app));
          await browser.get('/count');
          const ttl = await handle.client.ttl(handle.prefix + sessionIdOf(browser.cookie)!);
          assert.ok(ttl > 25 && ttl <= 30, `TTL ${ttl} s for a 30 s cookie`);
        });

        it(`an expired session is gone from Redis and its cookie gets a new session (${label})`, async () => {
          const app = sessionApp(express, { secret: 's', store: handle.store, resave: false, saveUninitialized: false, cookie: { maxAge: 1_000 } }, defaultRoutes, builtFactory);
          const server = await start(app);
          const browser = new Browser(server);
          assert.equal((await browser.get('/count')).body, '1');
          assert.equal((await browser.get('/count')).body, '2');
          const sid = sessionIdOf(browser.cookie)!;
          // Redis expires keys with second granularity: a 1 s cookie lives at most 1 s there.
          await waitFor(async () => (await readStored(handle.store, sid)) === undefined, { timeout: 2_500, message: 'the key to expire' });
          const stale = browser.cookie;
          assert.equal((await browser.get('/count')).body, '1', 'the count starts again');
          assert.notEqual(browser.cookie, stale, 'a new session id');
        });
      }
    });
  }
});
