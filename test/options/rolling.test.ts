import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expressVersions, sessionApp, start } from '../support/apps';
import { Browser, cookieAttributes, request, setCookieLine } from '../support/http';

for (const { label, express } of expressVersions) {
  describe(`rolling option (${label})`, () => {
    it('true: sets the cookie on every response, with a fresh expiry', async () => {
      const browser = new Browser(await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: true, rolling: true, cookie: { maxAge: 60_000 } })));
      const first = Date.parse(cookieAttributes(setCookieLine(await browser.get('/'))!).expires as string);
      // Time passing is the behaviour: Expires has whole seconds, so a later one needs a new second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const second = setCookieLine(await browser.get('/'));
      assert.ok(second, 'an unchanged session still gets the cookie');
      assert.ok(Date.parse(cookieAttributes(second).expires as string) > first);
    });

    it('false: does not resend the cookie for an unchanged session', async () => {
      const browser = new Browser(await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: true, cookie: { maxAge: 60_000 } })));
      assert.ok(setCookieLine(await browser.get('/')));
      assert.equal(setCookieLine(await browser.get('/')), undefined);
    });

    it('false: resends a cookie with an expiry when the session changed', async () => {
      const browser = new Browser(await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: true, cookie: { maxAge: 60_000 } })));
      await browser.get('/');
      assert.ok(setCookieLine(await browser.get('/count')));
    });

    it('false: does not resend a browser-session cookie (no expiry) even when the session changed', async () => {
      const browser = new Browser(await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: true })));
      await browser.get('/count');
      assert.equal(setCookieLine(await browser.get('/count')), undefined);
    });

    it('true: does not set the cookie for an uninitialized session when saveUninitialized is false', async () => {
      const server = await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: false, rolling: true }));
      assert.deepEqual((await request(server, '/')).setCookies, []);
      assert.equal((await request(server, '/count')).setCookies.length, 1);
    });
  });
}
