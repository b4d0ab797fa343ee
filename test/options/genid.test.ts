import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { request } from '../support/http';
import { CountingStore, sessionIdOf } from '../support/stores';

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

describe('genid option validation', () => {
  it('throws a TypeError when genid is not a function', () => {
    assert.throws(() => session({ secret: 's', genid: 'nope' as never, resave: false, saveUninitialized: false }), {
      name: 'TypeError',
      message: 'genid option must be a function',
    });
  });
});
