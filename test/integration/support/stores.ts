import type { RequestHandler } from 'express';
import { createClient } from 'redis';
import type sessionTypes = require('../../../src/index');
import { uniqueName } from './services';

type Store = sessionTypes.Store;

/**
 * Our package exactly as third-party stores load it: `node_modules/express-session` is a link
 * to this repository, so this is the build in dist/. Apps in these tests use this copy for the
 * middleware too, so that middleware, Store and Session come from one copy, as in a real install.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const built = require('express-session') as typeof sessionTypes;

/** The middleware factory of {@link built}, in the shape `sessionApp` takes. */
export const builtFactory: (options: sessionTypes.SessionOptions) => RequestHandler = (options) => built(options);

/** A store under test, with what the tests need to look inside it and to clean up after it. */
export interface StoreHandle {
  readonly store: Store;
  /** When the store will forget `sid`, in epoch ms; undefined when it has no such session. */
  expiresAt(sid: string): Promise<number | undefined>;
  /** Remove everything this handle created and close its connections. */
  close(): Promise<void>;
}

/** What the tests use of a node-redis client. */
export interface RedisClient {
  pTTL(key: string): Promise<number>;
  ttl(key: string): Promise<number>;
  exists(key: string): Promise<number>;
  keys(pattern: string): Promise<string[]>;
  del(keys: string[]): Promise<number>;
  destroy(): void;
}

interface RedisStoreOptions {
  client: unknown;
  prefix?: string;
}
type RedisStoreClass = new (options: RedisStoreOptions) => Store & { prefix: string; clear(): Promise<unknown> };

/** connect-redis's CommonJS build, through `require` as a CommonJS app would. */
export function connectRedisCjs(): RedisStoreClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('connect-redis') as { RedisStore: RedisStoreClass }).RedisStore;
}

/** connect-redis's ES module build, which does `import { Store } from "express-session"`. */
export async function connectRedisEsm(): Promise<RedisStoreClass> {
  // A specifier TypeScript does not resolve: it would type-check connect-redis's declarations
  // against dist/ as a second copy of ours. At run time this is a real import().
  const specifier: string = 'connect-redis';
  return ((await import(specifier)) as { RedisStore: RedisStoreClass }).RedisStore;
}

/** A connected client that gives up instead of reconnecting forever when the server goes. */
export async function redisClient(url: string): Promise<RedisClient> {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 3000 } });
  client.on('error', () => {
    // Errors also reach the pending command; without a listener they would crash the process.
  });
  await client.connect();
  return client as unknown as RedisClient;
}

/** A connect-redis store on its own key prefix (test files run in parallel on one Redis). */
export async function openRedisStore(url: string, file: string, RedisStore: RedisStoreClass): Promise<StoreHandle & { client: RedisClient; prefix: string }> {
  const client = await redisClient(url);
  const prefix = `sess-test:${uniqueName(file)}:`;
  const store = manyApps(new RedisStore({ client, prefix }));
  return {
    store,
    client,
    prefix,
    async expiresAt(sid) {
      const ms = await client.pTTL(prefix + sid);
      // -2: no such key; -1: no expiry at all (which a session must never have here).
      if (ms === -2) return undefined;
      if (ms === -1) return Infinity;
      return Date.now() + ms;
    },
    async close() {
      await store.clear();
      client.destroy();
    },
  };
}

interface PgPool {
  query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
}
type PgStoreClass = new (options: {
  pool: PgPool;
  schemaName: string;
  tableName: string;
  createTableIfMissing: boolean;
  pruneSessionInterval: false;
  errorLog?: (...args: unknown[]) => void;
}) => Store & { close(): Promise<void> };

/**
 * A connect-pg-simple store that creates its own table. Each test file gets its own schema as
 * well as its own table: connect-pg-simple's table.sql names the index "IDX_session_expire"
 * whatever the table is called, so two tables created in one schema collide on it.
 */
export async function openPgStore(url: string, file: string): Promise<StoreHandle & { pool: PgPool; table: string }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Pool } = require('pg') as { Pool: new (options: { connectionString: string; max?: number }) => PgPool };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const connectPgSimple = require('connect-pg-simple') as (session: unknown) => PgStoreClass;
  const pool = new Pool({ connectionString: url, max: 4 });
  const schema = uniqueName(file);
  const table = 'sessions';
  await pool.query(`CREATE SCHEMA "${schema}"`);
  const PgStore = connectPgSimple(built);
  const store = manyApps(new PgStore({ pool, schemaName: schema, tableName: table, createTableIfMissing: true, pruneSessionInterval: false }));
  const qualified = `"${schema}"."${table}"`;
  return {
    store,
    pool,
    table: qualified,
    async expiresAt(sid) {
      const { rows } = await pool.query(`SELECT extract(epoch FROM expire) * 1000 AS ms FROM ${qualified} WHERE sid = $1`, [sid]);
      return rows[0] === undefined ? undefined : Number(rows[0].ms);
    },
    async close() {
      await store.close();
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

type MemorystoreClass = new (options?: { checkPeriod?: number }) => Store & {
  stopInterval(): void;
  store: { dump(): Array<{ k: string; e: number }> };
};

/** memorystore, given our module the way its README says: `require('memorystore')(session)`. */
export function openMemorystore(): StoreHandle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const MemoryStore = (require('memorystore') as (session: unknown) => MemorystoreClass)(built);
  const store = manyApps(new MemoryStore({ checkPeriod: 60_000 }));
  return {
    store,
    async expiresAt(sid) {
      // memorystore keeps no API for a key's expiry; its lru-cache's dump() has it (`e`, epoch ms).
      const entry = store.store.dump().find((hit) => hit.k === sid);
      return entry?.e;
    },
    async close() {
      store.stopInterval();
    },
  };
}

/**
 * Every `session()` call listens for the store's connect/disconnect events, as express-session
 * does; the tests build many apps on one store, which would trip Node's leak warning at 11.
 */
function manyApps<T extends Store>(store: T): T {
  store.setMaxListeners(100);
  return store;
}

/** `store.get` as a promise: the stored session, or undefined when there is none. */
export function readStored(store: Store, sid: string): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve, reject) => {
    store.get(sid, (err, stored) => (err ? reject(err) : resolve((stored ?? undefined) as Record<string, unknown> | undefined)));
  });
}
