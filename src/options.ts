import type { Request } from 'express';
import type { CookieOptions } from './cookie';
import type { SecretKey } from './internal/signing';
import type { Store } from './store';

/** Options of `session(options)`. */
export interface SessionOptions {
  /**
   * Key(s) that sign the session ID cookie: a string, or any key `crypto.createHmac` accepts
   * (Buffer, TypedArray, DataView, KeyObject), or an array of them. The first signs new cookies;
   * all of them verify, so a secret can be rotated in by putting it first and the old one after.
   * Required in practice: without it the middleware falls back to `req.secret` (set by
   * cookie-parser) and fails each request with "secret option required for sessions" when that
   * is missing too. An empty string (an unset `SESSION_SECRET`) counts as missing, with a
   * deprecation warning that says the secret is empty.
   */
  secret?: SecretKey | SecretKey[] | undefined;

  /**
   * Makes the id of a new session. Default: 24 random bytes as base64url (uid-safe), 32 chars.
   * Must return a string unique across sessions; anything else is neither saved nor sent.
   * It may also return a Promise of the id: the request (and `regenerate()`) waits for it, and a
   * rejection goes to `next(err)`.
   */
  genid?: ((req: Request) => string | Promise<string>) | undefined;

  /**
   * Name of the session ID cookie. Default `'connect.sid'`. Choose your own in production. A name
   * that is no cookie name (spaces, `=`, `;`) makes `session()` throw a TypeError.
   */
  name?: string | undefined;

  /** @deprecated Old name of {@link SessionOptions.name}. */
  key?: string | undefined;

  /** Where sessions live. Default: a new {@link MemoryStore} (one process only, not for production). */
  store?: Store | undefined;

  /**
   * Attributes of the session ID cookie (see {@link CookieOptions}), or a function of the request
   * returning them, evaluated once per request: its result decides both the path this middleware
   * serves and the cookie of sessions created in that request; when it returns nothing, the
   * defaults apply. Default `{ path: '/', httpOnly: true, maxAge: null }`.
   *
   * Attributes that could never make a working cookie (a `maxAge` that is not a number of
   * milliseconds, an `expires` that is not a valid Date, an unknown `sameSite` or `priority`, a
   * `path` not starting with `/`, a `domain` that is not a domain name) make `session()` throw a
   * TypeError naming the attribute; returned by the function, they fail that request through
   * `next(err)` with the same message.
   */
  cookie?: CookieOptions | ((req: Request) => CookieOptions | undefined) | undefined;

  /**
   * Send the cookie on every response, so `maxAge` counts from the last request instead of the
   * first. Default `false`. An uninitialized session with `saveUninitialized: false` still gets no
   * cookie until it holds data.
   */
  rolling?: boolean | undefined;

  /**
   * Save the session back on every request even when it did not change. Default `true` with a
   * deprecation warning; set it explicitly. `false` is what most apps want, with a store that
   * implements `touch` so unchanged sessions still have their expiry extended.
   */
  resave?: boolean | undefined;

  /**
   * Trust the reverse proxy when deciding whether a connection is secure (for `secure: 'auto'`,
   * `sameSite: 'auto'` and whether a Secure cookie may be sent): `true` reads the first
   * `X-Forwarded-Proto` value, `false` trusts only a TLS socket, undefined (the default) follows
   * Express's `trust proxy` setting through `req.secure`.
   */
  proxy?: boolean | undefined;

  /**
   * Save (and send the cookie of) a new session that holds no data. Default `true` with a
   * deprecation warning; `false` is the usual choice for logins and consent laws, and spares the
   * store a record per visitor.
   */
  saveUninitialized?: boolean | undefined;

  /**
   * What happens when the app deletes `req.session` or sets it to null: `'keep'` (the default)
   * leaves the stored session alone, `'destroy'` deletes it from the store at the end of the
   * response.
   */
  unset?: 'destroy' | 'keep' | undefined;

  /**
   * Opt-in. Destroy a session this many milliseconds after it was created, however active it
   * was: its next request gets a fresh, empty session instead. `rolling` does not extend it, and
   * the creation time survives renewal and `regenerate({ keepData: true })`. Default: no limit.
   * The time is kept in the session data as `__lifecycle.created` (written only when this option
   * or `renewalTimeout` is set); a session stored before the option was enabled is stamped, and
   * saved, at its first request under it.
   */
  absoluteTimeout?: number | undefined;

  /**
   * Opt-in. Once a session's id is older than this many milliseconds, the next request moves the
   * same data to a new id and sends the new cookie. Default: ids are never renewed.
   * With the default `genid`, the new id is derived from the old one under the first secret, so
   * parallel requests (in any process sharing the store) renew to the same id; a custom `genid`
   * (which may return a Promise) is called instead, see docs/lifecycle.md for what that changes.
   */
  renewalTimeout?: number | undefined;

  /**
   * With `renewalTimeout`: how long, in milliseconds, the old id keeps resolving to the renewed
   * session, so requests already in flight with the old cookie (parallel XHRs, other tabs) keep
   * working and receive the new cookie. Default `10000`.
   */
  renewalGrace?: number | undefined;

  /**
   * Opt-in. When the session is destroyed (`req.session.destroy()`, or `unset: 'destroy'`), also
   * send a `Set-Cookie` that removes the cookie from the browser (same name, path and domain,
   * expired). Default `false`: the cookie stays, and its id finds nothing next time.
   */
  clearCookieOnDestroy?: boolean | undefined;

  /**
   * Opt-in. Touch an unchanged session in the store (and, with `rolling`, re-send its cookie) at
   * most once per this many milliseconds, so a read-mostly session costs no store write per
   * request. Default: on every request, as express-session.
   *
   * For `resave: false` (with `resave: true` every request saves anyway). The last touch is told
   * from the stored cookie's expiry and this middleware's own recent touches, so it has no effect
   * on browser-session cookies (no `maxAge`) nor on cookies whose `maxAge` is not longer than
   * `touchAfter`. A changed session is saved at once as usual. The idle timeout becomes between
   * `maxAge - touchAfter` and `maxAge`: keep it a small fraction of `maxAge`.
   */
  touchAfter?: number | undefined;

  /**
   * Opt-in. While the store has emitted `disconnect`, fail requests with an error of status 503
   * through `next(err)` instead of running them without `req.session`. Default `false`.
   */
  requireStore?: boolean | undefined;
}
