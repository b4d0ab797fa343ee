import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'cookie';
import fc from 'fast-check';
import session = require('../../src/index');
import { readSessionCookie } from '../../src/internal/read-cookie';
import { signSessionId } from '../../src/internal/signing';
import { expressVersions, sessionApp, start } from '../support/apps';
import { keepAliveClient, rawGet } from './support/clients';

const SECRETS = ['one', 'two'];
const KNOWN_ID = 'known-session-id';
const KNOWN_VALUE = signSessionId(KNOWN_ID, SECRETS[0]!);

/** Pieces an attacker (or a confused proxy) might put in a Cookie header, glued at random. */
const name = fc.oneof(
  fc.constantFrom('connect.sid', ' connect.sid', 'connect.sid ', 'CONNECT.SID', 'connect.sid%20', '__proto__', 'constructor', 'other', ''),
  fc.string({ maxLength: 8 }),
);
const value = fc.oneof(
  fc.constantFrom(
    encodeURIComponent(KNOWN_VALUE), KNOWN_VALUE, `"${encodeURIComponent(KNOWN_VALUE)}"`, encodeURIComponent(KNOWN_VALUE) + '%3D',
    's:', 's%3A', 's:.', 's:' + KNOWN_ID, '%', '%%', '%zz', '%E0%A4%A', '%00', '"', '""', 'j:{"a":1}', 'j:[', '=', '',
  ),
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent),
);
const separator = fc.constantFrom(';', '; ', ';;', ' ; ', ',', ';\t', '');
const structuredHeader = fc
  .array(fc.tuple(name, fc.constantFrom('=', '', '=='), value, separator), { maxLength: 8 })
  .map((parts) => parts.map(([n, eq, v, sep]) => n + eq + v + sep).join(''));

/** Every character Node's HTTP client lets through in a header value (tab, visible ASCII, obs-text). */
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09)).map((c) => String.fromCharCode(c));
const sendableHeader = fc.oneof(structuredHeader, fc.string({ unit: headerChar, maxLength: 64 }));
/** Sometimes around the known session's exact cookie, so both outcomes get exercised. */
const exact = `connect.sid=${encodeURIComponent(KNOWN_VALUE)}`;
const headerAroundKnown = fc.oneof(
  sendableHeader,
  sendableHeader.map((h) => `${exact}; ${h}`),
  sendableHeader.map((h) => `${h}; ${exact}`),
);

const cookieParserValue = fc.oneof(fc.anything(), fc.constant(KNOWN_VALUE), fc.constant(false));

describe('Cookie header parsing never throws', () => {
  it('on any string at all, including lone surrogates and control characters', (t) => {
    const runs = 30_000;
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), name, (header, cookieName) => {
      readSessionCookie({ headers: { cookie: header } }, 'connect.sid', SECRETS);
      readSessionCookie({ headers: { cookie: header } }, cookieName || 'x', SECRETS);
    }), { numRuns: runs });
    t.diagnostic(`${runs} generated cases`);
  });

  it('on headers built from cookie-like pieces, and finds the known session only under its exact name', (t) => {
    const runs = 20_000;
    fc.assert(fc.property(structuredHeader, (header) => {
      const found = readSessionCookie({ headers: { cookie: header } }, 'connect.sid', SECRETS);
      if (found !== undefined) assert.equal(found.id, KNOWN_ID);
    }), { numRuns: runs });
    t.diagnostic(`${runs} generated cases`);
  });

  it('on whatever cookie-parser left in req.cookies and req.signedCookies (JSON cookies, false, objects)', (t) => {
    const runs = 5_000;
    fc.assert(fc.property(cookieParserValue, cookieParserValue, (cookie, signed) => {
      const found = readSessionCookie(
        { headers: {}, cookies: { 'connect.sid': cookie }, signedCookies: { 'connect.sid': signed } },
        'connect.sid',
        SECRETS,
      );
      // Only a string can be a session id; anything else is ignored rather than passed to the store.
      if (found !== undefined) assert.equal(typeof found.id, 'string');
    }), { numRuns: runs });
    t.diagnostic(`${runs} generated cases`);
  });
});

for (const { label, express } of expressVersions) {
  describe(`arbitrary Cookie headers over HTTP never produce a 5xx (${label})`, () => {
    async function server() {
      const store = new session.MemoryStore();
      await new Promise<void>((resolve) => store.set(KNOWN_ID, { cookie: new session.Cookie(), count: 41 } as never, () => resolve()));
      return start(sessionApp(express, { secret: SECRETS, store, resave: false, saveUninitialized: false }));
    }

    it('property: any header Node\'s client can send gets a 200, and the known session only from its exact cookie', async (t) => {
      const client = keepAliveClient(await server());
      const runs = 400;
      let loaded = 0;
      try {
        await fc.assert(fc.asyncProperty(fc.oneof(headerAroundKnown, fc.array(headerAroundKnown, { minLength: 2, maxLength: 3 })), async (cookie) => {
          const res = await client.get('/count', { cookie });
          assert.equal(res.status, 200, res.body);
          // Node joins repeated Cookie lines with "; "; the first connect.sid pair is the one read.
          const sent = parse(Array.isArray(cookie) ? cookie.join('; ') : cookie)['connect.sid'];
          if (sent === KNOWN_VALUE) {
            assert.ok(Number(res.body) > 41, `known session not loaded: ${res.body}`);
            loaded++;
          } else {
            assert.equal(res.body, '1');
          }
        }), { numRuns: runs });
      } finally {
        client.close();
      }
      assert.ok(loaded > 0 && loaded < runs, `both outcomes exercised (${loaded} loads)`);
      t.diagnostic(`${runs} generated requests, ${loaded} of them loading the known session`);
    });

    it('property: any bytes at all in the header (NUL, DEL, UTF-8, lone CR) get one response below 500', async (t) => {
      const srv = await server();
      const runs = 150;
      const bytes = fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b.filter((c) => c !== 0x0a)));
      await fc.assert(fc.asyncProperty(bytes, async (cookie) => {
        const { responses } = await rawGet(srv, '/count', cookie);
        assert.equal(responses.length, 1);
        assert.ok(responses[0]!.status < 500, `status ${responses[0]!.status}`);
      }), { numRuns: runs });
      const after = await rawGet(srv, '/count', `connect.sid=${encodeURIComponent(KNOWN_VALUE)}`);
      assert.equal(after.responses[0]!.status, 200, 'the server still serves');
      t.diagnostic(`${runs} generated requests`);
    });
  });
}
