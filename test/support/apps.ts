import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import express4 from 'express';
import express5 from 'express5';
import type { RequestListener } from 'node:http';
import { after } from 'node:test';
import session = require('../../src/index');
import { serve, type TestServer } from './http';

/** Both Express majors we support: every middleware behaviour is pinned on each. */
export const expressVersions = [
  { label: 'Express 4', express: express4 },
  { label: 'Express 5', express: express5 as unknown as typeof express4 },
] as const;

export type ExpressFactory = typeof express4;

/**
 * An app with the session middleware, the given routes, and an error handler that answers
 * `500 <message>` so tests can see errors passed to `next(err)`. `factory` is the middleware
 * factory: the sources by default; integration tests pass the build third-party stores load
 * (`require('express-session')`), so the middleware and the store share one copy.
 */
export function sessionApp(
  express: ExpressFactory,
  options: session.SessionOptions,
  routes: (app: Express) => void = defaultRoutes,
  factory: (options: session.SessionOptions) => RequestHandler = session,
): Express {
  const app = express();
  app.use(factory(options));
  routes(app);
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    res.status(500).type('text').send(`error: ${err.message}`);
  });
  return app;
}

/** `GET /` answers "ok" without touching the session; `GET /count` increments a counter. */
export function defaultRoutes(app: Express): void {
  app.get('/', (_req, res) => {
    res.end('ok');
  });
  app.get('/count', (req, res) => {
    const data = req.session as unknown as { count?: number };
    data.count = (data.count ?? 0) + 1;
    res.end(String(data.count));
  });
}

/** Start `app` on a free port and close it when the current test file ends. */
export async function start(app: RequestListener | Express, options: { secure?: boolean } = {}): Promise<TestServer> {
  const server = await serve(app as RequestListener, options);
  after(() => server.close());
  return server;
}

/** Session options every test would otherwise repeat. */
export const baseOptions = { secret: 'keyboard cat', resave: false, saveUninitialized: true } as const;
