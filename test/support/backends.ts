import type { RequestHandler } from 'express';
import { after, before, describe } from 'node:test';
import session = require('../../src/index');
import { service } from '../integration/support/services';
import { builtFactory, connectRedisCjs, openRedisStore, readStored, type RedisClient } from '../integration/support/stores';

type Store = session.Store;

/** One store a lifecycle option is pinned on, with the middleware copy that belongs with it. */
export interface Backend {
  readonly label: string;
  /** The middleware factory: the sources for MemoryStore, the build connect-redis extends for Redis. */
  readonly factory: (options: session.SessionOptions) => RequestHandler;
  /** The store (opened in the suite's `before`). */
  store(): Store;
  /** The stored session, or undefined when the store has none under `sid`. */
  read(sid: string): Promise<Record<string, unknown> | undefined>;
  /** Redis only: the client and the key prefix, to look at the keys themselves. */
  readonly redis?: { client(): RedisClient; prefix(): string };
}

const redis = service('REDIS_URL', 'the connect-redis cases of the session lifecycle options');

/**
 * `body` once on our MemoryStore and once on connect-redis over the real Redis (skipped with a
 * message when REDIS_URL is unset, failing when it is set and Redis does not answer).
 */
export function onEachStore(file: string, body: (backend: Backend) => void): void {
  describe('on MemoryStore', () => {
    const store = new session.MemoryStore();
    store.setMaxListeners(100);
    body({ label: 'MemoryStore', factory: session, store: () => store, read: (sid) => readStored(store, sid) });
  });

  describe('on connect-redis with a real Redis', { skip: redis.skip }, () => {
    let handle: Awaited<ReturnType<typeof openRedisStore>>;
    before(async () => {
      await redis.assertReachable();
      handle = await openRedisStore(redis.url!, file, connectRedisCjs());
    });
    after(() => handle?.close());
    body({
      label: 'connect-redis',
      factory: builtFactory,
      store: () => handle.store,
      read: (sid) => readStored(handle.store, sid),
      redis: { client: () => handle.client, prefix: () => handle.prefix },
    });
  });
}
