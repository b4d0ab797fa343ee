import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Cookie, type CookieOptions } from './cookie';
import {
  shouldDestroy,
  shouldSave,
  shouldSetCookie,
  shouldTouch,
  type DecisionOptions,
  type SessionSnapshot,
} from './decisions';
import { idTag, log } from './internal/debug';
import { useDictionaryMode } from './internal/dictionary-mode';
import { deprecate } from './internal/deprecate';
import { isRejectedSameSiteNone, MEMORY_STORE_WARNING, NOT_SECURED, SAME_SITE_NONE_WITHOUT_SECURE } from './internal/explain';
import { fingerprint } from './internal/fingerprint';
import { readSessionCookie } from './internal/read-cookie';
import { kRequestState, type RequestHooks } from './internal/request-state';
import { isSecureRequest } from './internal/secure';
import { generateSessionId } from './internal/session-id';
import { appendSetCookie } from './internal/set-cookie';
import { isSecretKey, rememberVerifiedIds, signSessionId, type SecretKey } from './internal/signing';
import { callStore } from './internal/store-call';
import { originalPathname, pathMatches } from './internal/url-path';
import {
  assertCookieName,
  assertCookieOptions,
  missingSecretMessage,
  warnAboutCookieOptions,
} from './internal/validate-options';
import { hookWriteHead } from './internal/write-head';
import { MemoryStore } from './memory-store';
import type { SessionOptions } from './options';
import { Session } from './session';
import type { Store } from './store';

/** The request as the middleware sees it: Express's, with the fields it reads and writes. */
type SessionfulRequest = Request & {
  secret?: SecretKey;
  [kRequestState]?: RequestHooks;
};

type EndArgs = Parameters<ServerResponse['end']>;

/** Everything fixed when `session(options)` is called. */
interface Settings extends DecisionOptions {
  readonly name: string;
  readonly store: Store;
  readonly secrets: readonly SecretKey[] | undefined;
  readonly trustProxy: boolean | undefined;
  readonly resave: boolean;
  readonly unsetDestroy: boolean;
}

function normalizeSecrets(secret: SessionOptions['secret']): SecretKey[] | undefined {
  if (Array.isArray(secret)) {
    if (secret.length === 0) throw new TypeError('secret option array must contain one or more strings');
    if (!secret.every(isSecretKey)) {
      throw new TypeError('secret option array must contain only non-empty strings, Buffers, TypedArrays, DataViews or KeyObjects');
    }
    return secret;
  }
  if (secret === undefined || secret === null || secret === '') return undefined;
  if (!isSecretKey(secret)) {
    throw new TypeError('secret option must be a string, Buffer, TypedArray, DataView, KeyObject or an array of them');
  }
  return [secret];
}

function cookieOptionsFor(option: SessionOptions['cookie'], req: Request): CookieOptions {
  if (typeof option !== 'function') return option ?? {};
  const resolved: unknown = option(req);
  if (resolved === undefined || resolved === null) return {};
  if (typeof resolved !== 'object') throw new TypeError('cookie option function must return an object');
  return resolved as CookieOptions;
}

/** Cookie options with `'auto'` values decided for this connection. */
function resolveAuto(options: CookieOptions, req: Request, trustProxy: boolean | undefined): CookieOptions {
  if (options.secure !== 'auto' && options.sameSite !== 'auto') return options;
  const secure = isSecureRequest(req, trustProxy);
  const resolved = { ...options };
  if (resolved.secure === 'auto') resolved.secure = secure;
  if (resolved.sameSite === 'auto') resolved.sameSite = secure ? 'none' : 'lax';
  return resolved;
}

/**
 * One request's session bookkeeping: what was loaded, what was saved, and the hooks on the
 * response that commit the session when it ends.
 */
class RequestState implements SessionSnapshot, RequestHooks {
  readonly cookieId: string | undefined;
  originalId: unknown = undefined;
  originalFingerprint = '';
  savedFingerprint: string | undefined = undefined;
  touched = false;
  #resolvedCookieOptions: CookieOptions | undefined;
  /** Set once `res.end` ran: from then on the session's fingerprint is computed once and kept. */
  #frozenFor: object | undefined;
  #frozenFingerprint = '';
  #errorReported = false;

  /** Whether an error of this request has already gone to `next`. */
  get errorReported(): boolean {
    return this.#errorReported;
  }

