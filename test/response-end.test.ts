import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import upstreamSession from 'express-session-upstream';
import session = require('../src/index');
import { expressVersions, sessionApp, start } from './support/apps';
import { request } from './support/http';

const implementations = [
  { name: 'ours', factory: session as (options: session.SessionOptions) => RequestHandler },
  { name: 'express-session 1.19.0', factory: upstreamSession as (options: session.SessionOptions) => RequestHandler },
] as const;

/** What one route that ends its response twice saw and sent. */
interface Outcome {
  status: number;
  body: string;
  cookies: number;
  secondReturned: unknown;
  firstCallbackRan: boolean;
  secondCallbackRan: boolean;
}

type Ending = (res: Response, calls: { first: () => void; second: () => void }) => unknown;

/**
 * Run one request whose route calls `ending`, with `modify` deciding whether the session has
 * something to save (so the first end() waits for the store) or not (it goes straight out).
 */
async function endTwice(
  express: (typeof expressVersions)[number]['express'],
  factory: (options: session.SessionOptions) => RequestHandler,
  modify: boolean,
  ending: Ending,
): Promise<Outcome> {
  let secondReturned: unknown;
  let firstCallbackRan = false;
  let secondCallbackRan = false;
  let finished: Promise<unknown> | undefined;
  const app = sessionApp(express, { secret: 's', resave: false, saveUninitialized: false }, (a) => {
    a.get('/', (req, res) => {
      finished = once(res, 'finish');
      if (modify) (req.session as unknown as { n: number }).n = 1;
      secondReturned = ending(res, {
        first: () => { firstCallbackRan = true; },
        second: () => { secondCallbackRan = true; },
      });
    });
  }, factory);
  const res = await request(await start(app), '/');
  await finished;
  // Node calls an end() callback from 'finish' or, for a late end(), on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  return { status: res.status, body: res.body, cookies: res.setCookies.length, secondReturned, firstCallbackRan, secondCallbackRan };
}

const endings: { what: string; ending: Ending }[] = [
  {
    what: "res.end('a') then res.end('b')",
    ending: (res) => {
      res.end('a');
      return res.end('b');
    },
  },
  {
    what: 'res.end() twice without data',
    ending: (res) => {
      res.end();
      return res.end();
    },
  },
  {
    what: "res.end('a', callback) then res.end('b', callback)",
    ending: (res, calls) => {
      res.end('a', calls.first);
      return res.end('b', calls.second);
    },
  },
];

for (const { label, express } of expressVersions) {
  describe(`res.end called twice (${label})`, { timeout: 10_000 }, () => {
    for (const { what, ending } of endings) {
      for (const modify of [true, false]) {
        const when = modify ? 'while the session is being saved' : 'with nothing to save';
        it(`ignores the second call of ${what} ${when}, and sends what express-session sends`, async () => {
          const outcomes: Outcome[] = [];
          for (const { factory } of implementations) outcomes.push(await endTwice(express, factory, modify, ending));
          const [ours, upstream] = outcomes as [Outcome, Outcome];
          assert.equal(ours.status, 200);
          assert.equal(ours.body, what.includes("'a'") ? 'a' : '');
          assert.equal(ours.secondReturned, false, 'the ignored call returns false');
          assert.equal(ours.secondCallbackRan, false, "the ignored call's callback never runs");
          assert.deepEqual(ours, upstream);
        });
      }
    }
  });
}

describe('a res.end() that Node itself rejects (a number as the body)', () => {
  const cases = [
    { what: 'a session with nothing to save', options: { saveUninitialized: false } },
    { what: 'a new session the end of the response saves first', options: { saveUninitialized: true } },
    { what: 'a bogus (non-string) session id', options: { saveUninitialized: true, genid: () => 5 as unknown as string } },
  ];
  for (const { label, express } of expressVersions) {
    for (const { what, options } of cases) {
      it(`reaches the app's error handler, neither hanging the request nor crashing the process, with ${what} (${label})`, { timeout: 5_000 }, async () => {
        const uncaught: unknown[] = [];
        const onUncaught = (err: unknown): void => {
          uncaught.push(err);
        };
        process.on('uncaughtException', onUncaught);
        try {
          const app = sessionApp(express, { secret: 's', resave: false, ...options }, (a) => {
            a.get('/', (req, res) => {
              (res.end as (chunk: unknown) => void)(5);
            });
            const handler: ErrorRequestHandler = (err, req, res, _next) => {
              res.status(500).end(`handled ${(err as { code?: string }).code}`);
            };
            a.use(handler);
          });
          const res = await request(await start(app), '/');
          assert.equal(res.body, 'handled ERR_INVALID_ARG_TYPE');
          await new Promise((resolve) => setImmediate(resolve));
          assert.deepEqual(uncaught, []);
        } finally {
          process.off('uncaughtException', onUncaught);
        }
      });
    }
  }
});
