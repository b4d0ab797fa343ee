import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session = require('../src/index');

const { Cookie } = session;

describe('Cookie', () => {
  describe('defaults', () => {
    it('is a browser-session cookie on path / with HttpOnly', () => {
      const cookie = new Cookie();
      assert.equal(cookie.path, '/');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.maxAge, null);
      assert.equal(cookie.expires, null);
      assert.equal(cookie.originalMaxAge, null);
    });

    it('copies every option given except `data`', () => {
      const cookie = new Cookie({ path: '/app', domain: 'example.com', secure: true, sameSite: 'strict', data: { x: 1 } } as never);
      assert.equal(cookie.path, '/app');
      assert.equal(cookie.domain, 'example.com');
      assert.equal(cookie.secure, true);
      assert.equal(cookie.sameSite, 'strict');
      assert.equal(cookie.data.path, '/app');
      assert.equal(Object.prototype.hasOwnProperty.call(cookie, 'data'), false);
    });

    it('throws a TypeError when options is not an object', () => {
      assert.throws(() => new Cookie('bogus' as never), { name: 'TypeError', message: 'argument options must be a object' });
    });
  });

  describe('maxAge', () => {
    it('sets expires that many milliseconds from now', () => {
      const before = Date.now();
      const cookie = new Cookie({ maxAge: 60_000 });
      assert.ok(cookie.expires instanceof Date);
      const expires = (cookie.expires as Date).valueOf();
      assert.ok(expires >= before + 60_000 && expires <= Date.now() + 60_000);
    });

    it('reads back the milliseconds left, counting down', async () => {
      const cookie = new Cookie({ maxAge: 1000 });
      assert.ok(cookie.maxAge! <= 1000 && cookie.maxAge! > 900);
      // Time passing is the behaviour under test: maxAge must count down with the clock.
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.ok(cookie.maxAge! < 1000 - 20);
    });

    it('keeps originalMaxAge as given', () => {
      // Like express-session, originalMaxAge is read back from the expiry just set, so a
      // tick between the two (a loaded machine, a GC pause) can take a few milliseconds off.
      const cookie = new Cookie({ maxAge: 5000 });
      assert.ok(cookie.originalMaxAge! > 4950 && cookie.originalMaxAge! <= 5000, String(cookie.originalMaxAge));
      cookie.maxAge = 2000;
      assert.ok(cookie.originalMaxAge! > 1950 && cookie.originalMaxAge! <= 2000, String(cookie.originalMaxAge));
    });

    it('accepts a Date (deprecated) as an absolute expiry', () => {
      const date = new Date(Date.now() + 10_000);
      const cookie = new Cookie();
      cookie.maxAge = date;
      assert.equal(cookie.expires, date);
    });

    it('rejects values that are neither number nor Date with a TypeError', () => {
      const cookie = new Cookie();
      assert.throws(() => { cookie.maxAge = '1000' as never; }, { name: 'TypeError', message: 'maxAge must be a number or Date' });
      assert.throws(() => { cookie.maxAge = {} as never; }, TypeError);
    });

    it('records exactly the maxAge asked for as originalMaxAge, even when the clock ticks while setting it', (t) => {
      let now = 1_700_000_000_000;
      t.mock.method(Date, 'now', () => now++);
      const cookie = new Cookie();
      cookie.maxAge = 60_000;
      assert.equal(cookie.originalMaxAge, 60_000);
      assert.equal((cookie.expires as Date).valueOf(), 1_700_000_000_000 + 60_000);
    });

    it('null makes it a browser-session cookie again', () => {
      const cookie = new Cookie({ maxAge: 1000 });
      cookie.maxAge = null;
      assert.equal(cookie.expires, null);
      assert.equal(cookie.maxAge, null);
    });

    it('lets the later of maxAge and expires win when both are given', () => {
      const date = new Date(Date.now() + 3_600_000);
      const maxAgeLast = new Cookie({ expires: date, maxAge: 1000 });
      assert.ok(maxAgeLast.maxAge! <= 1000);
      const expiresLast = new Cookie({ maxAge: 1000, expires: date });
      assert.equal(expiresLast.expires, date);
    });
  });

  describe('expires', () => {
    it('sets originalMaxAge to the time left when assigned', () => {
      const cookie = new Cookie();
      cookie.expires = new Date(Date.now() + 60_000);
      assert.ok(cookie.originalMaxAge! > 59_000 && cookie.originalMaxAge! <= 60_000);
    });

    it('keeps an originalMaxAge passed in options (as a store hands it back)', () => {
      const cookie = new Cookie({ maxAge: 1000, originalMaxAge: 9000 } as never);
      assert.equal(cookie.originalMaxAge, 9000);
    });

    it('keeps an originalMaxAge passed in options even when expires or maxAge comes after it', () => {
      const stored = { originalMaxAge: 60_000, expires: new Date(Date.now() + 5_000) };
      assert.equal(new Cookie(stored as never).originalMaxAge, 60_000);
      assert.equal(new Cookie({ originalMaxAge: 60_000, maxAge: 5_000 } as never).originalMaxAge, 60_000);
      assert.equal(new Cookie({ originalMaxAge: null, maxAge: 5_000 } as never).originalMaxAge, 5_000);
    });
  });

  describe('data and toJSON', () => {
    it('lists the attributes used for the header and for storage', () => {
      const expires = new Date(Date.now() + 1000);
      const cookie = new Cookie({ expires, secure: true, domain: 'a.example', sameSite: 'lax', partitioned: true, priority: 'high' });
      assert.deepEqual(Object.keys(cookie.data), ['originalMaxAge', 'partitioned', 'priority', 'expires', 'secure', 'httpOnly', 'domain', 'path', 'sameSite']);
      assert.equal(cookie.data.expires, expires);
      assert.deepEqual(cookie.toJSON(), cookie.data);
    });

    it('serialises to JSON with the expiry as an ISO string and no private fields', () => {
      const cookie = new Cookie({ maxAge: 1000 });
      const json = JSON.parse(JSON.stringify(cookie));
      assert.deepEqual(Object.keys(json).sort(), ['expires', 'httpOnly', 'originalMaxAge', 'path']);
      assert.equal(json.expires, (cookie.expires as Date).toISOString());
    });
  });

  describe('serialize', () => {
    it('writes name=value with every attribute that is set', () => {
      const cookie = new Cookie({ expires: new Date('2030-01-01T00:00:00Z'), secure: true, domain: 'example.com', sameSite: 'none', partitioned: true, priority: 'high' });
      assert.equal(
        cookie.serialize('sid', 's:abc'),
        'sid=s%3Aabc; Domain=example.com; Path=/; Expires=Tue, 01 Jan 2030 00:00:00 GMT; HttpOnly; Secure; Partitioned; Priority=High; SameSite=None',
      );
    });

    it('leaves out Expires for a browser-session cookie', () => {
      assert.equal(new Cookie().serialize('sid', 'v'), 'sid=v; Path=/; HttpOnly');
    });

    it('leaves out HttpOnly when httpOnly is false', () => {
      assert.equal(new Cookie({ httpOnly: false }).serialize('sid', 'v'), 'sid=v; Path=/');
    });

    it('throws for an invalid attribute value', () => {
      assert.throws(() => new Cookie({ priority: 'urgent' as never }).serialize('sid', 'v'), TypeError);
      assert.throws(() => new Cookie({ domain: 'bad domain;' }).serialize('sid', 'v'), TypeError);
    });
  });
});
