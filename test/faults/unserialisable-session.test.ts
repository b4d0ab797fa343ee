import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { NextFunction, Request, Response } from 'express';
import session = require('../../src/index');
import { expressVersions, start, type ExpressFactory } from '../support/apps';
import { rawGet } from '../security/support/clients';
import { waitFor } from '../support/wait';

const escaped: string[] = [];
process.on('uncaughtException', (err) => escaped.push(`uncaughtException: ${String(err)}`));
process.on('unhandledRejection', (err) => escaped.push(`unhandledRejection: ${String(err)}`));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  // Fixed on purpose: it gives an escaping error time to show up, and an absence cannot be polled.
  await pause(10);
  assert.deepEqual(escaped.splice(0), [], 'nothing escaped as an uncaught exception or unhandled rejection');
});

const poisons: Array<[string, (data: Record<string, unknown>) => void, RegExp]> = [
  ['a circular reference', (data) => { data['self'] = data; }, /circular/i],
  ['a BigInt', (data) => { data['big'] = 10n; }, /BigInt/],
];

async function harness(express: ExpressFactory, poison: (data: Record<string, unknown>) => void) {
  const store = new session.MemoryStore();
  const errors: Error[] = [];
  const app = express();
  app.use(session({ secret: 's', store, resave: false, saveUninitialized: false }));
  app.get('/login', (req, res) => {
    (req.session as unknown as { user: string }).user = 'ada';
    res.end('logged in');
  });
  app.get('/poison', (req, res) => {
    poison(req.session as unknown as Record<string, unknown>);
    res.end('poisoned');
  });
  app.get('/poison-and-save', (req, res, next) => {
    poison(req.session as unknown as Record<string, unknown>);
    req.session.save((err) => (err ? next(err) : res.end('saved')));
  });
  app.get('/user', (req, res) => res.end(String((req.session as unknown as { user?: string }).user)));
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    errors.push(err);
    if (res.headersSent) return;
    res.status(500).type('text').send(`error: ${err.message}`);
  });
  const server = await start(app);
  const get = async (path: string, cookie?: string) => {
    const { responses, socketError } = await rawGet(server, path, cookie);
    assert.equal(socketError, undefined);
    assert.equal(responses.length, 1, 'exactly one response');
    const res = responses[0]!;
    return { ...res, cookie: res.headers.find(([n]) => n === 'set-cookie')?.[1].split(';')[0] };
  };
  const count = () => new Promise<number>((resolve, reject) => store.length((err, n) => (err ? reject(err) : resolve(n ?? 0))));
  return { errors, get, count };
}

for (const { label, express } of expressVersions) {
  describe(`session data that cannot be serialised fails that request, not the process (${label})`, () => {
    for (const [what, poison, message] of poisons) {
      it(`a new session holding ${what}: next(err) gets the TypeError and nothing is stored`, async () => {
        const app = await harness(express, poison);
        const res = await app.get('/poison');
        assert.equal(res.status, 500, 'the error handler answers, not the route\'s success');
        assert.match(res.body, message);
        assert.equal(res.cookie, undefined, 'no cookie for a session that was never saved');
        await waitFor(() => app.errors.length > 0, { message: 'the error in next(err)' });
        assert.equal(app.errors.length, 1);
        assert.ok(app.errors[0] instanceof TypeError);
        assert.match(app.errors[0]!.message, message);
        assert.equal(await app.count(), 0);
        assert.equal((await app.get('/user')).status, 200, 'the next request is served');
      });

      it(`a loaded session given ${what}: next(err) gets the TypeError and the stored copy is untouched`, async () => {
        const app = await harness(express, poison);
        const { cookie } = await app.get('/login');
        assert.ok(cookie);
        const res = await app.get('/poison', cookie);
        assert.equal(res.status, 500);
        await waitFor(() => app.errors.length > 0, { message: 'the error in next(err)' });
        assert.equal(app.errors.length, 1);
        assert.match(app.errors[0]!.message, message);
        assert.equal((await app.get('/user', cookie)).body, 'ada');
      });

      it(`req.session.save() of ${what} fails through the route's next(err) with a 500`, async () => {
        const app = await harness(express, poison);
        const res = await app.get('/poison-and-save');
        assert.equal(res.status, 500);
        assert.match(res.body, message);
        await waitFor(() => app.errors.length > 0, { message: 'the error in next(err)' });
        assert.equal(app.errors.length, 1);
        assert.equal(await app.count(), 0);
      });
    }
  });
}
