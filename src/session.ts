import type { Cookie } from './cookie';
import { idTag, log } from './internal/debug';
import { moveSessionData } from './internal/keep-data';
import { callStore } from './internal/store-call';
import { createSessionOn, sessionMethod, type Store } from './store';

/** Callback of the session methods: receives the error, if any. */
export type SessionCallback = (err?: unknown) => void;

/** The request fields a session reads; Express's `Request` has them all once the middleware ran. */
export interface SessionRequest {
  sessionID: string;
  sessionStore: Store;
  session?: unknown;
}

function noop(): void {}

// Symbol keys rather than `#private` fields: `#private` reaches the .d.ts, which then fails to
// compile under TypeScript's default ES5 target (TS18028). Symbols stay out of JSON.stringify,
// for...in and Object.keys, and no stored key (always a string) can collide with them.
const kReq = Symbol('express-session-ts.session.req');
const kId = Symbol('express-session-ts.session.id');
const kListener = Symbol('express-session-ts.session.listener');

/**
 * Told by a session what the route does with it.
 * @internal
 */
export interface SessionListener {
  /** `save()` is about to write `session`; may throw to fail that save. */
  saving(session: Session): void;
  /** `destroy()` was called on `session`. */
  destroying(session: Session): void;
}

/**
 * Set the listener of a session: how the middleware learns what a route's explicit `save()`
 * wrote (so the end of the response does not write it again) and that it called `destroy()`.
 * Only the middleware that put the session on `req` sets it; nothing else can see it. A session
 * that takes this one's place on `req` (`reload()`, `regenerate()`) takes its listener too.
 * @internal
 */
export function listenToSession(session: Session, listener: SessionListener): void {
  session[kListener] = listener;
}

/** Options of {@link Session.regenerate}. */
export interface RegenerateOptions {
  /**
   * `true`: the new session (new id) gets this session's data and a copy of its cookie (same
   * attributes, expiry and `originalMaxAge`), and the old id is destroyed in the store before the
   * callback runs or the Promise settles. Only `true` keeps the data; default `false`, an empty
   * session as with a plain `regenerate()`.
   */
  keepData?: boolean | undefined;
}

/**
 * Run `operation` with a callback: hand back `self` when the caller gave one (the callback form
 * express-session had), or a Promise otherwise. That promise already has a handler attached, so
 * an unawaited `req.session.save()` stays fire-and-forget as in express-session instead of
 * becoming an unhandled rejection; awaiting it still sees the error.
 */
function callbackOrPromise<S>(
  self: S,
  callback: SessionCallback | undefined,
  operation: (done: SessionCallback) => void,
): S | Promise<void> {
  if (typeof callback === 'function') {
    operation(callback);
    return self;
  }
  const promise = new Promise<void>((resolve, reject) => {
    operation((err) => (err ? reject(err) : resolve()));
  });
  promise.catch(noop);
  return promise;
}

/**
 * `req.session`: the session's data as own enumerable properties, plus `cookie`.
 *
 * `id`, `req` and the methods live off the data (symbol-keyed fields and the prototype), so
 * `JSON.stringify(req.session)` is exactly what a store persists, and a stored key named like a
 * method (say `save`) can never replace it.
 */
export class Session {
  /** @internal */
  declare readonly [kReq]: SessionRequest;
  /** @internal */
  declare readonly [kId]: string;
  /** @internal */
  declare [kListener]: SessionListener | undefined;
  /** The session cookie. */
  declare cookie: Cookie;

  /**
   * @param req the request the session belongs to; its `sessionID` becomes the session's id.
   * @param data stored data to copy in; keys that name a method or `id`/`req` are skipped.
   */
  constructor(req: SessionRequest, data?: object | null) {
    this[kReq] = req;
    this[kId] = req.sessionID;
    if (typeof data === 'object' && data !== null) {
      const target = this as unknown as Record<string, unknown>;
      for (const key in data) {
        if (!(key in this)) target[key] = (data as Record<string, unknown>)[key];
      }
    }
  }

  /** The session ID (read-only; `regenerate()` makes a new session with a new id). */
  get id(): string {
    return this[kId];
  }

  /** The request this session was loaded for. */
  get req(): SessionRequest {
    return this[kReq];
  }

  /** Reset the cookie's `maxAge` to its original value; the middleware calls it on every response. */
  touch(): this {
    return this.resetMaxAge();
  }

