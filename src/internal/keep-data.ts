import { Cookie } from '../cookie';
import { LIFECYCLE_KEY, type LifecycleStamp } from './lifecycle';

/**
 * A copy of the cookie: the same attributes, expiry and `originalMaxAge` (a "remember me"
 * lifetime the app set survives the move), with its own expiry `Date`, so that touching one
 * cookie never moves the other's expiry.
 */
function copyCookie(cookie: Cookie): Cookie {
  const copy = new Cookie(cookie as unknown as Record<string, unknown>);
  if (copy._expires instanceof Date) copy._expires = new Date(copy._expires.valueOf());
  return copy;
}

/**
 * `regenerate({ keepData: true })`: put what `from` holds on the new session `to`. The data keys
 * move as they are (the old session is dropped, so sharing nested objects with it is harmless);
 * keys `to` inherits (its methods, `id`, `req`) are skipped, as `new Session(req, data)` skips
 * them. The lifecycle stamp, when there is one, is a fresh object whose `idIssued` is now: the id
 * changed, the session's age (`created`) did not.
 */
export function moveSessionData(from: object, to: object): void {
  const source = from as Record<string, unknown>;
  const target = to as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (key === 'cookie' || (key in target && !Object.prototype.hasOwnProperty.call(target, key))) continue;
    target[key] = source[key];
  }
  const stamp = source[LIFECYCLE_KEY];
  if (typeof stamp === 'object' && stamp !== null) {
    target[LIFECYCLE_KEY] = { ...(stamp as LifecycleStamp), idIssued: Date.now() } satisfies LifecycleStamp;
  }
  const cookie = source['cookie'];
  if (typeof cookie === 'object' && cookie !== null) target['cookie'] = copyCookie(cookie as Cookie);
}
