/**
 * The rules that decide, at the end of a response, what happens to the session. Pure functions
 * of an explicit snapshot, so each rule can be read and tested on its own.
 */

/** What the middleware knows about one request's session when it decides. */
export interface SessionSnapshot {
  /** `req.sessionID` now (user code can replace it with anything). */
  readonly sessionId: unknown;
  /** The id the browser sent, when its signature was valid. */
  readonly cookieId: string | undefined;
  /** The session's id when it was loaded or generated. */
  readonly originalId: unknown;
  /** Fingerprint of the data (cookie excluded) when loaded or generated. */
  readonly originalFingerprint: string;
  /** Fingerprint at the last save, or at load when `resave` is false; undefined if never. */
  readonly savedFingerprint: string | undefined;
  /** `req.session.id` now. */
  readonly currentId: unknown;
  /** Fingerprint of the data now; a function because it is only worth computing when asked. */
  currentFingerprint(): string;
  /** Whether `req.session.cookie` has an expiry (it is not a browser-session cookie). */
  readonly cookieHasExpiry: boolean;
  /** The id the browser sent was renewed (`renewalTimeout`): it must be sent the new one. */
  readonly idRenewed?: boolean;
  /**
   * With `touchAfter`: how many ms before this request the store's copy was last saved or
   * touched, as its cookie tells; undefined when that cannot be told (a new session, a
   * browser-session cookie, a cookie that lives no longer than `touchAfter`) or without the option.
   */
  readonly storeTouchAge?: number | undefined;
}

export interface DecisionOptions {
  readonly saveUninitialized: boolean;
  readonly rolling: boolean;
  /** Touch an unchanged session at most once per this many ms; undefined: on every request. */
  readonly touchAfter?: number | undefined;
}

/** The data or the identity changed since load. */
export function isModified(s: SessionSnapshot): boolean {
  return s.originalId !== s.currentId || s.originalFingerprint !== s.currentFingerprint();
}

/** What is in the store already matches the session (same id, same data). */
export function isSaved(s: SessionSnapshot): boolean {
  return s.originalId === s.currentId && s.savedFingerprint === s.currentFingerprint();
}

/**
 * Save when the store's copy is out of date. A new session (its id did not come from the
 * cookie) that was never saved is only stored once it holds data, unless saveUninitialized
 * asks for it anyway.
 */
export function shouldSave(s: SessionSnapshot, opts: DecisionOptions): boolean {
  if (typeof s.sessionId !== 'string') return false;
  const uninitializedAndUnsaved = !opts.saveUninitialized && s.savedFingerprint === undefined && s.cookieId !== s.sessionId;
  return uninitializedAndUnsaved ? isModified(s) : !isSaved(s);
}

/**
 * With `touchAfter`: this request leaves an unchanged session as the store and the browser have
 * it (no touch, no rolling cookie, no new expiry), because the store's copy was saved or touched
 * less than `touchAfter` ago. A session that changed, got a new id, or is saved anyway
 * (`resave`) is never deferred, nor one whose last touch cannot be told.
 */
export function isTouchDeferred(s: SessionSnapshot, opts: DecisionOptions): boolean {
  if (opts.touchAfter === undefined || s.storeTouchAge === undefined || s.storeTouchAge >= opts.touchAfter) return false;
  return typeof s.sessionId === 'string' && s.cookieId === s.sessionId && isSaved(s) && !isModified(s);
}

/** Touch (extend in the store without rewriting) a session the browser sent that needs no save, unless it is deferred. */
export function shouldTouch(s: SessionSnapshot, opts: DecisionOptions): boolean {
  if (typeof s.sessionId !== 'string') return false;
  return s.cookieId === s.sessionId && !shouldSave(s, opts) && !isTouchDeferred(s, opts);
}

/**
 * Send the cookie when the browser does not have this id yet and the session is worth keeping
 * (or its id was renewed, whatever it holds), or, for a known id, on every response with
 * `rolling` (with `touchAfter`, only when the store is touched too, so both keep one expiry), or
 * when a cookie with an expiry needs its new expiry because the session changed.
 */
export function shouldSetCookie(s: SessionSnapshot, opts: DecisionOptions): boolean {
  if (typeof s.sessionId !== 'string') return false;
  if (s.cookieId !== s.sessionId) return opts.saveUninitialized || s.idRenewed === true || isModified(s);
  return (opts.rolling && !isTouchDeferred(s, opts)) || (s.cookieHasExpiry && isModified(s));
}

/** With `unset: 'destroy'`, a session the app removed from the request is deleted from the store. */
export function shouldDestroy(sessionId: unknown, session: unknown, unsetDestroy: boolean): boolean {
  return Boolean(sessionId) && unsetDestroy && session == null;
}
