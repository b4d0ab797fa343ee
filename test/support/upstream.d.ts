// express-session 1.19.0 itself, installed under an alias for side-by-side tests.
declare module 'express-session-upstream' {
  import type { RequestHandler } from 'express';
  function session(options?: Record<string, unknown>): RequestHandler;
  export = session;
}
