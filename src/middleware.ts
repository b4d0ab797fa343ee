import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Cookie, type CookieOptions } from './cookie';
import { isTouchDeferred, shouldDestroy, shouldSave, shouldSetCookie, shouldTouch } from './decisions';
import { clearCookieIfDestroyed } from './internal/clear-cookie';
import { cookieOptionsFor, resolveAuto } from './internal/cookie-options';
import { idTag, log } from './internal/debug';
import { isRejectedSameSiteNone, NOT_SECURED, SAME_SITE_NONE_WITHOUT_SECURE } from './internal/explain';
import { fingerprint } from './internal/fingerprint';
import { createLifecycle, type Loaded } from './internal/lifecycle';
import { readSessionCookie } from './internal/read-cookie';
import { RecordListener, RequestRecord, Snapshot } from './internal/request-record';
import { hookResponse, type Commit } from './internal/response-hooks';
import { isSecureRequest } from './internal/secure';
import { appendSetCookie } from './internal/set-cookie';
import { readSettings, type Settings } from './internal/settings';
import { signSessionId, type SecretKey, type VerifiedMacs } from './internal/signing';
import { callStore } from './internal/store-call';
import { storeUnavailable } from './internal/store-unavailable';
import { callbackWhenSettled, GENID_REJECTED, isThenable } from './internal/thenable';
import { TouchLog, touchAfterWarnings } from './internal/touch-after';
import { originalPathname, pathMatches } from './internal/url-path';
import { assertCookieOptions } from './internal/validate-options';
import type { SessionOptions } from './options';
import { listenToSession, Session } from './session';
import { createSessionOn } from './store';

/** The cookie's expiry is extended once per request: when the cookie is first sent, or at the commit. */
function touchOnce(record: RequestRecord, session: Session): void {
  if (record.touched) return;
  session.touch();
  record.touched = true;
}

/** As the headers go out: add the Set-Cookie header when the rules say the browser needs it. */
function setCookieIfDue(settings: Settings, record: RequestRecord, req: Request, res: ServerResponse): void {
  const session = req.session as Session | undefined | null;
  if (!session) {
    log('no session');
    return;
  }
  const id = req.sessionID;
  if (!shouldSetCookie(new Snapshot(record, id, session), settings)) return;
  if (session.cookie.secure && !isSecureRequest(req, settings.trustProxy)) {
    log(NOT_SECURED);
    return;
  }
  touchOnce(record, session);
  const value = id === record.cookieId && record.signedCookie !== undefined ? record.signedCookie : signSessionId(id, record.secrets[0]!);
  const attributes = session.cookie.data;
  if (log.enabled && isRejectedSameSiteNone(attributes.sameSite, attributes.secure)) log(SAME_SITE_NONE_WITHOUT_SECURE);
  appendSetCookie(res, settings.name, value, attributes);
  if (log.enabled) log('set-cookie for %s', idTag(id));
}

/** At `res.end`: decide, once, what the store must do before the response finishes. */
function planCommit(settings: Settings, record: RequestRecord, req: Request, touchLog: TouchLog | undefined): Commit | undefined {
  const { store } = settings;
  const session = req.session as Session | undefined | null;
  const id = req.sessionID;
  if (shouldDestroy(id, session, settings.unsetDestroy)) {
    log('destroying');
    return (done) => callStore(store, 'destroy', [id], (err) => {
      log('destroyed');
      done(err);
    });
  }
  if (!session) {
    log('no session');
    return undefined;
  }
  record.endedWith = session;
  const now = new Snapshot(record, id, session);
  // A deferred touch leaves the cookie with the expiry the store and the browser still have.
  if (!isTouchDeferred(now, settings)) touchOnce(record, session);
  if (typeof id !== 'string') {
    // No cookie can carry such an id, so the session is neither saved nor touched; the line is
    // express-session's, once for its save rule and once for its touch rule.
    log('session ignored because of bogus req.sessionID %s', idTag(id));
    if (typeof store.touch === 'function') log('session ignored because of bogus req.sessionID %s', idTag(id));
    return undefined;
  }
  if (shouldSave(now, settings)) return (done) => session.save(done);
  if (typeof store.touch === 'function' && shouldTouch(now, settings)) {
    log('touching');
    return (done) => callStore(store, 'touch', [id, session], (err) => {
      log('touched');
      if (!err) touchLog?.record(id, session.cookie);
      done(err);
    });
  }
  return undefined;
}

