import { parse } from 'cookie';
import { log } from './debug';
import { deprecate } from './deprecate';
import { unsignSessionId, type SecretKey, type VerifiedMacs } from './signing';

/** The request fields the session cookie can come from (cookie-parser adds the last two). */
export interface CookieSource {
  headers: { cookie?: string | undefined };
  signedCookies?: Record<string, unknown> | undefined;
  cookies?: Record<string, unknown> | undefined;
}

/** A session id taken from a correctly signed cookie. */
export interface SessionCookie {
  id: string;
  /** The signed value as received when the first secret signed it, so it can be sent back as is. */
  signedByFirstSecret: string | undefined;
}

function unsignRaw(raw: unknown, secrets: readonly SecretKey[], remembered: VerifiedMacs | undefined): SessionCookie | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (!raw.startsWith('s:')) {
    log('cookie unsigned');
    return undefined;
  }
  const verified = unsignSessionId(raw.slice(2), secrets, remembered);
  if (verified === undefined) {
    log('cookie signature invalid');
    return undefined;
  }
  return { id: verified.id, signedByFirstSecret: verified.secretIndex === 0 ? raw : undefined };
}

/**
 * The session id the browser sent: from the Cookie header, else (for apps that still run
 * cookie-parser first) from `req.signedCookies` or `req.cookies`, in express-session's order.
 * Only a value signed by one of `secrets` counts; the first cookie of that name wins.
 * `remembered`: the calling middleware's MACs of ids it verified before (see unsignSessionId).
 */
export function readSessionCookie(
  req: CookieSource,
  name: string,
  secrets: readonly SecretKey[],
  remembered?: VerifiedMacs,
): SessionCookie | undefined {
  const header = req.headers.cookie;
  if (typeof header === 'string' && header !== '') {
    const found = unsignRaw(parse(header)[name], secrets, remembered);
    if (found) return found;
  }

  const fromSignedCookies = req.signedCookies?.[name];
  if (typeof fromSignedCookies === 'string' && fromSignedCookies !== '') {
    deprecate('cookie should be available in req.headers.cookie');
    return { id: fromSignedCookies, signedByFirstSecret: undefined };
  }

  const fromCookies = req.cookies ? unsignRaw(req.cookies[name], secrets, remembered) : undefined;
  if (fromCookies) {
    deprecate('cookie should be available in req.headers.cookie');
    return { id: fromCookies.id, signedByFirstSecret: undefined };
  }
  return undefined;
}
