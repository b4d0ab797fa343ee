import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { Browser, cookiePair, request } from '../support/http';

for (const { label, express } of expressVersions) {
  describe(`name option (${label})`, () => {
    it('names the cookie connect.sid by default', async () => {
      const res = await request(await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: true })), '/');
      assert.match(res.setCookies[0]!, /^connect\.sid=s%3A/);
    });

    it('uses the given name for the cookie it sets and the one it reads', async () => {
      const server = await start(sessionApp(express, { secret: 's', name: 'app.sid', resave: false, saveUninitialized: true }));
      const browser = new Browser(server, 'app.sid');
      const first = await browser.get('/count');
      assert.ok(cookiePair(first, 'app.sid'));
      assert.equal(cookiePair(first, 'connect.sid'), undefined);
      assert.equal((await browser.get('/count')).body, '2');
    });

    it('accepts the legacy key option as the name', async () => {
      const res = await request(await start(sessionApp(express, { secret: 's', key: 'legacy.sid', resave: false, saveUninitialized: true })), '/');
      assert.match(res.setCookies[0]!, /^legacy\.sid=/);
    });

    it('ignores cookies with other names', async () => {
      const server = await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: true }));
      const pair = cookiePair(await request(server, '/count'))!;
      const renamed = 'other' + pair.slice(pair.indexOf('='));
      assert.equal((await request(server, '/count', { headers: { cookie: renamed } })).body, '1');
    });
  });
}

describe('name option validation', () => {
  it('throws a TypeError at session() time for a name that is no cookie name (1.19.0 failed each Set-Cookie)', () => {
    for (const name of ['my session', 'sid;', 'a=b']) {
      assert.throws(() => session({ secret: 's', name, resave: false, saveUninitialized: false }), {
        name: 'TypeError',
        message: /^name option must be a valid cookie name/,
      }, name);
    }
  });
});
