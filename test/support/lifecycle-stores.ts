import type { RequestHandler } from 'express';
import type session = require('../../src/index');
import { onEachStore as onEachBackend } from './backends';

/** A store the absolute-timeout and renewal tests run on, with the middleware factory that goes with it. */
export interface LifecycleBackend {
  readonly store: session.Store;
  readonly factory: (options: session.SessionOptions) => RequestHandler;
  /** The stored record under `sid`, as the store hands it back. */
  read(sid: string): Promise<Record<string, unknown> | undefined>;
  /** Redis only: the key's remaining TTL in ms (-2 when absent). */
  pttl?(sid: string): Promise<number>;
}

/**
 * {@link onEachBackend} with the store handed over lazily (the Redis one is opened in the suite's
 * `before`), and the Redis key's TTL in ms, which the grace-window tests read.
 */
export function onEachStore(file: string, body: (backend: () => LifecycleBackend) => void): void {
  onEachBackend(file, (backend) => {
    const { redis } = backend;
    body(() => ({
      store: backend.store(),
      factory: backend.factory,
      read: backend.read,
      pttl: redis && ((sid) => redis.client().pTTL(redis.prefix() + sid)),
    }));
  });
}
