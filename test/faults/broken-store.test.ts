import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { NextFunction, Request, Response } from 'express';
import session = require('../../src/index');
import { expressVersions, start, type ExpressFactory } from '../support/apps';
import { rawGet } from '../security/support/clients';
import { waitFor } from '../support/wait';
import { BrokenStore, faultMessage, type Fault, type Method } from './support/broken-store';

// A broken store must never take the process down: record anything that escapes instead of
// letting it crash the run, and fail the test it happened in.
const escaped: string[] = [];
process.on('uncaughtException', (err) => escaped.push(`uncaughtException: ${String(err)}`));
process.on('unhandledRejection', (err) => escaped.push(`unhandledRejection: ${String(err)}`));

/**
 * A few event-loop turns. Used only to see that nothing MORE happens (a second error, an escaped
 * exception): an absence cannot be polled for, so this one wait stays fixed.
 */
const quiet = () => new Promise((resolve) => setTimeout(resolve, 10));

afterEach(async () => {
  await quiet();
  const seen = escaped.splice(0);
  assert.deepEqual(seen, [], 'nothing escaped as an uncaught exception or unhandled rejection');
});

type Data = { count?: number; saved?: boolean };

/** An app on a BrokenStore that records every error reaching Express's error handler. */
async function harness(express: ExpressFactory, options: Partial<session.SessionOptions> = {}) {
  const store = new BrokenStore();
  const errors: string[] = [];
  const passes = { count: 0 };
  const app = express();
  app.use(session({ secret: 's', store, resave: false, saveUninitialized: true, ...options }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    passes.count++;
    if (!req.session) res.end('no session');
    else next();
  });
  const data = (req: Request) => req.session as unknown as Data;
  app.get('/count', (req, res) => {
    data(req).count = (data(req).count ?? 0) + 1;
    res.end(String(data(req).count));
  });
  app.get('/peek', (req, res) => res.end(String(data(req).count)));
  app.get('/save', (req, res, next) => {
    data(req).saved = true;
    req.session.save((err) => (err ? next(err) : res.end('saved')));
  });
  app.get('/logout', (req, res, next) => req.session.destroy((err) => (err ? next(err) : res.end('logged out'))));
  app.get('/unset', (req, res) => {
    delete (req as { session?: unknown }).session;
    res.end('unset');
  });
  app.get('/regenerate', (req, res, next) => req.session.regenerate((err) => (err ? next(err) : res.end('regenerated'))));
  app.get('/reload', (req, res, next) => req.session.reload((err) => (err ? next(err) : res.end(`reloaded ${data(req).count}`))));
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    errors.push(err.message);
    if (res.headersSent) return;
    res.status(500).type('text').send(`error: ${err.message}`);
  });
  const server = await start(app);

  /** One request on its own connection; exactly one response must come back, and no reset. */
  async function get(path: string, cookie?: string) {
    passes.count = 0;
    const { responses, socketError } = await rawGet(server, path, cookie);
    assert.equal(socketError, undefined, 'the connection closed cleanly');
    assert.equal(responses.length, 1, 'exactly one response');
    assert.ok(passes.count <= 1, `the request went through the app ${passes.count} times`);
    const res = responses[0]!;
    const setCookie = res.headers.find(([n, v]) => n === 'set-cookie' && v.startsWith('connect.sid='))?.[1];
    return { status: res.status, body: res.body, cookie: setCookie?.split(';')[0] };
  }

  return { store, errors, get };
}

interface Outcome {
  status: number;
  body: string | RegExp;
  /** Errors that must reach next(err), in order. */
  errors: Array<string | RegExp>;
}
const failsWith = (message: string | RegExp): Outcome => ({
  status: 500,
  body: typeof message === 'string' ? `error: ${message}` : new RegExp('^error: ' + message.source),
  errors: [message],
});
const completes = (body: string, errors: string[] = []): Outcome => ({ status: 200, body, errors });
/** The response was already committed when the store failed: it completes, and next(err) still hears of it. */
const completesThenReports = (body: string, method: Method, fault: Fault) => completes(body, [faultMessage(method, fault)]);

interface Scenario {
  /** The code path that calls the broken method. */
  path: string;
  method: Method;
  url: string;
  /** Whether the request carries the cookie of a stored session (count 1). */
  withSession: boolean;
  /** Healthy calls before the broken one (reload's get comes after the middleware's). */
  skip?: number;
  options?: Partial<session.SessionOptions>;
  outcomes: Partial<Record<Fault, Outcome>>;
}

const noCookie = /Cannot read properties of undefined \(reading 'expires'\)/;

