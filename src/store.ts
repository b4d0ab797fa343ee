import { EventEmitter } from 'node:events';
import { inherits } from 'node:util';
import type { Request } from 'express';
import { Cookie } from './cookie';
import { parseDate } from './internal/iso-date';
import { callStore } from './internal/store-call';
import { callbackWhenSettled, GENID_REJECTED, isThenable } from './internal/thenable';
import { Session, type SessionRequest } from './session';
import type session = require('./index');

type SessionData = session.SessionData;

/** Node-style callback that only reports an error. */
export type ErrorCallback = (err?: unknown) => void;

/**
 * A session store. Subclass it with `class MyStore extends Store` or the pre-ES2015 way,
 * `function MyStore(opts) { Store.call(this, opts) }` plus `util.inherits(MyStore, Store)`.
 *
 * Required: `get`, `set`, `destroy`. Recommended: `touch` (lets `resave: false` keep sessions
 * alive without rewriting them). Optional: `all`, `length`, `clear`. Each may call its callback,
 * return a Promise, or both; see the "Writing a store" guide.
 *
 * Stores emit `disconnect` when they cannot serve requests (the middleware then runs requests
 * without a session) and `connect` when they can again.
 */
export interface Store extends EventEmitter {
  /** Fetch a session by id: `callback(null, data)`, or `null`/`undefined` (or an ENOENT error) when absent or expired. */
  get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void;
  /** Create or replace a session. */
  set(sid: string, session: SessionData, callback?: ErrorCallback): void;
  /** Delete a session. */
  destroy(sid: string, callback?: ErrorCallback): void;
  /** Every session (an array or an object keyed by id). */
  all?(callback: (err: unknown, sessions?: SessionData[] | Record<string, SessionData> | null) => void): void;
  /** How many sessions there are. */
  length?(callback: (err: unknown, length?: number) => void): void;
  /** Delete every session. */
  clear?(callback?: ErrorCallback): void;
  /** Extend a session's life (its `cookie`) without rewriting the data. */
  touch?(sid: string, session: SessionData, callback?: ErrorCallback): void;

  /** Destroy `req`'s session and generate a new one on `req.session`. */
  regenerate(req: Request, callback: ErrorCallback): void;
  /** Fetch a session by id and turn it into a {@link Session} (not attached to a live request). */
  load(sid: string, callback: (err: unknown, session?: Session & SessionData) => void): void;
  /** Turn stored data into `req.session`, reviving the cookie and its expiry `Date`. */
  createSession(req: Request, session: SessionData): Session & SessionData;
  /**
   * Installed by the middleware: put a brand-new session on `req`. Returns a Promise, settled
   * once the session is there, when the `genid` option returned one; otherwise nothing.
   */
  generate?(req: Request): void | Promise<void>;
}

/** The `Store` value: a constructor that can also be called as `Store.call(this)`. */
export interface StoreConstructor {
  new (...args: unknown[]): Store;
  (this: Store, ...args: unknown[]): void;
  readonly prototype: Store;
}

// A plain function rather than a class: `Store.call(this)` must keep working for stores written
// before ES2015, and class constructors cannot be called without `new`. Named `Store`, as
// express-session's was: code that checks `constructor.name` sees the same.
export const Store = function Store(this: Store): void {
  EventEmitter.call(this);
} as unknown as StoreConstructor;
inherits(Store, EventEmitter);

Store.prototype.regenerate = function regenerate(this: Store, req: Request, callback: ErrorCallback): void {
  callStore(this, 'destroy', [req.sessionID], (err) => {
    if (typeof this.generate !== 'function') {
      callback(new TypeError('store.generate is missing: the store is not attached to a session middleware'));
      return;
    }
    const generated = this.generate(req);
    // A genid that returns a Promise: the new session is on req once the id came.
    if (isThenable(generated)) callbackWhenSettled(generated, (genErr) => callback(genErr ?? err), GENID_REJECTED);
    else callback(err);
  });
};

