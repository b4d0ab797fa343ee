/** The error a request fails with under `requireStore` while the store is disconnected. */
export interface StoreUnavailableError extends Error {
  /** 503 Service Unavailable, read by Express's final handler and by http-errors-style handlers. */
  readonly status: 503;
  readonly statusCode: 503;
  /** 5xx details are not for the client (http-errors' convention). */
  readonly expose: false;
  readonly code: 'ESESSIONSTORE';
}

/**
 * A fresh error per request: handlers may annotate the one they get. The message says what
 * happened and which option made it an error, so an operator reading the log knows both.
 */
export function storeUnavailable(): StoreUnavailableError {
  const err = new Error(
    "session store unavailable: it emitted 'disconnect' (and no 'connect' since), and requireStore " +
    'refuses to run the request without req.session',
  );
  return Object.assign(err, { status: 503, statusCode: 503, expose: false, code: 'ESESSIONSTORE' } as const);
}
