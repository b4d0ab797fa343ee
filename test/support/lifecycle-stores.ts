import type { RequestHandler } from 'express';
import { after, before, describe } from 'node:test';
import session = require('../../src/index');
import { service } from '../integration/support/services';
import { builtFactory, connectRedisCjs, openRedisStore, readStored } from '../integration/support/stores';

/** A store the lifecycle tests run on, with the middleware factory that goes with it. */
export interface LifecycleBackend {
  readonly store: session.Store;
  readonly factory: (options: session.SessionOptions) => RequestHandler;
  /** The stored record under `sid`, as the store hands it back. */
  read(sid: string): Promise<Record<string, unknown> | undefined>;
  /** Redis only: the key's remaining TTL in ms (-2 when absent). */
  pttl?(sid: string): Promise<number>;
}

const redis = service('REDIS_URL', 'the lifecycle tests on connect-redis');

/**
 * Run `body` once on MemoryStore (the sources) and once on connect-redis over the real Redis
 * (the build, which connect-redis extends), so every lifecycle rule is pinned through a store
 * that keeps sessions as JSON with second-granular TTLs.
 */
export function onEachStore(file: string, body: (backend: () => LifecycleBackend) => void): void {
  describe('on MemoryStore', () => {
    const store = new session.MemoryStore();
    store.setMaxListeners(100); // every app of the file listens to the one store
    body(() => ({ store, factory: session, read: (sid) => readStored(store, sid) }));
  });
  describe('on connect-redis with a real Redis', { skip: redis.skip }, () => {
    let handle: Awaited<ReturnType<typeof openRedisStore>>;
    before(async () => {
      await redis.assertReachable();
      handle = await openRedisStore(redis.url!, file, connectRedisCjs());
    });
    after(() => handle?.close());
    body(() => ({
      store: handle.store,
      factory: builtFactory,
      read: (sid) => readStored(handle.store, sid),
      pttl: (sid) => handle.client.pTTL(handle.prefix + sid),
    }));
  });
}
