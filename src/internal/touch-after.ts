import type { Cookie } from '../cookie';
import type { SessionOptions } from '../options';

/**
 * Most touches one middleware remembers. Past it the oldest is forgotten, which only costs an
 * earlier touch of that session (its age then comes from the stored cookie alone).
 */
const TOUCH_LOG_LIMIT = 10_000;

/** When the cookie was last given its expiry (a save or a touch): `expires − originalMaxAge`, in epoch ms. */
function touchTimeOf(cookie: Cookie | undefined): number | undefined {
  if (!cookie) return undefined;
  const { expires, originalMaxAge } = cookie;
  if (!(expires instanceof Date) || typeof originalMaxAge !== 'number') return undefined;
  const at = expires.getTime() - originalMaxAge;
  return Number.isFinite(at) ? at : undefined;
}

/**
 * When this middleware last touched each session, for `touchAfter`. The stored cookie says when
 * the session was last saved, and when it was last touched only in stores whose `touch` rewrites
 * the cookie (MemoryStore does); connect-redis and connect-pg-simple only move the key's expiry,
 * so without this log every request after the first `touchAfter` would touch again. Only touches
 * younger than `touchAfter` matter, so older ones are dropped as new ones come in.
 */
export class TouchLog {
  private readonly touchedAt = new Map<string, number>();

  constructor(private readonly touchAfter: number) {}

  /** Note a touch this middleware made (after the store confirmed it), at the time its cookie records. */
  record(id: string, cookie: Cookie): void {
    const at = touchTimeOf(cookie);
    if (at === undefined) return;
    // Re-inserted so the map stays in touch order and the oldest entries come first.
    this.touchedAt.delete(id);
    this.touchedAt.set(id, at);
    const horizon = Date.now() - this.touchAfter;
    for (const [oldId, oldAt] of this.touchedAt) {
      if (oldAt > horizon && this.touchedAt.size <= TOUCH_LOG_LIMIT) break;
      this.touchedAt.delete(oldId);
    }
  }

  /**
   * A session just loaded from the store: how many ms ago the store's copy was last saved or
   * touched, or undefined when its cookie cannot tell (a browser-session cookie) or lives no
   * longer than `touchAfter` (deferring its touch could let it expire while in use). When this
   * middleware touched it after its last save, the cookie is given the expiry that touch set:
   * the one the store and the browser have, so the route reads it and a `save()` writes it.
   */
  ageAtLoad(id: string, cookie: Cookie | undefined, now = Date.now()): number | undefined {
    const saved = touchTimeOf(cookie);
    const lifetime = cookie?.originalMaxAge;
    if (cookie === undefined || saved === undefined || typeof lifetime !== 'number' || lifetime <= this.touchAfter) return undefined;
    const touched = this.touchedAt.get(id);
    if (touched === undefined || touched <= saved) return now - saved;
    cookie.expires = new Date(touched + lifetime);
    // Setting expires recomputed originalMaxAge from the time left; the lifetime stays what it was.
    cookie.originalMaxAge = lifetime;
    return now - touched;
  }
}

/**
 * Startup warnings for static options under which `touchAfter` can never defer a touch: the user
 * expects fewer store writes and would otherwise not learn that there are none fewer.
 */
export function touchAfterWarnings(touchAfter: number, options: SessionOptions): string[] {
  const warnings: string[] = [];
  const prefix = `express-session: touchAfter (${touchAfter} ms) has no effect`;
  if (options.resave) warnings.push(`${prefix} with resave: true, which saves every request; set resave: false`);
  // A cookie function may return any lifetime per request: only the static option is known here.
  if (typeof options.cookie === 'function') return warnings;
  const { maxAge, expires } = (options.cookie || {}) as { maxAge?: unknown; expires?: unknown };
  if (typeof maxAge === 'number' && maxAge <= touchAfter) {
    warnings.push(`${prefix}: cookie.maxAge (${maxAge} ms) is not longer than it; keep touchAfter a small fraction of maxAge`);
  } else if ((maxAge === undefined || maxAge === null) && (expires === undefined || expires === null)) {
    warnings.push(`${prefix} on a browser-session cookie (no cookie.maxAge): nothing tells when the store last touched the session, so every request touches it, as without touchAfter`);
  }
  return warnings;
}
