import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { format } from 'node:util';
import { log } from '../src/internal/debug';
import { expressVersions, sessionApp, start } from './support/apps';
import { request, setCookieLine } from './support/http';

// What DEBUG=express-session would print, captured in this process (each test file runs in its
// own process, so no other file sees the logger switched on).
const lines: string[] = [];
const wasEnabled = log.enabled;
log.enabled = true;
log.log = (...args: unknown[]) => {
  lines.push(format(...args));
};
after(() => {
  log.enabled = wasEnabled;
});

const base = { secret: 's', resave: false, saveUninitialized: true } as const;

function logged(pattern: RegExp): boolean {
  return lines.some((line) => pattern.test(line));
}

for (const { label, express } of expressVersions) {
  describe(`debug lines that explain a cookie the browser will not keep (${label})`, () => {
    beforeEach(() => {
      lines.length = 0;
    });

    it("explains a Secure cookie withheld on plain HTTP: trust proxy, the proxy option and 'auto'", async () => {
      const res = await request(await start(sessionApp(express, { ...base, cookie: { secure: true } })), '/');
      assert.deepEqual(res.setCookies, []);
      const line = lines.find((l) => l.includes('not secured'));
      assert.ok(line, lines.join('\n'));
      assert.match(line, /cookie\.secure is true but this request is not HTTPS/);
      assert.match(line, /app\.set\('trust proxy', 1\)/);
      assert.match(line, /the proxy option \(proxy: true\)/);
      assert.match(line, /cookie\.secure to 'auto'/);
    });

    it('the advice works: with trust proxy set, X-Forwarded-Proto: https gets the cookie and no such line', async () => {
      const options = { ...base, cookie: { secure: true } };
      const headers = { 'x-forwarded-proto': 'https' };
      assert.deepEqual((await request(await start(sessionApp(express, options)), '/', { headers })).setCookies, []);
      assert.ok(logged(/^.*not secured: /));
      lines.length = 0;
      const app = sessionApp(express, options);
      app.set('trust proxy', 1);
      assert.ok(setCookieLine(await request(await start(app), '/', { headers })));
      assert.equal(logged(/not secured/), false);
    });

    it('explains that browsers reject SameSite=None without Secure', async () => {
      const res = await request(await start(sessionApp(express, { ...base, cookie: { sameSite: 'none' } })), '/');
      assert.match(setCookieLine(res)!, /SameSite=None/);
      assert.ok(logged(/SameSite=None without Secure: browsers reject this cookie; set cookie\.secure to true \(over HTTPS\) or use secure: 'auto' with sameSite: 'auto'/), lines.join('\n'));
    });

    it("says nothing of SameSite when None goes with Secure, or 'auto' resolves to Lax on plain HTTP", async () => {
      await request(await start(sessionApp(express, { ...base, cookie: { sameSite: 'none', secure: true } }), { secure: true }), '/');
      await request(await start(sessionApp(express, { ...base, cookie: { sameSite: 'auto', secure: 'auto' } })), '/');
      assert.ok(logged(/set-cookie/), 'cookies were set');
      assert.equal(logged(/SameSite/), false, lines.join('\n'));
    });
  });
}