/**
 * Errors after the handler ran go to the app's error handler once the response is written, as
 * in express-session; one per request, so a cascade cannot call `next` again and again.
 */
function reportError(record: RequestRecord, next: NextFunction, err: unknown): boolean {
  if (record.errorReported) {
    log('further error after the first one: %s', err instanceof Error ? err.message : String(err));
    return false;
  }
  record.errorReported = true;
  setImmediate(next as (err: unknown) => void, err);
  return true;
}

/** Build the middleware; see `session()` in the package entry for the documentation. */
export function createSessionMiddleware(options?: SessionOptions): RequestHandler {
  const settings = readSettings(options || {});
  const { name, store, secrets, cookieOption, generateId } = settings;
  /** This middleware's memo of verified MACs (see unsignSessionId), dropped with it. */
  const verifiedMacs: VerifiedMacs = new Map();
  /** absoluteTimeout / renewalTimeout, when set; see internal/lifecycle.ts. */
  const lifecycle = createLifecycle(settings);
  /** With `touchAfter`: this middleware's touches, which stores that only move a key's expiry do not record. */
  const touchLog = settings.touchAfter === undefined ? undefined : new TouchLog(settings.touchAfter);
  if (settings.touchAfter !== undefined) for (const warning of touchAfterWarnings(settings.touchAfter, options || {})) console.warn(warning);

  /**
   * A brand-new session on `req`, its cookie made from `cookieOptions`: at once for a genid that
   * returns the id (the default; no tick is spent), once the id came for one that returns a Promise.
   */
  function newSession(req: Request, cookieOptions: CookieOptions): void | Promise<void> {
    const id = generateId(req);
    if (isThenable(id)) return Promise.resolve(id).then((resolved) => putNewSession(req, resolved, cookieOptions));
    putNewSession(req, id, cookieOptions);
  }

  function putNewSession(req: Request, id: string, cookieOptions: CookieOptions): void {
    req.sessionID = id;
    const session = new Session(req as never);
    session.cookie = new Cookie(resolveAuto(cookieOptions, req, settings.trustProxy));
    lifecycle?.stamp(session);
    req.session = session as Request['session'];
  }

  // The store's generator, as express-session installs it: `regenerate()` calls it, and apps may
  // replace it. It reads the cookie options afresh, since it only gets the request.
  const ownGenerate = function generate(req: Request): void | Promise<void> {
    return newSession(req, cookieOptionsFor(cookieOption, req));
  };
  store.generate = ownGenerate;

  /** After a session was generated or loaded onto req: what it is now, and who learns of its saves and destroy. */
  function begin(record: RequestRecord, req: Request): void {
    const session = req.session as object;
    record.originalId = req.sessionID;
    record.originalFingerprint = fingerprint(session);
    if (session instanceof Session) {
      listenToSession(session, new RecordListener(record));
    }
  }

  /** A new session for this request: with its cookie options, unless the app replaced the generator. */
  function generate(record: RequestRecord, req: Request, cookieOptions: CookieOptions): void | Promise<void> {
    const generated = store.generate === ownGenerate ? newSession(req, cookieOptions) : (store.generate as (req: Request) => unknown)(req);
    if (isThenable(generated)) return Promise.resolve(generated).then(() => began(record, req));
    began(record, req);
  }

  /** A generated session: stamped for the lifecycle options (a replaced generator does not), then begun. */
  function began(record: RequestRecord, req: Request): void {
    if (lifecycle && req.session) lifecycle.stamp(req.session);
    begin(record, req);
  }

  /** Generate, then run the app, or fail the request through `next(err)`: at once unless genid returned a Promise. */
  function generateThenNext(record: RequestRecord, req: Request, cookieOptions: CookieOptions, next: NextFunction): void {
    let generated: void | Promise<void>;
    try {
      generated = generate(record, req, cookieOptions);
    } catch (err) {
      next(err);
      return;
    }
    if (generated) callbackWhenSettled(generated, next, GENID_REJECTED);
    else next();
  }

  let storeReady = true;
  store.on('disconnect', function onDisconnect() {
    storeReady = false;
  });
  store.on('connect', function onConnect() {
    storeReady = true;
  });

  // One request, in one direction: read the cookie, load or generate the session, run the app;
  // as the headers go out, decide the cookie; at res.end, decide once what the store must do,
  // commit it, then let the response go.
  return function session(req: Request, res: Response, next: NextFunction): void {
    if (req.session) {
      next();
      return;
    }
    if (!storeReady && !settings.requireStore) {
      log('store is disconnected');
      next();
      return;
    }

    let cookieOptions: CookieOptions;
    try {
      cookieOptions = cookieOptionsFor(cookieOption, req);
    } catch (err) {
      next(err);
      return;
    }
    if (!pathMatches(originalPathname(req), cookieOptions.path || '/')) {
      log('pathname mismatch');
      next();
      return;
    }
    if (typeof cookieOption === 'function') {
      // Checked after the path test: requests outside the path never used these options in 1.19.0.
      try {
        assertCookieOptions(cookieOptions, 'returned by the cookie option function');
      } catch (err) {
        next(err);
        return;
      }
    }

    if (!storeReady) {
      // requireStore: only requests this middleware serves (inside the cookie path) need the store.
      log('store is disconnected');
      next(storeUnavailable());
      return;
    }

    // req.secret (cookie-parser's) is only read without the secret option, as in express-session.
    const requestSecret = secrets ? undefined : (req as { secret?: SecretKey }).secret;
    const requestSecrets = secrets || (requestSecret ? [requestSecret] : undefined);
    if (!requestSecrets) {
      next(new Error('secret option required for sessions'));
      return;
    }

    // Read: the id the browser sent, if correctly signed.
    req.sessionStore = store;
    const sent = readSessionCookie(req as never, name, requestSecrets, verifiedMacs);
    req.sessionID = sent?.id as string;
    const record = new RequestRecord(sent?.id, sent?.signedByFirstSecret, requestSecrets);

    // Hooked before loading, as express-session does, so that an error response passes them too.
    hookResponse(
      res as unknown as ServerResponse,
      () => {
        setCookieIfDue(settings, record, req, res as unknown as ServerResponse);
        if (settings.clearCookieOnDestroy) clearCookieIfDestroyed(settings, record, req, res as unknown as ServerResponse, cookieOptions);
      },
      () => planCommit(settings, record, req, touchLog),
      (err) => reportError(record, next, err),
    );

    // Load or generate. An empty id (a genid that returned '') is never looked up, as in
    // express-session: every visitor would otherwise share the one session stored under ''.
    if (!sent?.id) {
      log('no SID sent, generating session');
      generateThenNext(record, req, cookieOptions, next);
      return;
    }

    if (log.enabled) log('fetching %s', idTag(sent.id));
    // `lifecycle` (absoluteTimeout, renewal) hands over what its rules let through, maybe under a new id.
    const onLoaded = (err: unknown, stored?: unknown, lifecycleLoaded?: Loaded): void => {
      if (err && (err as { code?: unknown }).code !== 'ENOENT') {
        log('error %s', err instanceof Error ? err.message : String(err));
        next(err);
        return;
      }
      if (err || !stored) {
        log('no session found');
        generateThenNext(record, req, cookieOptions, next);
        return;
      }
      try {
        if (typeof stored !== 'object') {
          throw new TypeError('session store returned a ' + typeof stored + ' instead of a session object');
        } else {
          log('session found');
          if (lifecycleLoaded) req.sessionID = lifecycleLoaded.id;
          createSessionOn(store, req, stored as never);
          begin(record, req);
          record.idRenewed = lifecycleLoaded?.idRenewed === true;
          if (!settings.resave && lifecycleLoaded?.storeCurrent !== false) record.savedFingerprint = record.originalFingerprint;
          if (touchLog) record.storeTouchAge = touchLog.ageAtLoad(req.sessionID, (req.session as Session).cookie);
        }
      } catch (loadErr) {
        next(loadErr);
        return;
      }
      next();
    };
    if (lifecycle) lifecycle.load(req, sent.id, requestSecrets, (err, loaded) => onLoaded(err, loaded?.stored, loaded));
    else callStore(store, 'get', [sent.id], onLoaded);
  };
}
