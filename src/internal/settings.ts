import type { Request } from 'express';
import type { DecisionOptions } from '../decisions';
import { MemoryStore } from '../memory-store';
import type { SessionOptions } from '../options';
import type { Store } from '../store';
import { deprecate } from './deprecate';
import { MEMORY_STORE_WARNING } from './explain';
import { generateSessionId } from './session-id';
import { normalizeSecrets, type SecretKey } from './signing';
import { assertCookieName, assertCookieOptions, missingSecretMessage, warnAboutCookieOptions } from './validate-options';

/** Everything fixed when `session(options)` is called. */
export interface Settings extends DecisionOptions {
  readonly name: string;
  readonly store: Store;
  /** The `cookie` option as given: an object, or a function evaluated once per request. */
  readonly cookieOption: NonNullable<SessionOptions['cookie']>;
  /** The `genid` option or the default; may return a Promise of the id (see `SessionOptions.genid`). */
  readonly generateId: (req: Request) => string | Promise<string>;
  /** The `secret` option as a list; undefined when the middleware is to use `req.secret`. */
  readonly secrets: readonly SecretKey[] | undefined;
  readonly trustProxy: boolean | undefined;
  readonly resave: boolean;
  readonly unsetDestroy: boolean;
  /** The opt-in lifecycle options (issue 12); undefined / false when not set. */
  readonly absoluteTimeout: number | undefined;
  readonly renewalTimeout: number | undefined;
  /** Only meaningful with `renewalTimeout`; defaulted to 10 000 ms. */
  readonly renewalGrace: number;
  readonly clearCookieOnDestroy: boolean;
  readonly touchAfter: number | undefined;
  readonly requireStore: boolean;
}

/**
 * A duration option: undefined when not set (or `false`/`null`), else a finite number of
 * milliseconds; 0 only where it means something (no grace, touch whenever due).
 */
function readDuration(opts: SessionOptions, key: 'absoluteTimeout' | 'renewalTimeout' | 'renewalGrace' | 'touchAfter'): number | undefined {
  const value: unknown = opts[key];
  if (value === undefined || value === null || value === false) return undefined;
  const zeroAllowed = key === 'renewalGrace' || key === 'touchAfter';
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    const got = typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value === 'number' ? String(value) : `a ${typeof value}`;
    throw new TypeError(`${key} option must be a ${zeroAllowed ? 'non-negative' : 'positive'} number of milliseconds (3600000 for one hour), got ${got}`);
  }
  return value;
}

/**
 * The options read, defaulted and checked once, as express-session did: a wrong type throws
 * here, at startup, and a missing `resave`/`saveUninitialized`/`secret` is a deprecation warning.
 */
export function readSettings(opts: SessionOptions): Settings {
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
  if (!secrets) deprecate(missingSecretMessage(typeof opts === 'object' && 'secret' in opts, opts.secret));

  if (process.env.NODE_ENV === 'production' && store instanceof MemoryStore) {
    console.warn(MEMORY_STORE_WARNING);
  }

  const absoluteTimeout = readDuration(opts, 'absoluteTimeout');
  const renewalTimeout = readDuration(opts, 'renewalTimeout');
  const renewalGrace = readDuration(opts, 'renewalGrace') ?? 10_000;
  const touchAfter = readDuration(opts, 'touchAfter');

  return {
    name,
    store,
    cookieOption,
    generateId,
    secrets,
    trustProxy: opts.proxy,
    resave: Boolean(resave),
    saveUninitialized: Boolean(saveUninitialized),
    rolling: Boolean(opts.rolling),
    unsetDestroy: opts.unset === 'destroy',
    absoluteTimeout,
    renewalTimeout,
    renewalGrace,
    clearCookieOnDestroy: Boolean(opts.clearCookieOnDestroy),
    touchAfter,
    requireStore: Boolean(opts.requireStore),
  };
}
