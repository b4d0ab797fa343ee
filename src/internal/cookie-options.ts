import type { Request } from 'express';
import type { CookieOptions } from '../cookie';
import type { SessionOptions } from '../options';
import { isSecureRequest } from './secure';

/** This request's cookie options: the `cookie` option, or what its function returns for `req`. */
export function cookieOptionsFor(option: SessionOptions['cookie'], req: Request): CookieOptions {
  if (typeof option !== 'function') return option ?? {};
  const resolved: unknown = option(req);
  if (resolved === undefined || resolved === null) return {};
  if (typeof resolved !== 'object') throw new TypeError('cookie option function must return an object');
  return resolved as CookieOptions;
}

/** Cookie options with `'auto'` values decided for this connection. */
export function resolveAuto(options: CookieOptions, req: Request, trustProxy: boolean | undefined): CookieOptions {
  if (options.secure !== 'auto' && options.sameSite !== 'auto') return options;
  const secure = isSecureRequest(req, trustProxy);
  const resolved = { ...options };
  if (resolved.secure === 'auto') resolved.secure = secure;
  if (resolved.sameSite === 'auto') resolved.sameSite = secure ? 'none' : 'lax';
  return resolved;
}