Store.prototype.load = function load(
  this: Store,
  sid: string,
  callback: (err: unknown, session?: Session & SessionData) => void,
): void {
  callStore(this, 'get', [sid], (err, stored) => {
    if (err) return callback(err);
    // express-session called back with no arguments at all here; keep `arguments.length` at 0.
    if (!stored) return (callback as () => void)();
    const req = { sessionID: sid, sessionStore: this } as unknown as Request;
    let loaded: Session & SessionData;
    try {
      loaded = this.createSession(req, stored as SessionData);
    } catch (createErr) {
      return callback(createErr);
    }
    callback(null, loaded);
  });
};

Store.prototype.createSession = function createSession(
  this: Store,
  req: Request,
  stored: SessionData,
): Session & SessionData {
  const storedCookie = (stored as { cookie?: unknown }).cookie;
  if (storedCookie === null || typeof storedCookie !== 'object') {
    // express-session failed here with the TypeError of reading `cookie.expires`; apps and its
    // test suite expect that error (through next(err)), so keep its wording.
    throw new TypeError(`Cannot read properties of ${String(storedCookie)} (reading 'expires'): the stored session has no cookie`);
  }
  const { expires, originalMaxAge } = storedCookie as { expires?: unknown; originalMaxAge?: number | null };
  const cookie = new Cookie(storedCookie as Record<string, unknown>);
  // Stores hand back JSON, where the expiry is an ISO string; the Cookie needs a Date.
  if (typeof expires === 'string') cookie.expires = new Date(parseDate(expires));
  // Setting expires recomputed originalMaxAge from the time left; the stored one is the truth.
  cookie.originalMaxAge = originalMaxAge;
  (stored as { cookie: Cookie }).cookie = cookie;
  const created = new Session(req as unknown as SessionRequest, stored);
  req.session = created as Session & SessionData;
  return created as Session & SessionData;
};

/** The `Store` methods that make `req.session`: ours must run whenever the store did not write its own. */
type SessionMaking = 'createSession' | 'regenerate' | 'load';

/**
 * Whether `proto` is express-session's abstract `Store.prototype`, from whichever copy: a
 * function named `Store` directly on `EventEmitter`, with the session-making methods and none
 * of a concrete store's (`get`, `set`). That holds for express-session 1.x and for any copy of
 * this package, and not for a store class, even one that extends `EventEmitter` itself.
 */
function isAbstractStoreBase(proto: object): boolean {
  const owned = (key: string): boolean => Object.prototype.hasOwnProperty.call(proto, key);
  const ctor = (proto as { constructor?: unknown }).constructor;
  return owned('constructor') && typeof ctor === 'function' && ctor.name === 'Store' &&
    owned('createSession') && owned('regenerate') && owned('load') && !owned('get') && !owned('set');
}

/**
 * `store[name]`, unless the store only inherits it from another copy's abstract `Store` (npm
 * installs express-session 1.19.0 beside us as the peer of connect-redis and others, and their
 * class extends that one): then ours, so that `req.session` is always this package's `Session`
 * with its promise forms. A store, or a class between it and the base, that defines the method
 * itself keeps it.
 */
export function sessionMethod(store: object, name: SessionMaking): unknown {
  const method = (store as Record<string, unknown>)[name];
  for (let proto = Object.getPrototypeOf(store) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    if (proto === Store.prototype) return method;
    if (Object.getPrototypeOf(proto) === EventEmitter.prototype) {
      return isAbstractStoreBase(proto) && (proto as Record<string, unknown>)[name] === method ? Store.prototype[name] : method;
    }
  }
  return method;
}

/** `store.createSession(req, stored)`, through {@link sessionMethod}. */
export function createSessionOn(store: Store, req: Request, stored: SessionData): Session & SessionData {
  const createSession = sessionMethod(store, 'createSession');
  // express-session's own wording, for a store that has no createSession at all.
  if (typeof createSession !== 'function') throw new TypeError('store.createSession is not a function');
  return (createSession as Store['createSession']).call(store, req, stored);
}
