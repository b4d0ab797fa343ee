import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { start } from './support/apps';
import { Browser, cookieAttributes, request, setCookieLine } from './support/http';
import { sessionIdOf } from './support/stores';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const app = require('../examples/app.js');

describe('example app', () => {
  it('counts views per session', async () => {
    const browser = new Browser(await start(app), 'example.sid');
    assert.match((await browser.get('/')).body, /seen this page 1 time/);
    assert.match((await browser.get('/')).body, /seen this page 2 time/);
  });

  it('signs in with a new session id and shows the name HTML-escaped', async () => {
    const browser = new Browser(await start(app), 'example.sid');
    await browser.get('/');
    const anonymous = sessionIdOf(browser.cookie);
    const login = await browser.get('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=Ada+%3Cscript%3E',
    });
    assert.equal(login.status, 302);
    const signedIn = sessionIdOf(browser.cookie);
    assert.notEqual(signedIn, anonymous);
    const home = (await browser.get('/')).body;
    assert.match(home, /Signed in as <b>Ada &#60;script&#62;<\/b>/);
  });

  it('signs out with req.session.destroy(), as SECURITY.md advises: the cookie is cleared and the old id is worth nothing', async () => {
    const server = await start(app);
    const browser = new Browser(server, 'example.sid');
    await browser.get('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=Ada',
    });
    const signedIn = browser.cookie!;
    assert.match((await browser.get('/')).body, /Signed in as <b>Ada<\/b>/);
    const logout = await browser.get('/logout', { method: 'POST' });
    assert.equal(logout.status, 302);
    const cleared = setCookieLine(logout, 'example.sid');
    assert.ok(cleared, 'the logout answer sets the cookie');
    assert.match(cleared, /^example\.sid=;/, 'to nothing: no new session is started');
    assert.ok(Date.parse(String(cookieAttributes(cleared).expires)) < Date.now(), 'and expired, so the browser drops it');
    const replayed = await request(server, '/', { headers: { cookie: signedIn } });
    assert.match(replayed.body, /seen this page 1 time/, 'the old cookie finds no session');
    assert.match(replayed.body, /Sign in/);
  });

  it('starts as `npm start` runs it and listens on PORT', async () => {
    const child = spawn(process.execPath, ['examples/app.js'], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      assert.match(chunk.toString(), /example on http:\/\/localhost:/);
    } finally {
      child.kill();
    }
  });
});
