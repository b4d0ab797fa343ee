import { serialize } from 'cookie';
import { deprecate } from './internal/deprecate';

/** Values of the SameSite attribute; `'auto'` is resolved per request by the middleware. */
export type SameSiteOption = boolean | 'lax' | 'strict' | 'none' | 'auto';

/**
 * Options for the session ID cookie (`session({ cookie })`). Unset attributes are left out of
 * the Set-Cookie header. Defaults: `{ path: '/', httpOnly: true, maxAge: null }`, a browser-session
 * cookie.
 */
export interface CookieOptions {
  /**
   * Lifetime in milliseconds, counted from each touch (every response that reaches the
   * middleware). Sets `Expires` on the cookie; `null` (the default) makes a browser-session
   * cookie. When both `maxAge` and `expires` are given, the last one listed wins. A string
   * (`'1h'`, even `'60000'`) makes `session()` throw: pass `60 * 60 * 1000`.
   */
  maxAge?: number | null | undefined;
  /**
   * Fixed expiry date, a `Date` (a date string makes `session()` throw). Prefer `maxAge`: an
   * `expires` date does not roll forward on touch.
   */
  expires?: Date | null | undefined;
  /** Adds `Partitioned` (CHIPS) when truthy. Default: not set. */
  partitioned?: boolean | undefined;
  /** `Priority` attribute. Default: not set. */
  priority?: 'low' | 'medium' | 'high' | undefined;
  /** Accepted for compatibility with `@types/express-session`; the session cookie is always signed. */
  signed?: boolean | undefined;
  /** `HttpOnly` attribute. Default: `true`. */
  httpOnly?: boolean | undefined;
  /**
   * `Path` attribute, default `'/'`. The middleware also does nothing for requests whose path is
   * not inside it (RFC 6265 path-match).
   */
  path?: string | undefined;
  /** `Domain` attribute. Default: not set (host-only cookie). */
  domain?: string | undefined;
  /**
   * `Secure` attribute. Default: not set. `'auto'` sets it on secure connections only (TLS, or
   * `X-Forwarded-Proto: https` from a trusted proxy, see the `proxy` option). A secure cookie is
   * never sent over an insecure connection (`DEBUG=express-session` says so: behind a
   * TLS-terminating proxy, set Express's `trust proxy` or the `proxy` option).
   */
  secure?: boolean | 'auto' | undefined;
  /** Accepted for compatibility with `@types/express-session`; not used for the session cookie. */
  encode?: ((val: string) => string) | undefined;
  /**
   * `SameSite` attribute: `true` means Strict. Default: not set. `'auto'` is `None` on secure
   * connections and `Lax` otherwise. Browsers reject `'none'` without `secure`.
   */
  sameSite?: SameSiteOption | undefined;
}

/** The attributes the Set-Cookie header is built from; also what a store persists. */
export interface CookieData {
  originalMaxAge: number | null | undefined;
  partitioned: boolean | undefined;
  priority: 'low' | 'medium' | 'high' | undefined;
  expires: Date | null | undefined;
  secure: boolean | 'auto' | undefined;
  httpOnly: boolean | undefined;
  domain: string | undefined;
  path: string | undefined;
  sameSite: SameSiteOption | undefined;
}

/**
 * The session cookie: `req.session.cookie`. Changing it (for example `maxAge`) changes the
 * Set-Cookie header of this response and the expiry a store keeps.
 */
export class Cookie {
  /** `Path` attribute. */
  declare path: string;
  /** `HttpOnly` attribute. */
  declare httpOnly: boolean;
  /** `Domain` attribute. */
  declare domain?: string | undefined;
  /** `Secure` attribute; `'auto'` only before the middleware resolved it. */
  declare secure?: boolean | 'auto' | undefined;
  /** `SameSite` attribute. */
  declare sameSite?: SameSiteOption | undefined;
  /** `Partitioned` attribute. */
  declare partitioned?: boolean | undefined;
  /** `Priority` attribute. */
  declare priority?: 'low' | 'medium' | 'high' | undefined;
  /** The lifetime in ms the cookie was created with; `touch()` resets `maxAge` to it. */
  declare originalMaxAge: number | null | undefined;
  /**
   * Backing field of `expires`. Kept as an own enumerable property under this name because stores
   * and apps written for express-session read and copy it.
   * @internal
   */
  declare _expires: Date | null | undefined;

  /** @param options cookie attributes (see {@link CookieOptions}); `data` keys are ignored. */
  constructor(options?: CookieOptions | Record<string, unknown> | null) {
    this.path = '/';
    this.maxAge = null;
    this.httpOnly = true;

    if (options) {
      if (typeof options !== 'object') {
        throw new TypeError('argument options must be a object');
      }
      const given = options as Record<string, unknown>;
      const target = this as unknown as Record<string, unknown>;
      for (const key in given) {
        if (key !== 'data') target[key] = given[key];
      }
      // An `originalMaxAge` passed in (a store handing back a saved cookie) is the lifetime the
      // cookie was made with; assigning `expires` or `maxAge` after it in the loop recomputed it
      // from the remaining time, which 1.19.0 did and later express-session no longer does.
      const originalMaxAge = given['originalMaxAge'];
      if (originalMaxAge !== undefined && originalMaxAge !== null) {
        this.originalMaxAge = originalMaxAge as number;
      }
    }

    if (this.originalMaxAge === undefined || this.originalMaxAge === null) {
      this.originalMaxAge = this.maxAge;
    }
  }

  /** Absolute expiry; `null` for a browser-session cookie. Setting it also resets `originalMaxAge`. */
  get expires(): Date | null | undefined {
    return this._expires;
  }

  set expires(date: Date | null | undefined) {
    this._expires = date;
    this.originalMaxAge = this.maxAge;
  }

  /**
   * Milliseconds left until expiry (negative once expired), or `null` for a browser-session
   * cookie. Set it to a number of milliseconds from now; a `Date` is accepted but deprecated.
   */
  get maxAge(): number | null {
    const expires = this._expires;
    return expires instanceof Date ? expires.valueOf() - Date.now() : (expires as null);
  }

  set maxAge(ms: number | Date | null | undefined) {
    if (ms && typeof ms !== 'number' && !(ms instanceof Date)) {
      throw new TypeError('maxAge must be a number or Date');
    }
    if (ms instanceof Date) {
      deprecate('maxAge as Date; pass number of milliseconds instead');
    }
    if (typeof ms !== 'number') {
      this.expires = ms;
      return;
    }
    const expires = new Date(Date.now() + ms);
    this._expires = expires;
    // Reading the lifetime back from the new expiry, as express-session does, loses a millisecond
    // whenever the clock ticks in between (60000 becomes 59999); the number asked for is exact.
    this.originalMaxAge = Number.isNaN(expires.valueOf()) ? Number.NaN : ms;
  }

  /** The cookie's attributes, as serialised and persisted. */
  get data(): CookieData {
    return {
      originalMaxAge: this.originalMaxAge,
      partitioned: this.partitioned,
      priority: this.priority,
      expires: this._expires,
      secure: this.secure,
      httpOnly: this.httpOnly,
      domain: this.domain,
      path: this.path,
      sameSite: this.sameSite,
    };
  }

  /** A Set-Cookie header value for `name=value` with this cookie's attributes. */
  serialize(name: string, value: string): string {
    return serialize(name, value, this.data as Parameters<typeof serialize>[2]);
  }

  /** What `JSON.stringify` and stores see: {@link Cookie.data}. */
  toJSON(): CookieData {
    return this.data;
  }
}
