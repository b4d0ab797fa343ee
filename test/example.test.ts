import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { start } from './support/apps';
import { Browser } from './support/http';
import { sessionIdOf } from './support/stores';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const app = require('../examples/app.js');

describe('example app', () => {
  it('counts views per session', async () => {
    const browser = new Browser(await start(app), 'example.sid');
    assert.match((await browser.get('/')).body, /seen this page 1 time/);
    assert.match((await browser.get('/')).body, /seen this page 2 time/);
  });

  it('signs in with a new session id and signs out with another', async () => {
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
    await browser.get('/logout', { method: 'POST' });
    assert.notEqual(sessionIdOf(browser.cookie), signedIn);
    assert.match((await browser.get('/')).body, /Sign in/);
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
