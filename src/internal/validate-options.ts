import { serialize } from 'cookie';
import { deprecate } from './deprecate';

/**
 * Checks of the options a user most often gets wrong, made when `session()` is called for
 * static options and once per request for what a `cookie` function returns.
 *
 * express-session 1.19.0 copied cookie options through unchecked, so a wrong one surfaced only
 * when a request built or serialised a cookie: a 500 naming some other attribute, a response
 * without a cookie and an error after it, or a socket hang-up. Every value rejected here failed
 * that way in 1.19.0 (see test/options/cookie-validation.test.ts); values it served, however odd
 * (`maxAge: ''`, `expires: 3600000`, `secure: 'true'`), still work, some with a deprecation.
 * Falsy attributes mean "not set" to `cookie.serialize`, so they are always accepted.
 */

/** The subset of the cookie options checked here, read as unknown: they come from JavaScript. */
type UncheckedCookieOptions = Partial<Record<'maxAge' | 'expires' | 'secure' | 'sameSite' | 'priority' | 'path' | 'domain', unknown>>;

/** A short description of a wrong value for an error message ("the string '1h'"). */
function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return `the ${typeof value} ${String(value)}${typeof value === 'bigint' ? 'n' : ''}`;
  }
  if (value instanceof Date) return 'an invalid Date';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Whether `ms` from now is a time a Date can hold (±8.64e15 ms from the epoch). */
function isDateOffset(ms: number): boolean {
  return !Number.isNaN(new Date(Date.now() + ms).getTime());
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** Whether `cookie.serialize` (what sends the cookie) accepts the attribute. */
function serializes(attribute: string, value: unknown): boolean {
  try {
    serialize('n', 'v', { [attribute]: value });
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with one attribute, as the end of a sentence, or undefined when nothing is. */
function attributeProblem(options: UncheckedCookieOptions): [string, string] | undefined {
  const { maxAge, expires, sameSite, priority, path, domain } = options;

  // A falsy non-number maxAge (null, '', false) gives a browser-session cookie, as in 1.19.0.
  if (maxAge || typeof maxAge === 'number') {
    if (maxAge instanceof Date) {
      // Deprecated by Cookie itself, and served; only an invalid Date cannot be.
      if (!isValidDate(maxAge)) return ['maxAge', `must be a number of milliseconds, got ${describe(maxAge)}`];
    } else if (typeof maxAge !== 'number' || !isDateOffset(maxAge)) {
      return ['maxAge', `must be a number of milliseconds (3600000 for one hour) or null, got ${describe(maxAge)}`];
    }
  }

  if (expires || typeof expires === 'number') {
    // A number served as a lifetime in 1.19.0 (see warnAboutCookieOptions); anything else that
    // is not a valid Date failed the first Set-Cookie.
    // An invalid Date stays a per-request error, forwarded to next(err): express-session's own
    // suite pins that ("should forward errors setting cookie"), so apps may rely on it.
    const invalid = typeof expires === 'number' ? !isDateOffset(expires) : !(expires instanceof Date);
    if (invalid) {
      return ['expires', `must be a Date, got ${describe(expires)} (for a lifetime counted from each request, use maxAge in milliseconds)`];
    }
  }

  if (sameSite && sameSite !== 'auto' && !serializes('sameSite', sameSite)) {
    return ['sameSite', `must be true, false, 'strict', 'lax', 'none' or 'auto', got ${describe(sameSite)}`];
  }

  if (priority && !serializes('priority', priority)) {
    return ['priority', `must be 'low', 'medium' or 'high', got ${describe(priority)}`];
  }

  // A path that does not start with '/' never path-matches a request: the middleware would
  // never run, silently.
  if (path && (typeof path !== 'string' || !path.startsWith('/') || !serializes('path', path))) {
    return ['path', `must be a URL path starting with '/' and without ';' or control characters, got ${describe(path)}`];
  }

  if (domain && (typeof domain !== 'string' || !serializes('domain', domain))) {
    return ['domain', `must be a domain name such as 'example.com' (no scheme, port or path), got ${describe(domain)}`];
  }
  return undefined;
}

/**
 * Throw a TypeError naming the first cookie attribute that cannot give a working cookie.
 * `source` says where the options came from when they were not the static option.
 */
export function assertCookieOptions(options: object, source?: string): void {
  const problem = attributeProblem(options as UncheckedCookieOptions);
  if (problem === undefined) return;
  const [attribute, message] = problem;
  throw new TypeError(`cookie.${attribute} option ${message}${source ? ` (${source})` : ''}`);
}

/**
 * Deprecations for static cookie options that 1.19.0 served but not as they read: the user
 * most likely meant something else, and a future version may reject them.
 */
export function warnAboutCookieOptions(options: object): void {
  const { secure, expires } = options as UncheckedCookieOptions;
  if (secure !== undefined && secure !== null && typeof secure !== 'boolean' && secure !== 'auto') {
    deprecate(
      `cookie.secure as ${describe(secure)}, taken as ${secure ? 'true' : 'false'}` +
        `${secure ? ' (no cookie over plain HTTP)' : ''}; pass true, false or 'auto'`,
    );
  }
  if (typeof expires === 'number' && Number.isFinite(expires)) {
    deprecate(
      'cookie.expires as a number, used as maxAge (a lifetime in milliseconds from each request); ' +
        'pass maxAge, or a Date as expires',
    );
  }
}

/** Throw unless `cookie.serialize` accepts `name` as a cookie name (an RFC 6265 token). */
export function assertCookieName(name: unknown): void {
  try {
    serialize(name as string, 'v');
  } catch {
    throw new TypeError(
      `name option must be a valid cookie name (letters, digits and !#$%&'*+-.^_\`|~, no spaces, '=' or ';'), got ${describe(name)}`,
    );
  }
}

/** The deprecation printed when no usable secret is given (1.19.0's, unless the key was given empty). */
export function missingSecretMessage(given: boolean, secret: unknown): string {
  if (!given) return 'req.secret; provide secret option';
  const what = secret === '' ? 'an empty string' : String(secret);
  return (
    `secret option is ${what} (an unset environment variable?): req.secret from cookie-parser is used ` +
    'instead, and without it every request fails with "secret option required for sessions"; provide a non-empty secret'
  );
}
