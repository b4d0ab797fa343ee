import type { Cookie } from './cookie';
import { idTag, log } from './internal/debug';
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
const kSaveListener = Symbol('express-session-ts.session.saveListener');

/**
 * Told by `save()` of the session it is about to write; may throw to fail that save.
 * @internal
 */
export type SaveListener = (session: Session) => void;

/**
 * Set the listener of a session's saves: how the middleware learns what a route's explicit
 * `save()` wrote, so the end of the response does not write it again. Only the middleware that
 * put the session on `req` sets it; nothing else can see it.
 * @internal
 */
export function listenToSaves(session: Session, listener: SaveListener): void {
  session[kSaveListener] = listener;
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
  declare [kSaveListener]: SaveListener | undefined;
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
    this[kSaveListener]?.(this);
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
        // The stored copy takes this session's place on req, and with it who listens to saves.
        if (this[kSaveListener] !== undefined && reloaded instanceof Session) reloaded[kSaveListener] = this[kSaveListener];
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
    delete req.session;
    return callbackOrPromise(this, callback, (done) => {
      callStore(req.sessionStore, 'destroy', [this[kId]], done);
    });
  }

  /**
   * Destroy this session and put a new one, with a new id, on `req.session`. Do it on login and
   * privilege changes, so an id planted before (session fixation) is worth nothing after.
   * With a callback it returns the session; without one, a Promise.
   */
  regenerate(callback: SessionCallback): this;
  regenerate(): Promise<void>;
  regenerate(callback?: SessionCallback): this | Promise<void> {
    const req = this[kReq];
    return callbackOrPromise(this, callback, (done) => {
      const store = req.sessionStore;
      callStore(store, 'regenerate', [req], done, sessionMethod(store, 'regenerate'));
    });
  }
}
