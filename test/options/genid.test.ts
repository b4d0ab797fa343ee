import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Express, Request, RequestHandler } from 'express';
import upstreamSession from 'express-session-upstream';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { Browser, request } from '../support/http';
import { CountingStore, sessionIdOf } from '../support/stores';

const UpstreamMemoryStore: new () => session.Store = require('express-session-upstream/session/memory');

/** Ids a genid can return that express-session never resumes: empty, falsy, or not a string. */
const bogusIds: { what: string; id: unknown }[] = [
  { what: "''", id: '' },
  { what: 'undefined', id: undefined },
  { what: 'null', id: null },
  { what: '0', id: 0 },
  { what: 'false', id: false },
  { what: 'a number', id: 42 },
];

/** `/login?user=x` stores a user; `/whoami` answers with it. */
function loginRoutes(app: Express): void {
  app.get('/login', (req, res) => {
    (req.session as unknown as { user: string }).user = String(req.query['user']);
    res.end('welcome');
  });
  app.get('/whoami', (req, res) => {
    res.end(String((req.session as unknown as { user?: string }).user));
  });
}

/** Two browsers log in as different users, then each asks who it is; every response, in order. */
async function twoUsers(express: (typeof expressVersions)[number]['express'], factory: (o: session.SessionOptions) => RequestHandler, store: session.Store, id: unknown) {
  const options = { secret: 's', genid: () => id as string, store, resave: false, saveUninitialized: false };
  const server = await start(sessionApp(express, options, loginRoutes, factory));
  const alice = new Browser(server);
  const bob = new Browser(server);
  const seen: string[] = [];
  for (const [browser, path] of [[alice, '/login?user=alice'], [bob, '/login?user=bob'], [alice, '/whoami'], [bob, '/whoami']] as const) {
    const res = await browser.get(path);
    seen.push(`${res.status} ${res.body} cookies:${res.setCookies.length}`);
  }
  return seen;
}

/** The express-session debug lines of a flow with a genid returning `id`, from a fresh process. */
async function debugEvents(which: 'ours' | 'upstream', id: unknown): Promise<string[]> {
  const root = resolve(__dirname, '..', '..');
  const code = `
    const http = require('node:http');
    const express = require('express');
    const session = require(${JSON.stringify(which === 'ours' ? resolve(root, 'dist', 'index.js') : 'express-session-upstream')});
    const app = express();
    app.use(session({ secret: 's', genid: () => ${JSON.stringify(id) ?? 'undefined'}, resave: false, saveUninitialized: true }));
    app.get('/', (req, res) => { req.session.n = 1; res.end('ok'); });
    const server = app.listen(0, '127.0.0.1', async () => {
      const url = 'http://127.0.0.1:' + server.address().port + '/';
      const first = await fetch(url);
      const cookie = (first.headers.get('set-cookie') || '').split(';')[0];
      await first.text();
      await (await fetch(url, { headers: cookie ? { cookie } : {} })).text();
      server.close();
    });`;
  const { stderr } = await promisify(execFile)(process.execPath, ['-e', code], {
    cwd: root,
    env: { ...process.env, DEBUG: 'express-session', DEBUG_COLORS: 'no', NO_DEPRECATION: 'express-session' },
    timeout: 20_000,
  });
  return stderr
    .split('\n')
    .filter((line) => line.includes('express-session '))
    .map((line) => line.slice(line.indexOf('express-session ') + 'express-session '.length))
    // The value after the message: express-session printed it, we print its type only.
    .map((message) => message.replace(/ (bogus req\.sessionID) .*$/, ' $1').replace(/ (sid#[0-9a-f]{6}|s%3A\S*|\S*=s%3A.*|[A-Za-z0-9_-]{32})$/, ''))
    .map((message) => message.trimEnd())
    .filter((message) => !message.startsWith('set-cookie'));
}

for (const { label, express } of expressVersions) {
  describe(`genid option (${label})`, () => {
    it('makes 32-character base64url ids by default', async () => {
      const res = await request(await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: true })), '/');
      assert.match(sessionIdOf(res.setCookies[0]) ?? '', /^[A-Za-z0-9_-]{32}$/);
    });

    it('makes a different id for every new session, across many of them', async () => {
      const server = await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: true }));
      const ids = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const id = sessionIdOf((await request(server, '/')).setCookies[0]) ?? '';
        assert.match(id, /^[A-Za-z0-9_-]{32}$/);
        ids.add(id);
      }
      assert.equal(ids.size, 300);
    });

    it('uses the id the function returns, and passes it the request', async () => {
      const seen: string[] = [];
      const genid = (req: Request) => {
        seen.push(req.url);
        return 'custom-id-' + seen.length;
      };
      const server = await start(sessionApp(express, { secret: 's', genid, resave: false, saveUninitialized: true }));
      const res = await request(server, '/?x=1');
      assert.equal(sessionIdOf(res.setCookies[0]), 'custom-id-1');
      assert.deepEqual(seen, ['/?x=1']);
    });

    it('neither saves nor sends a cookie when the id is not a string', async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { secret: 's', genid: () => 42 as never, store, resave: false, saveUninitialized: true }));
      const res = await request(server, '/count');
      assert.equal(res.status, 200);
      assert.deepEqual(res.setCookies, []);
      assert.equal(store.calls.set, 0);
    });
  });
}

for (const { label, express } of expressVersions) {
  describe(`genid returning an empty, falsy or non-string id (${label})`, () => {
    for (const { what, id } of bogusIds) {
      it(`never lets two users share a session when genid returns ${what}, exactly as express-session`, async () => {
        const ours = await twoUsers(express, session, new session.MemoryStore(), id);
        const upstream = await twoUsers(express, upstreamSession as never, new UpstreamMemoryStore(), id);
        assert.equal(ours[2], '200 undefined cookies:' + ours[2]!.slice(-1), 'alice is nobody on her next request');
        assert.equal(ours[3]!.startsWith('200 undefined'), true, 'bob is nobody on his next request');
        assert.deepEqual(ours, upstream);
      });
    }

    it("never looks the empty id up in the store, although express-session's rules still save it", async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { secret: 's', genid: () => '', store, resave: false, saveUninitialized: true }, loginRoutes));
      const browser = new Browser(server);
      await browser.get('/login?user=alice');
      assert.equal(sessionIdOf(browser.cookie), '', 'the empty id went out in a signed cookie');
      await browser.get('/whoami');
      assert.equal(store.calls.get, 0);
    });
  });
}

describe('genid debug output', () => {
  for (const { what, id } of [{ what: "''", id: '' }, { what: 'undefined', id: undefined }, { what: 'a number', id: 42 }]) {
    it(`logs what express-session logs when genid returns ${what}, "session ignored because of bogus req.sessionID" included`, async () => {
      const [ours, upstream] = await Promise.all([debugEvents('ours', id), debugEvents('upstream', id)]);
      if (typeof id !== 'string') assert.ok(ours.includes('session ignored because of bogus req.sessionID'), ours.join('\n'));
      assert.deepEqual(ours, upstream);
    });
  }
});

describe('genid option validation', () => {
  it('throws a TypeError when genid is not a function', () => {
    assert.throws(() => session({ secret: 's', genid: 'nope' as never, resave: false, saveUninitialized: false }), {
      name: 'TypeError',
      message: 'genid option must be a function',
    });
  });
});
