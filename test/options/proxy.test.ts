import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expressVersions, sessionApp, start } from '../support/apps';
import { cookieAttributes, request, setCookieLine } from '../support/http';

const base = { secret: 's', resave: false, saveUninitialized: true, cookie: { secure: true } } as const;
const forwardedHttps = { 'x-forwarded-proto': 'https' };

for (const { label, express } of expressVersions) {
  describe(`proxy option (${label})`, () => {
    it('true: trusts X-Forwarded-Proto https and sends the Secure cookie', async () => {
      const res = await request(await start(sessionApp(express, { ...base, proxy: true })), '/', { headers: forwardedHttps });
      assert.equal(cookieAttributes(setCookieLine(res)!).secure, true);
    });

    it('true: reads only the first X-Forwarded-Proto value, case-insensitively and trimmed', async () => {
      const server = await start(sessionApp(express, { ...base, proxy: true }));
      assert.equal((await request(server, '/', { headers: { 'x-forwarded-proto': ' HTTPS , http' } })).setCookies.length, 1);
      assert.equal((await request(server, '/', { headers: { 'x-forwarded-proto': 'http, https' } })).setCookies.length, 0);
    });

    it('true: sends no Secure cookie without the header', async () => {
      const res = await request(await start(sessionApp(express, { ...base, proxy: true })), '/');
      assert.deepEqual(res.setCookies, []);
    });

    it('false: ignores X-Forwarded-Proto even when Express trusts the proxy', async () => {
      const app = sessionApp(express, { ...base, proxy: false });
      app.set('trust proxy', true);
      const res = await request(await start(app), '/', { headers: forwardedHttps });
      assert.deepEqual(res.setCookies, []);
    });

    it("undefined: follows Express's trust proxy setting through req.secure", async () => {
      const trusting = sessionApp(express, base);
      trusting.set('trust proxy', true);
      assert.equal((await request(await start(trusting), '/', { headers: forwardedHttps })).setCookies.length, 1);
      const untrusting = sessionApp(express, base);
      assert.equal((await request(await start(untrusting), '/', { headers: forwardedHttps })).setCookies.length, 0);
    });
  });
}
