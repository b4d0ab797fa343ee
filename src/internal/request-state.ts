import type { CookieOptions } from '../cookie';

/**
 * Where the middleware keeps its per-request bookkeeping: on the request under a symbol, so it
 * never shows up in `req.session`, in JSON or in `for...in`. A registered symbol, so that a
 * session made by a second copy of this package (a store that installed its own) still finds
 * the middleware's bookkeeping when it saves.
 */
export const kRequestState: unique symbol = Symbol.for('express-session-ts.requestState');

/** What `Session` and `Store` need from the middleware that handles their request. */
export interface RequestHooks {
  /** The cookie options in force for this request (a `cookie` function is evaluated once). */
  readonly cookieOptions: CookieOptions;
  /** Called by `session.save()` before it writes, to remember what was saved. */
  beforeSave(session: object): void;
}

export interface HookedRequest {
  [kRequestState]?: RequestHooks | undefined;
}