const scenarios: Scenario[] = [
  {
    path: 'get, loading the session at the start of the request',
    method: 'get', url: '/count', withSession: true,
    outcomes: {
      'calls back with an error': failsWith('get failed'),
      'throws synchronously': failsWith('get threw'),
      'calls back twice': completes('2'),
      'returns a rejecting promise': failsWith('get rejected'),
      'calls back with an ENOENT error': completes('1'),
      'returns a session without a cookie': failsWith(noCookie),
      'returns a string instead of a session': failsWith(/session store returned a string instead of a session object/),
      'emits disconnect and calls back with an error': failsWith('get lost the connection'),
    },
  },
  {
    path: 'get, in req.session.reload()',
    method: 'get', url: '/reload', withSession: true, skip: 1,
    outcomes: {
      'calls back with an error': failsWith('get failed'),
      'throws synchronously': failsWith('get threw'),
      'calls back twice': completes('reloaded 1'),
      'returns a rejecting promise': failsWith('get rejected'),
      // reload() hands the store's error on as it is, as express-session does; ENOENT is no exception.
      'calls back with an ENOENT error': failsWith('ENOENT: no such session'),
      'returns a session without a cookie': failsWith(noCookie),
      'returns a string instead of a session': failsWith(noCookie),
      'emits disconnect and calls back with an error': failsWith('get lost the connection'),
    },
  },
  {
    path: 'set, saving a changed session at the end of the response',
    method: 'set', url: '/count', withSession: false,
    outcomes: {
      'calls back with an error': completesThenReports('1', 'set', 'calls back with an error'),
      'throws synchronously': completesThenReports('1', 'set', 'throws synchronously'),
      'calls back twice': completes('1'),
      'returns a rejecting promise': completesThenReports('1', 'set', 'returns a rejecting promise'),
      'emits disconnect and calls back with an error': completesThenReports('1', 'set', 'emits disconnect and calls back with an error'),
    },
  },
  {
    path: 'set, in req.session.save() called by a route',
    method: 'set', url: '/save', withSession: false,
    outcomes: {
      'calls back with an error': failsWith('set failed'),
      'throws synchronously': failsWith('set threw'),
      'calls back twice': completes('saved'),
      'returns a rejecting promise': failsWith('set rejected'),
      'emits disconnect and calls back with an error': failsWith('set lost the connection'),
    },
  },
  {
    path: 'touch, extending an unchanged session at the end of the response',
    method: 'touch', url: '/peek', withSession: true,
    outcomes: {
      'calls back with an error': completesThenReports('1', 'touch', 'calls back with an error'),
      'throws synchronously': completesThenReports('1', 'touch', 'throws synchronously'),
      'calls back twice': completes('1'),
      'returns a rejecting promise': completesThenReports('1', 'touch', 'returns a rejecting promise'),
      'emits disconnect and calls back with an error': completesThenReports('1', 'touch', 'emits disconnect and calls back with an error'),
    },
  },
  {
    path: 'destroy, in req.session.destroy() called by a route',
    method: 'destroy', url: '/logout', withSession: true,
    outcomes: {
      'calls back with an error': failsWith('destroy failed'),
      'throws synchronously': failsWith('destroy threw'),
      'calls back twice': completes('logged out'),
      'returns a rejecting promise': failsWith('destroy rejected'),
      'emits disconnect and calls back with an error': failsWith('destroy lost the connection'),
    },
  },
  {
    path: 'destroy, for unset: "destroy" at the end of the response',
    method: 'destroy', url: '/unset', withSession: true, options: { unset: 'destroy' },
    outcomes: {
      'calls back with an error': completesThenReports('unset', 'destroy', 'calls back with an error'),
      'throws synchronously': completesThenReports('unset', 'destroy', 'throws synchronously'),
      'calls back twice': completes('unset'),
      'returns a rejecting promise': completesThenReports('unset', 'destroy', 'returns a rejecting promise'),
      'emits disconnect and calls back with an error': completesThenReports('unset', 'destroy', 'emits disconnect and calls back with an error'),
    },
  },
  {
    path: 'destroy, in req.session.regenerate()',
    method: 'destroy', url: '/regenerate', withSession: true,
    outcomes: {
      'calls back with an error': failsWith('destroy failed'),
      'throws synchronously': failsWith('destroy threw'),
      'calls back twice': completes('regenerated'),
      'returns a rejecting promise': failsWith('destroy rejected'),
      'emits disconnect and calls back with an error': failsWith('destroy lost the connection'),
    },
  },
];

function matches(actual: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? actual === expected : expected.test(actual);
}

for (const { label, express } of expressVersions) {
  describe(`a broken store never crashes the process and answers each request once (${label})`, () => {
    for (const scenario of scenarios) {
      describe(scenario.path, () => {
        for (const [fault, outcome] of Object.entries(scenario.outcomes) as Array<[Fault, Outcome]>) {
          const verdict = outcome.status === 500 ? 'fails the request through next(err)' : outcome.errors.length > 0 ? 'completes the response, then reports through next(err)' : 'completes the request';
          it(`when ${scenario.method} ${fault}: ${verdict}`, async () => {
            const app = await harness(express, scenario.options);
            let cookie: string | undefined;
            if (scenario.withSession) {
              const first = await app.get('/count');
              assert.equal(first.body, '1');
              cookie = first.cookie;
              assert.ok(cookie, 'a session cookie to send back');
            }

            app.store.breakNext(scenario.method, fault, { skip: scenario.skip ?? 0 });
            const res = await app.get(scenario.url, cookie);
            assert.ok(app.store.fired, `the broken ${scenario.method} was called`);
            assert.equal(res.status, outcome.status, res.body);
            assert.ok(matches(res.body, outcome.body), `body ${JSON.stringify(res.body)}`);
            await waitFor(() => app.errors.length >= outcome.errors.length, { timeout: 1000, message: 'the expected errors' });
            await quiet();
            assert.equal(app.errors.length, outcome.errors.length, `errors reaching next(err): ${JSON.stringify(app.errors)}`);
            outcome.errors.forEach((expected, i) => assert.ok(matches(app.errors[i]!, expected), app.errors[i]));

            if (fault === 'calls back with an ENOENT error' && scenario.url === '/count') {
              assert.ok(res.cookie && res.cookie !== cookie, 'not found: a new session with a new id');
            }
            if (fault === 'emits disconnect and calls back with an error') {
              assert.equal((await app.get('/count')).body, 'no session', 'requests run without a session while the store is down');
              app.store.emit('connect');
            }
            // The process is up and the middleware healthy: a new visitor gets a session.
            const after = await app.get('/count');
            assert.equal(after.status, 200);
            assert.equal(after.body, '1');
            assert.ok(after.cookie);
          });
        }
      });
    }
  });
}
