/**
 * Messages that explain a configuration the middleware obeys but that rarely does what the user
 * meant. Each names the setting to change, so a `DEBUG=express-session` line or a startup
 * warning is enough to fix it without reading the source.
 */

/** Debug line when a Secure cookie is withheld from a request that is not secure. */
export const NOT_SECURED =
  'not secured: cookie.secure is true but this request is not HTTPS as far as Express knows, so no ' +
  "Set-Cookie is sent; behind a TLS-terminating proxy use app.set('trust proxy', 1) or the proxy " +
  "option (proxy: true), or set cookie.secure to 'auto'";

/** Debug line when a cookie goes out as `SameSite=None` without `Secure`. */
export const SAME_SITE_NONE_WITHOUT_SECURE =
  'SameSite=None without Secure: browsers reject this cookie; set cookie.secure to true (over HTTPS) ' +
  "or use secure: 'auto' with sameSite: 'auto' (None over HTTPS, Lax over plain HTTP)";

/**
 * Startup warning for the default store under NODE_ENV=production. It starts as 1.19.0's did, so
 * log filters keep matching, and says what is true of this MemoryStore: it does not leak (expired
 * sessions are pruned, `max` bounds it), but it is one process's memory.
 */
export const MEMORY_STORE_WARNING =
  'Warning: connect.session() MemoryStore keeps sessions in this process\'s memory only:\n' +
  'they are lost on restart and not shared between processes or servers. It prunes\n' +
  'expired sessions and can be bounded with new MemoryStore({ max }); for production\n' +
  'use a shared store such as connect-redis or connect-pg-simple.';

/** Whether a cookie with this SameSite value and this Secure value is rejected by browsers. */
export function isRejectedSameSiteNone(sameSite: unknown, secure: unknown): boolean {
  return typeof sameSite === 'string' && sameSite.toLowerCase() === 'none' && !secure;
}
