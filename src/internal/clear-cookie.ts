import type { ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { CookieData, CookieOptions } from '../cookie';
import { shouldDestroy } from '../decisions';
import { resolveAuto } from './cookie-options';
import { idTag, log } from './debug';
import { NOT_SECURED } from './explain';
import type { RequestRecord } from './request-record';
import { isSecureRequest } from './secure';
import { appendSetCookie } from './set-cookie';
import type { Settings } from './settings';

// Express's res.clearCookie (4 and 5): an empty value that expired at the epoch, no Max-Age.
// Every browser drops a cookie whose Expires is in the past.
const EPOCH = new Date(0);

/**
 * `clearCookieOnDestroy`: as the headers go out, when the app destroyed the session
 * (`req.session.destroy()`, or `unset: 'destroy'` with `req.session` deleted or nulled), a
 * Set-Cookie that makes the browser drop the session cookie. A browser only replaces a cookie
 * with the same name, path and domain, and only accepts a Secure (or Partitioned, or
 * SameSite=None) one with those attributes, so they are the destroyed session's own (for
 * `unset`, this request's cookie options).
 */
export function clearCookieIfDestroyed(settings: Settings, record: RequestRecord, req: Request, res: ServerResponse, cookieOptions: CookieOptions): void {
  // A session made after the destroy (a regenerate) sends its own cookie, which wins.
  if (req.session) return;
  const cookie: Partial<CookieData> | undefined = record.destroyedCookie ??
    (shouldDestroy(req.sessionID, req.session, settings.unsetDestroy) ? resolveAuto(cookieOptions, req, settings.trustProxy) : undefined);
  if (cookie === undefined) return;
  if (cookie.secure && !isSecureRequest(req, settings.trustProxy)) {
    log(NOT_SECURED);
    return;
  }
  const { path, domain, secure, sameSite, partitioned, httpOnly } = cookie;
  appendSetCookie(res, settings.name, '', {
    path: path ?? '/', domain, secure, sameSite, partitioned, httpOnly, expires: EPOCH, originalMaxAge: undefined, priority: undefined,
  });
  if (log.enabled) log('clear-cookie for destroyed %s', idTag(req.sessionID));
}
