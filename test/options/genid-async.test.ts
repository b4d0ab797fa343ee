import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express, Request, RequestHandler } from 'express';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { onEachStore } from '../support/backends';
import { Browser, request } from '../support/http';
import { sessionIdOf } from '../support/stores';

type Data = Record<string, unknown>;
const data = (req: Request): Data => req.session as unknown as Data;

/** A genid that answers later (as one backed by a database sequence or a remote service would). */
function slowIds(prefix = 'async') {
  let n = 0;
  return async (_req: Request): Promise<string> => {
    await sleep(5);
    n += 1;
    return `${prefix}-${n}-${process.pid}-${Date.now()}`;
  };
}

/** `/login?user=x` stores a user; `/whoami` answers it; `/regenerate` regenerates (keepData from the query). */
function routes(app: Express): void {
  app.get('/login', (req, res) => {
    data(req)['user'] = String(req.query['user']);
    // String(): a bogus genid's id can be a number, which res.end refuses.
    res.end(String(req.sessionID));
  });
  app.get('/whoami', (req, res) => {
    res.end(String(data(req)['user']));
  });
  app.get('/regenerate', async (req, res, next) => {
    const oldId = req.sessionID;
    try {
      await req.session.regenerate({ keepData: req.query['keep'] === '1' });
    } catch (err) {
      next(err);
      return;
    }
    data(req)['regenerated'] = true;
    res.end(`${oldId} ${req.sessionID} ${req.session.id}`);
  });
}

describe('genid returning a Promise', () => {
  onEachStore('genid-async', (backend) => {
    for (const { label, express } of expressVersions) {
      describe(label, () => {
        const app = (genid: session.SessionOptions['genid']) =>
          sessionApp(express, { secret: 's', store: backend.store(), genid, resave: false, saveUninitialized: false }, routes, backend.factory);

        it('gives a new session the id the Promise resolves to, and stores it under that id', async () => {
          const browser = new Browser(await start(app(slowIds('first'))));
          const res = await browser.get('/login?user=ada');
          assert.match(res.body, /^first-1-/);
          assert.equal(sessionIdOf(browser.cookie), res.body);
          assert.equal((await backend.read(res.body))?.['user'], 'ada');
          assert.equal((await browser.get('/whoami')).body, 'ada');
        });

        it('waits for it too when the cookie names a session the store no longer has', async () => {
          const server = await start(app(slowIds('replaced')));
          const first = new Browser(server);
          const gone = await first.get('/login?user=ada');
          await new Promise<void>((resolve, reject) => backend.store().destroy(gone.body, (err) => (err ? reject(err) : resolve())));
          const res = await first.get('/login?user=grace');
          assert.notEqual(res.body, gone.body);
          assert.match(res.body, /^replaced-2-/);
          assert.equal((await backend.read(res.body))?.['user'], 'grace');
        });

        it('regenerate() waits for the new id: req.sessionID and req.session.id are it when the promise settles', async () => {
          const browser = new Browser(await start(app(slowIds('regen'))));
          await browser.get('/login?user=ada');
          const [oldId, newId, sessionId] = (await browser.get('/regenerate')).body.split(' ');
          assert.match(newId!, /^regen-2-/);
          assert.equal(sessionId, newId);
          assert.equal(sessionIdOf(browser.cookie), newId);
          assert.equal(await backend.read(oldId!), undefined);
          assert.equal((await backend.read(newId!))?.['regenerated'], true);
        });

        it('regenerate({ keepData: true }) waits for the new id and moves the data to it', async () => {
          const browser = new Browser(await start(app(slowIds('keep'))));
          await browser.get('/login?user=ada');
          const [oldId, newId] = (await browser.get('/regenerate?keep=1')).body.split(' ');
          assert.equal(await backend.read(oldId!), undefined);
          assert.equal((await backend.read(newId!))?.['user'], 'ada');
          assert.equal((await browser.get('/whoami')).body, 'ada');
        });

        it('a rejection fails the request through next(err), with no cookie and nothing stored', async () => {
          const genid = () => Promise.reject(new Error('id service down'));
          const res = await request(await start(app(genid)), '/login?user=ada');
          assert.equal(res.status, 500);
          assert.equal(res.body, 'error: id service down');
          assert.deepEqual(res.setCookies, []);
        });
      });
    }
  });
});