  /** Reset `cookie.maxAge` to `cookie.originalMaxAge`. */
  resetMaxAge(): this {
    this.cookie.maxAge = this.cookie.originalMaxAge;
    return this;
  }

  /**
   * Write the session to the store now. The middleware also saves at the end of the response
   * when the data changed, so this is only needed before a redirect or a long-lived response.
   * With a callback it returns the session; without one, a Promise.
   */
  save(callback: SessionCallback): this;
  save(): Promise<void>;
  save(callback?: SessionCallback): this | Promise<void> {
    const req = this[kReq];
    if (log.enabled) log('saving %s', idTag(this[kId]));
    this[kListener]?.saving(this);
    return callbackOrPromise(this, callback, (done) => {
      callStore(req.sessionStore, 'set', [this[kId], this], done);
    });
  }

  /**
   * Replace `req.session` with the stored copy (cookie included). Fails with
   * "failed to load session" when the store no longer has it.
   * With a callback it returns the session; without one, a Promise.
   */
  reload(callback: SessionCallback): this;
  reload(): Promise<void>;
  reload(callback?: SessionCallback): this | Promise<void> {
    const req = this[kReq];
    const store = req.sessionStore;
    if (log.enabled) log('reloading %s', idTag(this[kId]));
    return callbackOrPromise(this, callback, (done) => {
      callStore(store, 'get', [this[kId]], (err, stored) => {
        if (err) return done(err);
        if (!stored) return done(new Error('failed to load session'));
        let reloaded: unknown;
        try {
          reloaded = createSessionOn(store, req as never, stored as never);
        } catch (createErr) {
          return done(createErr);
        }
        // The stored copy takes this session's place on req, and with it who listens.
        if (this[kListener] !== undefined && reloaded instanceof Session) reloaded[kListener] = this[kListener];
        done();
      });
    });
  }

  /**
   * Remove `req.session` and delete the session from the store. The cookie stays in the browser;
   * its id simply finds nothing next time.
   * With a callback it returns the session; without one, a Promise.
   */
  destroy(callback: SessionCallback): this;
  destroy(): Promise<void>;
  destroy(callback?: SessionCallback): this | Promise<void> {
    const req = this[kReq];
    this[kListener]?.destroying(this);
    delete req.session;
    return callbackOrPromise(this, callback, (done) => {
      callStore(req.sessionStore, 'destroy', [this[kId]], done);
    });
  }

  /**
   * Destroy this session and put a new one, with a new id, on `req.session`. Do it on login and
   * privilege changes, so an id planted before (session fixation) is worth nothing after.
   * With a callback it returns the session; without one, a Promise.
   *
   * With `{ keepData: true }` the new session holds this one's data and a copy of its cookie: the
   * id changes, nothing else. The old id is destroyed in the store all the same, before the
   * callback runs (or the Promise settles), and the new session is saved and its cookie sent at
   * the end of the response, whatever `saveUninitialized` and `resave` say. When the store fails
   * to destroy the old id, the callback gets that error and the new session is left empty.
   *
   * ```js
   * await req.session.regenerate({ keepData: true }); // a login that keeps the cart
   * req.session.user = user.id;
   * ```
   */
  regenerate(callback: SessionCallback): this;
  regenerate(options: RegenerateOptions, callback: SessionCallback): this;
  regenerate(options?: RegenerateOptions): Promise<void>;
  regenerate(optionsOrCallback?: RegenerateOptions | SessionCallback, callback?: SessionCallback): this | Promise<void> {
    const req = this[kReq];
    const keepData = typeof optionsOrCallback === 'object' && optionsOrCallback !== null && optionsOrCallback.keepData === true;
    const given = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback;
    return callbackOrPromise(this, given, (done) => {
      const store = req.sessionStore;
      callStore(store, 'regenerate', [req], (err) => {
        const successor = req.session;
        const replaced = typeof successor === 'object' && successor !== null && successor !== this;
        // The new session takes this one's place on req, and with it who listens.
        if (replaced && successor instanceof Session && this[kListener] !== undefined) successor[kListener] = this[kListener];
        if (keepData && !err) {
          if (replaced) moveSessionData(this, successor);
          else err = new Error('regenerate({ keepData: true }): the store put no new session on req');
        }
        done(err);
      }, sessionMethod(store, 'regenerate'));
    });
  }
}
