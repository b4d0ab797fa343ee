import type { ServerResponse } from 'node:http';
import { serialize } from 'cookie';
import type { CookieData } from '../cookie';

/** Add a Set-Cookie line, keeping any the app already set (as an array, like express-session). */
export function appendSetCookie(res: ServerResponse, name: string, signedValue: string, attributes: CookieData): void {
  const line = serialize(name, signedValue, attributes as Parameters<typeof serialize>[2]);
  const previous = res.getHeader('Set-Cookie');
  const lines = previous === undefined ? [line] : Array.isArray(previous) ? [...previous, line] : [String(previous), line];
  res.setHeader('Set-Cookie', lines);
}