for (const { label, express } of expressVersions) {
  describe(`genid returning a Promise: failures and equivalences (${label})`, () => {
    const app = (genid: session.SessionOptions['genid'], saveUninitialized = false) =>
      sessionApp(express, { secret: 's', store: new session.MemoryStore(), genid, resave: false, saveUninitialized }, routes);

    it('an async genid that throws fails the request through next(err)', async () => {
      const genid = async (): Promise<string> => {
        throw new Error('no ids left');
      };
      assert.equal((await request(await start(app(genid)), '/login')).body, 'error: no ids left');
    });

    it('a rejection without a reason still fails the request, never passes as success', async () => {
      const genid = () => Promise.reject(undefined);
      const res = await request(await start(app(genid as never)), '/login');
      assert.equal(res.status, 500);
      assert.equal(res.body, 'error: genid rejected without a reason');
    });

    it('regenerate() fails with the rejection when the new id cannot be had', async () => {
      let calls = 0;
      const genid = async (): Promise<string> => {
        calls += 1;
        if (calls > 1) throw new Error('no ids left');
        return 'only-one';
      };
      const browser = new Browser(await start(app(genid)));
      await browser.get('/login?user=ada');
      const res = await browser.get('/regenerate');
      assert.equal(res.status, 500);
      assert.equal(res.body, 'error: no ids left');
    });

    for (const { what, id } of [{ what: "''", id: '' }, { what: 'undefined', id: undefined }, { what: 'a number', id: 42 }]) {
      it(`a Promise of ${what} behaves exactly as a genid returning ${what} does`, async () => {
        const flow = async (genid: () => unknown) => {
          const server = await start(app(genid as never, true));
          const alice = new Browser(server);
          const bob = new Browser(server);
          const seen: string[] = [];
          for (const [browser, path] of [[alice, '/login?user=alice'], [bob, '/login?user=bob'], [alice, '/whoami'], [bob, '/whoami']] as const) {
            const res = await browser.get(path);
            seen.push(`${res.status} ${res.body} cookies:${res.setCookies.length}`);
          }
          return seen;
        };
        assert.deepEqual(await flow(() => Promise.resolve(id)), await flow(() => id));
      });
    }
  });
}

describe('genid and the event loop', () => {
  /** Whether the middleware called next() before returning, for a request through a bare Node server. */
  async function callsNextSynchronously(middleware: RequestHandler): Promise<boolean> {
    let synchronous: boolean | undefined;
    const server = await start((req: IncomingMessage, res: ServerResponse) => {
      let called = false;
      middleware(req as never, res as never, (err?: unknown) => {
        called = true;
        res.end(err ? 'error' : 'ok');
      });
      synchronous = called;
    });
    assert.equal((await request(server, '/')).body, 'ok');
    return synchronous!;
  }

  it('a new session from the default genid is on req before the middleware returns: no tick spent', async () => {
    assert.equal(await callsNextSynchronously(session({ secret: 's', resave: false, saveUninitialized: true })), true);
  });

  it('so is one from a synchronous genid of the app', async () => {
    assert.equal(await callsNextSynchronously(session({ secret: 's', resave: false, saveUninitialized: true, genid: () => 'sync-id' })), true);
  });

  it('a Promise-returning genid makes the request wait for the id instead', async () => {
    assert.equal(await callsNextSynchronously(session({ secret: 's', resave: false, saveUninitialized: true, genid: async () => 'async-id' })), false);
  });
});
