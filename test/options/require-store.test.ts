import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express, NextFunction, Request, Response } from 'express';
import session = require('../../src/index');
import { defaultRoutes, expressVersions, sessionApp, start } from '../support/apps';
import { onEachStore } from '../support/backends';
import { Browser } from '../support/http';
import { waitFor } from '../support/wait';

type StatusError = Error & { status?: number; statusCode?: number };

/** The routes, and an error handler that answers with the error's own status and message. */
function routesWithStatus(app: Express): void {
  defaultRoutes(app);
  app.get('/has-session', (req, res) => {
    res.end(String(Boolean(req.session)));
  });
  app.use((err: StatusError, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).end(`${err.status} ${err.statusCode} ${err.message}`);
  });
}

/** `body` while the store says it is disconnected; it says it is back afterwards, whatever happens. */
async function whileDisconnected(store: session.Store, body: () => Promise<void>): Promise<void> {
  store.emit('disconnect');
  try {
    await body();
  } finally {
    store.emit('connect');
  }
}

describe('requireStore', () => {
  onEachStore('require-store', (backend) => {
    for (const { label, express } of expressVersions) {
      describe(label, () => {
        function app(extra: session.SessionOptions = {}) {
          const options = { secret: 's', store: backend.store(), resave: false, saveUninitialized: false, requireStore: true, ...extra };
          return sessionApp(express, options, routesWithStatus, backend.factory);
        }

        it('fails requests with an error of status 503 through next(err) while the store is disconnected', async () => {
          const browser = new Browser(await start(app()));
          await whileDisconnected(backend.store(), async () => {
            const res = await browser.get('/count');
            assert.equal(res.status, 503);
            assert.match(res.body, /^503 503 session store unavailable: it emitted 'disconnect'.*requireStore/);
            assert.deepEqual(res.setCookies, []);
          });
        });

        it('serves the same session again once the store emits connect', async () => {
          const browser = new Browser(await start(app()));
          assert.equal((await browser.get('/count')).body, '1');
          await whileDisconnected(backend.store(), async () => {
            assert.equal((await browser.get('/count')).status, 503);
          });
          assert.equal((await browser.get('/count')).body, '2');
        });

        it('lets requests outside the cookie path through, untouched, while disconnected', async () => {
          const browser = new Browser(await start(app({ cookie: { path: '/account' } })));
          await whileDisconnected(backend.store(), async () => {
            const res = await browser.get('/has-session');
            assert.equal(res.status, 200);
            assert.equal(res.body, 'false');
          });
        });

        it('without requireStore, runs requests without req.session while disconnected, as express-session', async () => {
          const browser = new Browser(await start(app({ requireStore: false })));
          await whileDisconnected(backend.store(), async () => {
            const res = await browser.get('/has-session');
            assert.equal(res.status, 200);
            assert.equal(res.body, 'false');
          });
        });

        it("reaches Express's own final handler as 503 Service Unavailable", async () => {
          const plain = express();
          plain.use(backend.factory({ secret: 's', store: backend.store(), resave: false, saveUninitialized: false, requireStore: true }));
          plain.get('/', (_req, res) => {
            res.end('ok');
          });
          const browser = new Browser(await start(plain));
          await whileDisconnected(backend.store(), async () => {
            assert.equal((await browser.get('/')).status, 503);
          });
          assert.equal((await browser.get('/')).status, 200);
        });
      });
    }

    if (backend.redis) {
      it("refuses requests while the Redis client is closed and serves the same session once it reconnects (the client's end/ready wired to the store's disconnect/connect)", async () => {
        const store = backend.store();
        const client = backend.redis!.client() as unknown as {
          on(event: string, listener: () => void): void;
          off(event: string, listener: () => void): void;
          close(): Promise<void>;
          connect(): Promise<unknown>;
        };
        const onEnd = () => store.emit('disconnect');
        const onReady = () => store.emit('connect');
        client.on('end', onEnd);
        client.on('ready', onReady);
        try {
          const options = { secret: 's', store, resave: false, saveUninitialized: false, requireStore: true };
          const browser = new Browser(await start(sessionApp(expressVersions[0].express, options, routesWithStatus, backend.factory)));
          assert.equal((await browser.get('/count')).body, '1');
          await client.close();
          assert.equal((await browser.get('/count')).status, 503);
          await client.connect();
          await waitFor(async () => (await browser.get('/count')).status === 200, { message: 'requests to work again' });
          assert.equal((await browser.get('/count')).body, '3', 'the session from before the outage');
        } finally {
          client.off('end', onEnd);
          client.off('ready', onReady);
        }
      });
    }
  });
});

describe('requireStore error', () => {
  it('is a fresh Error per request, with status, statusCode, expose: false and a code', async () => {
    const store = new session.MemoryStore();
    const seen: unknown[] = [];
    const server = await start(sessionApp(expressVersions[0].express, { secret: 's', store, resave: false, saveUninitialized: false, requireStore: true }, (app) => {
      app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
        seen.push(err);
        res.status(503).end();
      });
    }));
    const browser = new Browser(server);
    await whileDisconnected(store, async () => {
      await browser.get('/');
      await browser.get('/');
    });
    assert.equal(seen.length, 2);
    assert.notEqual(seen[0], seen[1]);
    assert.ok(seen[0] instanceof Error);
    assert.deepEqual(
      { status: 503, statusCode: 503, expose: false, code: 'ESESSIONSTORE' },
      (({ status, statusCode, expose, code }) => ({ status, statusCode, expose, code }))(seen[0] as unknown as Record<string, unknown>),
    );
  });
});
