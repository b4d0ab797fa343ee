// The conformance kit's handle on the store under test: store calls with a deadline, and
// sessions shaped the way the middleware hands them to the store.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Cookie, type CookieOptions } from '../../cookie';
import { Session } from '../../session';
import type { Store } from '../../store';
import { callStore } from '../store-call';

/** The session shape the kit stores: its fields, plus the cookie the middleware always adds. */
export type Stored = Record<string, unknown> & { cookie?: unknown };

/** Store methods a store may leave out; the checks that need one skip without it. */
export type OptionalMethod = 'touch' | 'all' | 'length' | 'clear';

/** An hour: long enough that no session the kit stores expires during the run by accident. */
const HOUR = 3_600_000;

/** An id shaped like the middleware's (24 random bytes, base64url: letters, digits, '-', '_'). */
export function sessionId(tag: string): string {
  return `${tag}-${randomBytes(18).toString('base64url')}`;
}

/** What the checks use to talk to the store; made once per suite by {@link storeClient}. */
export interface StoreClient {
  /** One store call, answered by callback, promise or both, failing after the deadline. */
  call<T>(method: string, ...args: unknown[]): Promise<T | undefined>;
  /** `get`, with every form of "not found" (`null`, `undefined`, ENOENT) as `undefined`. */
  get(sid: string): Promise<Stored | undefined>;
  set(sid: string, session: object): Promise<void>;
  destroy(sid: string): Promise<void>;
  /**
   * A session as the middleware hands it to `set` and `touch`: a {@link Session} with a
   * {@link Cookie}, so stores that read `cookie.maxAge` or `cookie.expires` see what they will
   * see in production. The cookie lives an hour unless `cookie` says otherwise.
   */
  session(sid: string, data: Record<string, unknown>, cookie?: CookieOptions): Session & Stored;
  /** A session with a distinct marker (its id) and an hour to live, stored under a fresh id. */
  stored(tag: string, data?: Record<string, unknown>): Promise<{ sid: string; session: Session & Stored }>;
  /** Whether the store has `method`. */
  has(method: string): boolean;
  /** Skip the running test, saying why, when the store lacks an optional method. */
  needs(t: TestContext, method: OptionalMethod): boolean;
}

/**
 * @param theStore gives the store once the suite's `before` hook has made it.
 * @param timeout how long one store call may take, in ms.
 */
export function storeClient(theStore: () => Store, timeout: number): StoreClient {
  const has = (method: string): boolean => typeof (theStore() as unknown as Record<string, unknown>)[method] === 'function';

  // A method that neither calls back nor settles its promise would otherwise hang the run.
  const call = <T>(method: string, ...args: unknown[]): Promise<T | undefined> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`store.${method}() did not call back or settle its promise within ${timeout} ms`));
      }, timeout);
      callStore<T>(theStore(), method, args, (err, value) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value);
      });
    });

  const client: StoreClient = {
    call,
    has,
    async get(sid) {
      try {
        return (await call<Stored | null>('get', sid)) ?? undefined;
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async set(sid, session) {
      await call('set', sid, session);
    },
    async destroy(sid) {
      await call('destroy', sid);
    },
    session(sid, data, cookie = { maxAge: HOUR }) {
      const session = new Session({ sessionID: sid, sessionStore: theStore() }, data);
      session.cookie = new Cookie(cookie);
      return session as Session & Stored;
    },
    async stored(tag, data = {}) {
      const sid = sessionId(tag);
      const session = client.session(sid, { marker: sid, ...data });
      await client.set(sid, session);
      return { sid, session };
    },
    needs(t, method) {
      if (has(method)) return true;
      t.skip(`the store has no ${method}() (optional)`);
      return false;
    },
  };
  return client;
}