  constructor(
    readonly settings: Settings,
    readonly req: SessionfulRequest,
    readonly res: ServerResponse,
    readonly next: NextFunction,
    readonly requestCookieOptions: CookieOptions,
    readonly secrets: readonly SecretKey[],
    readonly signedByFirstSecret: string | undefined,
    cookieId: string | undefined,
  ) {
    this.cookieId = cookieId;
  }

  get cookieOptions(): CookieOptions {
    return (this.#resolvedCookieOptions ??= resolveAuto(this.requestCookieOptions, this.req, this.settings.trustProxy));
  }

  get sessionId(): unknown {
    return this.req.sessionID;
  }

  get currentId(): unknown {
    return (this.req.session as Session | undefined)?.id;
  }

  get cookieHasExpiry(): boolean {
    return (this.req.session as Session).cookie.expires != null;
  }

  currentFingerprint(): string {
    const session = this.req.session as object;
    if (this.#frozenFor === session) return this.#frozenFingerprint;
    return fingerprint(session);
  }

  beforeSave(session: object): void {
    try {
      this.savedFingerprint = this.#frozenFor === session ? this.#frozenFingerprint : fingerprint(session);
    } catch (err) {
      // save() throws this to the route, which reports it; the end of the response meeting the
      // same data must not report it a second time.
      this.#errorReported = true;
      throw err;
    }
  }

  /** Remember the session as it is when the response ends; every later rule sees that state. */
  freeze(session: object): void {
    this.#frozenFingerprint = fingerprint(session);
    this.#frozenFor = session;
  }

  /** A new session, through `store.generate` as express-session does (apps may replace it). */
  generate(): void {
    const { store } = this.settings;
    (store.generate as (req: Request) => void)(this.req);
    this.originalId = this.req.sessionID;
    this.originalFingerprint = fingerprint(this.req.session as object);
  }

  /** A stored session found for the cookie's id. */
  inflate(stored: object): void {
    this.settings.store.createSession(this.req, stored as never);
    this.originalId = this.req.sessionID;
    this.originalFingerprint = fingerprint(this.req.session as object);
    if (!this.settings.resave) this.savedFingerprint = this.originalFingerprint;
  }

  /**
   * Errors after the handler ran go to the app's error handler once the response is written, as
   * in express-session; one per request, so a cascade cannot call `next` again and again.
   */
  reportError(err: unknown): void {
    if (this.#errorReported) {
      log('further error after the first one: %s', err instanceof Error ? err.message : String(err));
      return;
    }
    this.#errorReported = true;
    setImmediate(this.next as (err: unknown) => void, err);
  }

  /** Called as the headers go out (see hookWriteHead): decide and add the Set-Cookie header. */
  onHeaders(): void {
    const { req, settings } = this;
    const session = req.session as Session | undefined | null;
    if (!session) {
      log('no session');
      return;
    }
    try {
      if (!shouldSetCookie(this, settings)) return;
      if (session.cookie.secure && !isSecureRequest(req, settings.trustProxy)) {
        log(NOT_SECURED);
        return;
      }
      if (!this.touched) {
        session.touch();
        this.touched = true;
      }
      const id = req.sessionID;
      const signed = id === this.cookieId && this.signedByFirstSecret !== undefined
        ? this.signedByFirstSecret
        : signSessionId(id, this.secrets[0]!);
      const attributes = session.cookie.data;
      if (log.enabled && isRejectedSameSiteNone(attributes.sameSite, attributes.secure)) log(SAME_SITE_NONE_WITHOUT_SECURE);
      appendSetCookie(this.res, settings.name, signed, attributes);
      if (log.enabled) log('set-cookie for %s', idTag(id));
    } catch (err) {
      this.reportError(err);
    }
  }

  /**
   * What the end of the response must do to the store, as a function that does it, or
   * undefined when nothing is to be done.
   */
  planCommit(): ((done: (err?: unknown) => void) => void) | undefined {
    const { req, settings } = this;
    const { store } = settings;
    const session = req.session as Session | undefined | null;

    if (shouldDestroy(req.sessionID, session, settings.unsetDestroy)) {
      log('destroying');
      const id = req.sessionID;
      return (done) => callStore(store, 'destroy', [id], (err) => {
        log('destroyed');
        done(err);
      });
    }
    if (!session) {
      log('no session');
      return undefined;
    }
    if (!this.touched) {
      session.touch();
      this.touched = true;
    }
    this.freeze(session);
    if (shouldSave(this, settings)) {
      return (done) => session.save(done);
    }
    if (typeof store.touch === 'function' && shouldTouch(this, settings)) {
      log('touching');
      const id = req.sessionID;
      return (done) => callStore(store, 'touch', [id, session], (err) => {
        log('touched');
        done(err);
      });
    }
    return undefined;
  }
}

/** Node's own response internals, used the way `res.end` itself uses them. */
type ResponseInternals = ServerResponse & { _implicitHeader(): void; _contentLength?: number | null };

/**
 * Fix the status line and headers now, as `res.end(args)` would, without writing anything: the
 * app sees `headersSent` and the Set-Cookie decision is made exactly when express-session made
 * them, and the header block still leaves in the same socket write as the body.
 */
function writeHeadersNow(res: ServerResponse, args: EndArgs): void {
  const internals = res as ResponseInternals;
  if (res.headersSent || typeof internals._implicitHeader !== 'function') return;
  const [chunk, encoding] = args as unknown[];
  // Node's end() sizes the body before writing implicit headers, so a plain res.end(body) gets
  // Content-Length rather than chunked encoding; do the same.
  if (chunk === undefined || chunk === null || typeof chunk === 'function' || chunk === '') {
    internals._contentLength = 0;
  } else if (typeof chunk === 'string') {
    internals._contentLength = Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  } else if (ArrayBuffer.isView(chunk)) {
    internals._contentLength = chunk.byteLength;
  }
  internals._implicitHeader();
}

/**
 * Replace `res.end` so the session is committed before the response finishes.
 *
 * express-session wrote all but the last byte, waited for the store, then wrote the last byte:
 * two socket writes per response, and a browser could follow a redirect before the session was
 * saved. We fix the headers at once (as it did, so `headersSent` and a second `end` behave as in
 * plain Node), hold the body until the store has answered, then pass the `end` call through
 * unchanged (chunk, encoding, callback): the response goes out in one write, and the next
 * request sees the saved session.
 */
function hookEnd(state: RequestState): void {
  const { res } = state;
  const originalEnd = res.end;
  let firstEnd: EndArgs | undefined;
  let pending = false;
  let heldEnds: EndArgs[] | undefined;

  const finish = (args: EndArgs): void => {
    (originalEnd as (...a: EndArgs) => unknown).apply(res, args);
  };

  res.end = function end(this: ServerResponse, ...args: EndArgs): ServerResponse {
    if (firstEnd !== undefined) {
      if (pending) (heldEnds ??= []).push(args);
      else finish(args);
      return res;
    }
    firstEnd = args;

    let commit: ReturnType<RequestState['planCommit']>;
    try {
      commit = state.planCommit();
    } catch (err) {
      // The session cannot be committed (data JSON cannot hold, a throwing getter): while the
      // status line is still ours to choose, let the app's error handler answer instead of
      // sending a success for a session that was never saved. Its own end() comes back here
      // and, the error being reported, goes out.
      if (!res.headersSent && !state.errorReported) {
        firstEnd = undefined;
        state.reportError(err);
        return res;
      }
      state.reportError(err);
    }
    if (commit === undefined) {
      finish(args);
      return res;
    }

    pending = true;
    writeHeadersNow(res, args);
    commit((err) => {
      pending = false;
      if (err) state.reportError(err);
      finish(args);
      if (heldEnds !== undefined) for (const held of heldEnds) finish(held);
    });
    return res;
  } as ServerResponse['end'];
}

/** Build the middleware; see `session()` in the package entry for the documentation. */
export function createSessionMiddleware(options?: SessionOptions): RequestHandler {
  const opts: SessionOptions = options || {};

  const cookieOption = opts.cookie || {};
  if (typeof cookieOption !== 'object' && typeof cookieOption !== 'function') {
    throw new TypeError('cookie option must be an object or a function');
  }
  if (typeof cookieOption === 'object') {
    assertCookieOptions(cookieOption);
    warnAboutCookieOptions(cookieOption);
  }

  const generateId = opts.genid || generateSessionId;
  if (typeof generateId !== 'function') {
    throw new TypeError('genid option must be a function');
  }

  const name = opts.name || opts.key || 'connect.sid';
  assertCookieName(name);
  const store = opts.store || new MemoryStore();
  if (store === null || typeof store !== 'object' || typeof store.on !== 'function') {
    throw new TypeError('store option must be a session store (extend session.Store)');
  }

  let resave = opts.resave;
  if (resave === undefined) {
    deprecate('undefined resave option; provide resave option');
    resave = true;
  }

  let saveUninitialized = opts.saveUninitialized;
  if (saveUninitialized === undefined) {
    deprecate('undefined saveUninitialized option; provide saveUninitialized option');
    saveUninitialized = true;
  }

  if (opts.unset && opts.unset !== 'destroy' && opts.unset !== 'keep') {
    throw new TypeError('unset option must be "destroy" or "keep"');
  }

  const secrets = normalizeSecrets(opts.secret);
  if (secrets) rememberVerifiedIds(secrets);
  else deprecate(missingSecretMessage(typeof opts === 'object' && 'secret' in opts, opts.secret));

  if (process.env.NODE_ENV === 'production' && store instanceof MemoryStore) {
    console.warn(MEMORY_STORE_WARNING);
  }

  const settings: Settings = {
    name,
    store,
    secrets,
    trustProxy: opts.proxy,
    resave: Boolean(resave),
    saveUninitialized: Boolean(saveUninitialized),
    rolling: Boolean(opts.rolling),
    unsetDestroy: opts.unset === 'destroy',
  };

  store.generate = function generate(req: Request): void {
    const sessionfulReq = req as SessionfulRequest;
    req.sessionID = generateId(req);
    const hooks = sessionfulReq[kRequestState];
    const cookieOptions = hooks ? hooks.cookieOptions : resolveAuto(cookieOptionsFor(cookieOption, req), req, settings.trustProxy);
    const session = new Session(req as never);
    session.cookie = new Cookie(cookieOptions);
    req.session = session as Request['session'];
  };

  let storeReady = true;
  store.on('disconnect', function onDisconnect() {
    storeReady = false;
  });
  store.on('connect', function onConnect() {
    storeReady = true;
  });

  return function session(req: Request, res: Response, next: NextFunction): void {
    if (req.session) {
      next();
      return;
    }
    if (!storeReady) {
      log('store is disconnected');
      next();
      return;
    }

    let requestCookieOptions: CookieOptions;
    try {
      requestCookieOptions = cookieOptionsFor(cookieOption, req);
    } catch (err) {
      next(err);
      return;
    }
    if (!pathMatches(originalPathname(req), requestCookieOptions.path || '/')) {
      log('pathname mismatch');
      next();
      return;
    }
    if (typeof cookieOption === 'function') {
      // Checked after the path test: requests outside the path never used these options in 1.19.0.
      try {
        assertCookieOptions(requestCookieOptions, 'returned by the cookie option function');
      } catch (err) {
        next(err);
        return;
      }
    }

    const sessionfulReq = req as SessionfulRequest;
    if (!secrets && !sessionfulReq.secret) {
      next(new Error('secret option required for sessions'));
      return;
    }
    const requestSecrets = secrets || [sessionfulReq.secret as SecretKey];

    useDictionaryMode(req);
    useDictionaryMode(res);
    req.sessionStore = store;
    const sent = readSessionCookie(req as never, name, requestSecrets);
    req.sessionID = sent?.id as string;

    const state = new RequestState(
      settings,
      sessionfulReq,
      res as unknown as ServerResponse,
      next,
      requestCookieOptions,
      requestSecrets,
      sent?.signedByFirstSecret,
      sent?.id,
    );
    sessionfulReq[kRequestState] = state;
    hookWriteHead(res as unknown as ServerResponse, state);
    hookEnd(state);

    if (!sent) {
      log('no SID sent, generating session');
      try {
        state.generate();
      } catch (err) {
        next(err);
        return;
      }
      next();
      return;
    }

    if (log.enabled) log('fetching %s', idTag(sent.id));
    callStore(store, 'get', [sent.id], (err, stored) => {
      if (err && (err as { code?: unknown }).code !== 'ENOENT') {
        log('error %s', err instanceof Error ? err.message : String(err));
        next(err);
        return;
      }
      try {
        if (err || !stored) {
          log('no session found');
          state.generate();
        } else if (typeof stored !== 'object') {
          throw new TypeError('session store returned a ' + typeof stored + ' instead of a session object');
        } else {
          log('session found');
          state.inflate(stored);
        }
      } catch (loadErr) {
        next(loadErr);
        return;
      }
      next();
    });
  };
}
