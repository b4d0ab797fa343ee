import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import session = require('../src/index');
import { testStore } from '../src/store-tests';
import { service } from './integration/support/services';
import { connectRedisCjs, connectRedisEsm, openMemorystore, openPgStore, openRedisStore, type StoreHandle } from './integration/support/stores';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PromiseMapStore } = require('../examples/stores/promise-store.js') as { PromiseMapStore: new () => session.Store };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FileStore } = require('../examples/stores/callback-store.js') as { FileStore: new (options: { dir: string }) => session.Store };

const redis = service('REDIS_URL', 'the kit on connect-redis');
const postgres = service('DATABASE_URL', 'the kit on connect-pg-simple');

/** `testStore` options for a store behind a StoreHandle: open it lazily, close it after. */
function fromHandle(open: () => Promise<StoreHandle>) {
  let handle: StoreHandle | undefined;
  return {
    create: async () => (handle = await open()).store,
    cleanup: async () => handle?.close(),
  };
}

// Each store's suite runs its tests in order; the stores run side by side, since the expiry
// tests spend most of their time waiting.
describe('the store conformance kit', { concurrency: true }, () => {
  testStore('MemoryStore', () => new session.MemoryStore());

  testStore('examples/stores/promise-store.js (PromiseMapStore)', () => new PromiseMapStore());

  const dir = mkdtempSync(join(tmpdir(), 'session-file-store-'));
  testStore('examples/stores/callback-store.js (FileStore)', () => new FileStore({ dir }), {
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  });

  const memorystore = fromHandle(async () => openMemorystore());
  testStore('memorystore', memorystore.create, { cleanup: memorystore.cleanup });

  describe('connect-redis', { skip: redis.skip }, () => {
    for (const [build, load] of [['CommonJS', async () => connectRedisCjs()], ['ESM', connectRedisEsm]] as const) {
      const redisStore = fromHandle(async () => {
        await redis.assertReachable();
        return openRedisStore(redis.url!, `store-tests ${build}`, await load());
      });
      testStore(`connect-redis (${build} build)`, redisStore.create, { cleanup: redisStore.cleanup });
    }
  });

  const pgStore = fromHandle(async () => {
    await postgres.assertReachable();
    return openPgStore(postgres.url!, 'store-tests');
  });
  testStore('connect-pg-simple', pgStore.create, { cleanup: pgStore.cleanup, skip: postgres.skip });
});

const run = promisify(execFile);
const brokenFixture = join(__dirname, 'fixtures', 'kit-on-broken-store.js');

/** Run the kit in a child `node --test` against the fixture store with one defect. */
async function kitOn(broken: string): Promise<{ code: number; failed: string[]; output: string }> {
  // Without NODE_TEST_CONTEXT the child is a test run of its own (with it, it would report to
  // this runner's protocol instead of printing TAP and setting its exit code).
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const result = await run(process.execPath, ['--test', '--test-reporter=tap', brokenFixture], {
    cwd: join(__dirname, '..'),
    env: { ...env, BROKEN: broken },
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
  );
  const failed = [...result.stdout.matchAll(/^\s*not ok \d+ - (.*)$/gm)]
    .map((match) => match[1]!)
    .filter((test) => !test.startsWith('MapStore'));
  return { code: result.code, failed, output: result.stdout };
}

describe('the store conformance kit catches broken stores', { concurrency: true }, () => {
  it('passes the healthy control store, loaded through express-session-ts/store-tests', async () => {
    const { code, failed, output } = await kitOn('none');
    assert.deepEqual(failed, []);
    assert.equal(code, 0, output);
  });

  const defects: Array<[defect: string, failing: string[]]> = [
    ['loses cookie.expires', ['returns a stored session as its JSON: every field, cookie attributes, originalMaxAge and expires']],
    ['ignores expiry', ['no longer finds a session once its cookie.expires has passed']],
    ['returns its own object', ['hands out copies: changing what set() was given or what get() returned changes nothing stored']],
    ['fails to destroy an unknown id', ['destroys a session, and destroying an unknown id is not an error (regenerate() relies on it)']],
    ['writes data on touch', [
      'touch() does not write the data it is given: a concurrent save is not undone',
      'touch() of a destroyed session neither fails nor brings it back',
    ]],
  ];
  for (const [defect, failing] of defects) {
    it(`fails exactly the tests for a store that ${defect}`, async () => {
      const { code, failed, output } = await kitOn(defect);
      assert.notEqual(code, 0, 'node --test exits non-zero');
      assert.deepEqual(failed.sort(), [...failing].sort(), output);
    });
  }

  it('fails, instead of hanging, on a store whose set() never answers', async () => {
    const { code, failed, output } = await kitOn('never answers set');
    assert.notEqual(code, 0);
    assert.ok(failed.includes('returns a stored session as its JSON: every field, cookie attributes, originalMaxAge and expires'), output);
    assert.match(output, /store\.set\(\) did not call back or settle its promise within 500 ms/);
  });
});
