import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { NextFunction, Request, Response } from 'express';
import session = require('../src/index');
import { expressVersions, start, type ExpressFactory } from './support/apps';
import { Browser, request } from './support/http';

// Whatever the app does to res.end, the process must stay up: collect what escapes instead.
const escaped: string[] = [];
process.on('uncaughtException', (err) => escaped.push(`uncaughtException: ${String(err)}`));
process.on('unhandledRejection', (err) => escaped.push(`unhandledRejection: ${String(err)}`));

/** Wait (up to a second) until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 1000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
}

afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(escaped.splice(0), [], 'nothing escaped as an uncaught exception or unhandled rejection');
});

type Data = { n?: number; self?: unknown };

function app(express: ExpressFactory, options: Partial<session.SessionOptions>, errors: string[]) {
  const store = new session.MemoryStore();
  const slowSet = store.set.bind(store);
  // The store answers a little later, so that calls made meanwhile meet a commit in progress.
  store.set = (sid, data, callback) => setTimeout(() => slowSet(sid, data, callback), 20);
  const created = express();
  created.use(session({ secret: 's', store, resave: false, saveUninitialized: false, ...options }));
  created.get('/login', (req, res) => {
    (req.session as unknown as Data).n = 1;
    res.end('in');
  });
  created.get('/end-twice', (req, res) => {
    (req.session as unknown as Data).n = 2;
    res.end('first');
    res.end('second');
  });
  created.get('/save-calls-back-twice', (req, res) => {
    (req.session as unknown as Data).n = 3;
    // An app's own save(), as some middleware installs: it answers twice.
    Object.defineProperty(req.session, 'save', {
      value: (done: (err?: unknown) => void) => {
        done();
        done();
      },
    });
    res.end('once');
  });
  created.get('/unstorable', (req, res) => {
    (req.session as unknown as Data).self = req.session;
    res.end('route answered');
  });
  created.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    errors.push(err.message);
    if (!res.headersSent) res.status(500).end('error handler answered');
  });
  return created;
}

for (const { label, express } of expressVersions) {
  describe(`res.end while the session is committed (${label})`, () => {
    it('ignores a second res.end with data while the store is saving: the first body goes out, the process stays up', async () => {
      const errors: string[] = [];
      const server = await start(app(express, {}, errors));
      const res = await request(server, '/end-twice');
      assert.equal(res.status, 200);
      assert.equal(res.body, 'first');
      assert.equal(res.setCookies.length, 1);
      assert.deepEqual(errors, []);
    });

    it('ends the response once when a session\'s save() calls back twice', async () => {
      const errors: string[] = [];
      const server = await start(app(express, {}, errors));
      const res = await request(server, '/save-calls-back-twice');
      assert.equal(res.body, 'once');
      await until(() => escaped.length > 0);
      assert.deepEqual(errors, []);
    });

    it('sends no session cookie on the error response of a session that cannot be stored, even with rolling', async () => {
      const errors: string[] = [];
      const browser = new Browser(await start(app(express, { rolling: true }, errors)));
      await browser.get('/login');
      const res = await browser.get('/unstorable');
      assert.equal(res.status, 500);
      assert.equal(res.body, 'error handler answered');
      assert.deepEqual(res.setCookies, [], 'nothing was stored, so no new expiry is announced');
      await until(() => errors.length > 0);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /circular/i);
    });
  });
}
