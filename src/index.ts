import type { RequestHandler } from 'express';
import * as cookieModule from './cookie';
import * as memoryStoreModule from './memory-store';
import { createSessionMiddleware } from './middleware';
import * as optionsModule from './options';
import * as sessionModule from './session';
import * as storeModule from './store';

/**
 * Create the session middleware.
 *
 * ```js
 * const session = require('express-session-ts');
 * app.use(session({ secret: 'keyboard cat', resave: false, saveUninitialized: false }));
 * ```
 *
 * It reads the signed session ID cookie, loads the session from the store onto `req.session`,
 * and at the end of the response saves, touches or destroys it and sets the cookie, according
 * to `resave`, `saveUninitialized`, `rolling` and `unset`.
 *
 * @throws TypeError for a `genid` that is not a function, an `unset` other than 'keep' or
 * 'destroy', an empty `secret` array or a `secret` that cannot key an HMAC.
 */
function session(options?: session.SessionOptions): RequestHandler {
  return createSessionMiddleware(options);
}

// `export =` with a merged namespace: `require()` returns the factory itself, with the classes as
// properties, exactly like express-session; and the types below stay open to
// `declare module 'express-session' { interface SessionData { ... } }`.
namespace session {
  /**
   * The shape of `req.session`'s data. Declare your fields by augmenting it:
   * `declare module 'express-session' { interface SessionData { views: number } }`
   * (or `'express-session-ts'` when installed under its own name).
   */
  export interface SessionData {
    cookie: SessionCookie;
  }

  /**
   * The cookie as {@link SessionData} holds it: what stores are handed and hand back, which is
   * often a plain object (parsed JSON, or `{ originalMaxAge: null, expires }` in a store's tests)
   * rather than a {@link Cookie}. Only `originalMaxAge` is required, as with
   * `@types/express-session`; a `Cookie` fits it. On `req.session` the cookie is always a full
   * `Cookie`, since {@link Session} declares it so.
   */
  export interface SessionCookie {
    /** The lifetime in ms the cookie was created with; `null` for a browser-session cookie. */
    originalMaxAge: number | null | undefined;
    /** Milliseconds left until expiry; `null` for a browser-session cookie. */
    maxAge?: number | null | undefined;
    /** Absolute expiry; `null` or absent for a browser-session cookie. */
    expires?: Date | null | undefined;
    signed?: boolean | undefined;
    httpOnly?: boolean | undefined;
    path?: string | undefined;
    domain?: string | undefined;
    secure?: boolean | 'auto' | undefined;
    sameSite?: SameSiteOption | undefined;
    partitioned?: boolean | undefined;
    priority?: 'low' | 'medium' | 'high' | undefined;
  }

  export type SessionOptions = optionsModule.SessionOptions;
  export type CookieOptions = cookieModule.CookieOptions;
  export type SameSiteOption = cookieModule.SameSiteOption;
  export type CookieData = cookieModule.CookieData;
  export type MemoryStoreOptions = memoryStoreModule.MemoryStoreOptions;
  export type SessionCallback = sessionModule.SessionCallback;
  export type RegenerateOptions = sessionModule.RegenerateOptions;
  export type StoreConstructor = storeModule.StoreConstructor;
  export type ErrorCallback = storeModule.ErrorCallback;

  export import Store = storeModule.Store;
  export import MemoryStore = memoryStoreModule.MemoryStore;
  export import Session = sessionModule.Session;
  export import Cookie = cookieModule.Cookie;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The session: its data and methods. Present after the middleware ran (unless skipped). */
      session: session.Session & Partial<session.SessionData>;
      /** The session's ID. */
      sessionID: string;
      /** The store the session middleware uses. */
      sessionStore: session.Store;
    }
  }
}

export = session;
