/**
 * The pathname of the URL the client asked for (`req.originalUrl`, which survives Express
 * mounting, else `req.url`), without query or fragment. Absolute-form request targets
 * (`GET http://host/path`) give their path, as `parseurl` did for express-session.
 */
export function originalPathname(req: { originalUrl?: string; url?: string }): string {
  const url = req.originalUrl ?? req.url ?? '';
  let start = 0;
  if (url.charCodeAt(0) !== 0x2f /* / */) {
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url);
    if (scheme) {
      const pathStart = url.indexOf('/', scheme[0].length);
      if (pathStart === -1) return '/';
      start = pathStart;
    }
  }
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code === 0x3f /* ? */ || code === 0x23 /* # */) {
      end = i;
      break;
    }
  }
  return url.slice(start, end) || '/';
}

/**
 * RFC 6265 §5.1.4 path-match: "/foo" matches "/foo" and "/foo/bar", but not "/foobar".
 * express-session 1.19.0 used a bare prefix test, which also ran sessions on "/foobar".
 */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (!requestPath.startsWith(cookiePath)) return false;
  if (requestPath.length === cookiePath.length) return true;
  return cookiePath.endsWith('/') || requestPath.charCodeAt(cookiePath.length) === 0x2f /* / */;
}
