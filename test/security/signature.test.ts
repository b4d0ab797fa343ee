import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { after, before, describe, it } from 'node:test';
import upstreamSession from 'express-session-upstream';
import fc from 'fast-check';
import session = require('../../src/index');
import { readSessionCookie } from '../../src/internal/read-cookie';
import { signSessionId, unsignSessionId, type SecretKey, type VerifiedMacs } from '../../src/internal/signing';
import { expressVersions, start, type ExpressFactory } from '../support/apps';
import { request, serve, type TestServer } from '../support/http';
import { cookieValue, effectiveHmacKey, secretList, secretListAndForeignSecret, sessionId } from './support/arbitraries';
import { keepAliveClient, pairFrom, valueOf } from './support/clients';

// express-session 1.19.0's own signing module (cookie-signature 1.0.7), the reference for the format.
const upstreamSignature: { sign(value: string, secret: SecretKey): string; unsign(value: string, secret: SecretKey): string | false } =
  require('express-session-upstream/node_modules/cookie-signature');

const NAME = 'connect.sid';

/** The id readSessionCookie (the function the middleware uses) takes from a Cookie header. */
function idFromHeader(header: string, secrets: readonly SecretKey[]): string | undefined {
  return readSessionCookie({ headers: { cookie: header } }, NAME, secrets)?.id;
}

function header(value: string): string {
  return `${NAME}=${cookieValue(value)}`;
}

/** What express-session 1.19.0 takes from a signed value: the first secret whose unsign succeeds. */
function upstreamUnsign(value: string, secrets: readonly SecretKey[]): string | undefined {
  if (!value.startsWith('s:')) return undefined;
  for (const secret of secrets) {
    const id = upstreamSignature.unsign(value.slice(2), secret);
    if (id !== false) return id;
  }
  return undefined;
}

/** Run a property and report how many cases it generated. */
function check<T>(t: { diagnostic(message: string): void }, property: fc.IPropertyWithHooks<T> | fc.IProperty<T>, numRuns: number): void {
  fc.assert(property, { numRuns });
  t.diagnostic(`${numRuns} generated cases`);
}

const validCookie = fc.tuple(sessionId, secretList, fc.nat()).map(([id, secrets, pick]) => {
  const index = pick % secrets.length;
  return { id, secrets, index, value: signSessionId(id, secrets[index]!) };
});

/** Characters that stay part of a cookie value when appended to it in a Cookie header. */
const valueChars = fc.constantFrom(...'=%3Dd.s:"!#$&\'()*+,-/0123456789<>?@AZaz[]^_`{|}~\\ \t'.split(''));
const junkInHeader = fc
  .oneof(fc.constantFrom('=', '%3D', '%3d', '==', '%', '%2', '.', '"', 'x'), fc.string({ unit: valueChars, minLength: 1, maxLength: 8 }))
  // Trailing whitespace is not part of a cookie value (cookie.parse trims it), so it is no change.
  .filter((junk) => junk.trimEnd() === junk);

/** The first `n % length` code points of `value` (cutting between surrogates would not be text). */
function prefix(value: string, n: number): string {
  const points = [...value];
  return points.slice(0, n % points.length).join('');
}

function flipCase(value: string, position: number): string | undefined {
  const letters = [...value].flatMap((ch, i) => (/^[A-Za-z]$/.test(ch) ? [i] : []));
  if (letters.length === 0) return undefined;
  const chars = [...value];
  const at = letters[position % letters.length]!;
  const ch = chars[at]!;
  chars[at] = ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
  return chars.join('');
}

describe('signed session cookie: properties of signing and reading', () => {
  it('loads the exact id from a cookie signed with any secret of the list', (t) => {
    check(t, fc.property(validCookie, ({ id, secrets, value }) => {
      assert.equal(idFromHeader(header(value), secrets), id);
      assert.equal(unsignSessionId(value.slice(2), secrets)?.id, id);
    }), 20_000);
  });

  it('rotation: signs with the first secret, verifies with any, and marks only first-secret cookies as reusable', (t) => {
    check(t, fc.property(validCookie, ({ id, secrets, index, value }) => {
      const found = readSessionCookie({ headers: { cookie: header(value) } }, NAME, secrets);
      assert.equal(found?.id, id);
      assert.equal(found?.signedByFirstSecret, index === 0 ? value : undefined);
      assert.equal(unsignSessionId(value.slice(2), secrets)?.secretIndex, index);
    }), 10_000);
  });

  it('writes byte for byte what express-session 1.19.0 writes: s:<id>.<HMAC-SHA256, base64, no padding>', (t) => {
    check(t, fc.property(validCookie, ({ id, secrets, index, value }) => {
      const key = secrets[index]!;
      assert.equal(value, 's:' + upstreamSignature.sign(id, key));
      const mac = createHmac('sha256', key as string).update(id).digest('base64').replace(/=+$/, '');
      assert.equal(value, `s:${id}.${mac}`);
      assert.match(mac, /^[A-Za-z0-9+/]{43}$/);
    }), 10_000);
  });

  it('never loads from a truncated signed value', (t) => {
    check(t, fc.property(validCookie, fc.nat(), ({ secrets, value }, cut) => {
      const truncated = prefix(value, cut);
      assert.equal(idFromHeader(header(truncated), secrets), undefined);
      // Truncating the percent-encoded form can also break an escape; that must not load either.
      const encoded = cookieValue(value);
      assert.equal(idFromHeader(`${NAME}=${encoded.slice(0, cut % encoded.length)}`, secrets), undefined);
    }), 15_000);
  });

  it('never loads with bytes appended (=, %3D, padding, any junk), before or after percent-decoding', (t) => {
    const appended = fc.oneof(fc.constantFrom('=', '==', '%3D', '.', '\0'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }));
    check(t, fc.property(validCookie, appended, junkInHeader, ({ secrets, value }, junk, headerJunk) => {
      assert.equal(idFromHeader(header(value + junk), secrets), undefined);
      assert.equal(unsignSessionId(value.slice(2) + junk, secrets), undefined);
      assert.equal(idFromHeader(header(value) + headerJunk, secrets), undefined);
    }), 15_000);
  });

  it('never loads when one letter of the value changes case', (t) => {
    check(t, fc.property(validCookie, fc.nat(), ({ secrets, value }, position) => {
      const flipped = flipCase(value, position)!;
      assert.notEqual(flipped, value);
      assert.equal(idFromHeader(header(flipped), secrets), undefined);
    }), 15_000);
  });

  it('never loads an unsigned id, an id without its MAC, or an id under another id\'s MAC', (t) => {
    check(t, fc.property(validCookie, sessionId, ({ id, secrets, value }, otherId) => {
      assert.equal(idFromHeader(header(id), secrets), undefined);
      assert.equal(idFromHeader(header('s:' + id), secrets), undefined);
      assert.equal(idFromHeader(header('s:' + id + '.'), secrets), undefined);
      if (otherId !== id) {
        const mac = value.slice(value.lastIndexOf('.'));
        assert.equal(idFromHeader(header('s:' + otherId + mac), secrets), undefined);
      }
    }), 10_000);
  });

  it('never loads an id signed with a secret that is not in the list', (t) => {
    check(t, fc.property(sessionId, secretListAndForeignSecret, (id, [secrets, foreign]) => {
      assert.equal(idFromHeader(header(signSessionId(id, foreign)), secrets), undefined);
    }), 15_000);
  });

  it('accepts exactly the values express-session 1.19.0 accepts, tampered or not', (t) => {
    const candidate = fc.tuple(validCookie, fc.nat(), fc.string({ unit: 'grapheme', maxLength: 6 }), fc.nat(3)).map(
      ([cookie, n, junk, how]) => {
        const { value } = cookie;
        const variants = [value, prefix(value, n), value + junk, flipCase(value, n) ?? value];
        return { ...cookie, candidate: variants[how]! };
      },
    );
    check(t, fc.property(candidate, ({ secrets, candidate: value }) => {
      assert.equal(idFromHeader(header(value), secrets), upstreamUnsign(value, secrets));
    }), 15_000);
  });

  it('counts "k" and "k\\0" as one HMAC key (why the generators compare effective keys)', () => {
    assert.equal(effectiveHmacKey('k'), effectiveHmacKey('k\0'));
    assert.equal(idFromHeader(header(signSessionId('abc', 'k\0')), ['k']), 'abc');
  });
});

describe('signed session cookie: the MACs a middleware remembers of ids it verified', () => {
  it('once a cookie verified, still rejects every tampered form of it and accepts it again', (t) => {
    check(t, fc.property(validCookie, fc.nat(), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), ({ id, secrets, index, value }, n, junk) => {
      const remembered: VerifiedMacs = new Map();
      assert.deepEqual(unsignSessionId(value.slice(2), secrets, remembered), { id, secretIndex: index });
      for (const tampered of [prefix(value, n), value + junk, flipCase(value, n) ?? value + junk, `s:${id}.${'A'.repeat(43)}`]) {
        if (tampered === value) continue;
        const found = readSessionCookie({ headers: { cookie: header(tampered) } }, NAME, secrets, remembered)?.id;
        assert.equal(found, upstreamUnsign(tampered, secrets));
      }
      assert.deepEqual(unsignSessionId(value.slice(2), secrets, remembered), { id, secretIndex: index });
    }), 10_000);
  });

  it('rejects a cookie it verified before once its secret is removed from the array (revoked at runtime)', () => {
    const secrets = ['new', 'leaked'];
    const remembered: VerifiedMacs = new Map();
    const value = signSessionId('abc', 'leaked');
    assert.deepEqual(unsignSessionId(value.slice(2), secrets, remembered), { id: 'abc', secretIndex: 1 });
    secrets.pop();
    assert.equal(unsignSessionId(value.slice(2), secrets, remembered), undefined);
    secrets.push('leaked');
    assert.deepEqual(unsignSessionId(value.slice(2), secrets, remembered), { id: 'abc', secretIndex: 1 });
  });

  it('reports where its secret is now when the array was reordered at runtime (a rotation)', () => {
    const secrets = ['old', 'new'];
    const remembered: VerifiedMacs = new Map();
    const value = signSessionId('abc', 'new');
    assert.equal(unsignSessionId(value.slice(2), secrets, remembered)?.secretIndex, 1);
    secrets.reverse();
    assert.equal(unsignSessionId(value.slice(2), secrets, remembered)?.secretIndex, 0);
  });

  it('keeps verifying, without remembering, with a Buffer secret (which can change in place)', () => {
    const key = Buffer.from('bytes');
    const secrets: SecretKey[] = [key, 'text'];
    const remembered: VerifiedMacs = new Map();
    assert.deepEqual(unsignSessionId(signSessionId('abc', key).slice(2), secrets, remembered), { id: 'abc', secretIndex: 0 });
    assert.equal(remembered.size, 0);
    key.fill(0x7a);
    assert.equal(unsignSessionId(signSessionId('abc', 'bytes').slice(2), secrets, remembered), undefined);
    assert.deepEqual(unsignSessionId(signSessionId('abc', 'text').slice(2), secrets, remembered), { id: 'abc', secretIndex: 1 });
  });

  it('reports the secret that signed the cookie when the same id was verified under another one first', () => {
    const secrets = ['first', 'second'];
    const remembered: VerifiedMacs = new Map();
    assert.equal(unsignSessionId(signSessionId('abc', 'second').slice(2), secrets, remembered)?.secretIndex, 1);
    assert.equal(unsignSessionId(signSessionId('abc', 'first').slice(2), secrets, remembered)?.secretIndex, 0);
    assert.equal(unsignSessionId(signSessionId('abc', 'second').slice(2), secrets, remembered)?.secretIndex, 1);
  });

  it('holds at most 4096 ids, and still verifies every cookie once it started again', () => {
    const secrets = ['s'];
    const remembered: VerifiedMacs = new Map();
    const values = Array.from({ length: 5000 }, (_, i) => signSessionId(`id${i}`, 's').slice(2));
    for (const value of values) assert.ok(unsignSessionId(value, secrets, remembered));
    assert.ok(remembered.size <= 4096);
    for (const value of values) assert.ok(unsignSessionId(value, secrets, remembered));
  });

});

/** A server whose app can be swapped between property runs (one port, many configurations). */
async function swappableServer(): Promise<{ server: TestServer; use(app: RequestListener): void }> {
  let current: RequestListener = (_req, res) => res.end();
  const server = await start(((req, res) => current(req, res)) as RequestListener);
  return { server, use: (app) => { current = app; } };
}

function markApp(express: ExpressFactory, middleware: ReturnType<typeof session>): RequestListener {
  const app = express();
  app.use(middleware);
  app.get('/mark', (req, res) => {
    (req.session as unknown as { mark: string }).mark = String(req.query['as'] ?? 'marked');
    res.end('ok');
  });
  app.get('/whoami', (req, res) => {
    res.end((req.session as unknown as { mark?: string }).mark ?? 'new');
  });
  return app as unknown as RequestListener;
}

for (const { label, express } of expressVersions) {
  describe(`signed session cookie over HTTP (${label})`, () => {
    const secrets = ['current', 'previous'];
    const store = new session.MemoryStore();
    let server: TestServer;
    let client: ReturnType<typeof keepAliveClient>;
    let signed: string;
    before(async () => {
      const ours = markApp(express, session({ secret: secrets, store, resave: false, saveUninitialized: false }));
      // start() would tie the server's lifetime to this hook; this one lives for the whole suite.
      server = await serve(ours);
      client = keepAliveClient(server);
      signed = valueOf(pairFrom((await client.get('/mark')).setCookies)!);
    });
    after(async () => {
      client.close();
      await server.close();
    });

    const whoami = (value: string, raw = false) =>
      client.get('/whoami', { cookie: `${NAME}=${raw ? value : cookieValue(value)}` }).then((res) => {
        assert.equal(res.status, 200);
        return res.body;
      });

    it('loads the session from its exact signed cookie', async () => {
      assert.equal(await whoami(signed), 'marked');
    });

    it('does not load it from a truncated signature', async () => {
      assert.equal(await whoami(signed.slice(0, -1)), 'new');
    });

    it('does not load it with "=" appended (base64 padding)', async () => {
      assert.equal(await whoami(signed + '='), 'new');
    });

    it('does not load it with "%3D" appended to the header value', async () => {
      assert.equal(await whoami(cookieValue(signed) + '%3D', true), 'new');
    });

    it('does not load it with junk appended', async () => {
      assert.equal(await whoami(signed + 'junk'), 'new');
    });

    it('does not load it with the MAC case-flipped', async () => {
      const dot = signed.lastIndexOf('.');
      // 43 base64 characters without a letter would be a 1-in-10^31 event.
      assert.equal(await whoami(signed.slice(0, dot + 1) + flipCase(signed.slice(dot + 1), 0)!), 'new');
    });

    it('does not load it from the bare, unsigned id', async () => {
      assert.equal(await whoami(signed.slice(2, signed.lastIndexOf('.'))), 'new');
    });

    it('does not load it when signed with a secret that is not in the list', async () => {
      assert.equal(await whoami(signSessionId(signed.slice(2, signed.lastIndexOf('.')), 'stolen')), 'new');
    });

    it('loads it when signed with the second secret (rotation)', async () => {
      assert.equal(await whoami(signSessionId(signed.slice(2, signed.lastIndexOf('.')), 'previous')), 'marked');
    });

    it('stops loading a session once its secret is removed from the secret array at runtime, as express-session does', async () => {
      for (const factory of [session, upstreamSession as unknown as typeof session]) {
        const rotation = ['new', 'leaked'];
        const app = markApp(express, factory({ secret: rotation, store: new session.MemoryStore(), resave: false, saveUninitialized: false }));
        const local = await start(app);
        const first = await request(local, '/mark');
        const id = valueOf(pairFrom(first.setCookies)!).slice(2).split('.')[0]!;
        const leakedCookie = `${NAME}=${cookieValue(signSessionId(id, 'leaked'))}`;
        assert.equal((await request(local, '/whoami', { headers: { cookie: leakedCookie } })).body, 'marked');
        rotation.pop();
        assert.equal((await request(local, '/whoami', { headers: { cookie: leakedCookie } })).body, 'new');
      }
    });

    it('property: no tampered form of a real session cookie loads it', async (t) => {
      const tamper = fc.oneof(
        fc.nat().map((n) => (v: string) => prefix(v, n)),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }).map((junk) => (v: string) => v + junk),
        fc.nat().map((n) => (v: string) => flipCase(v, n)!),
        fc.constant((v: string) => v.slice(2, v.lastIndexOf('.'))),
        fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !secrets.includes(s) && !s.includes('\0'))
          .map((foreign) => (v: string) => signSessionId(v.slice(2, v.lastIndexOf('.')), foreign)),
      );
      const runs = 200;
      await fc.assert(fc.asyncProperty(tamper, async (change) => {
        assert.equal(await whoami(change(signed)), 'new');
      }), { numRuns: runs });
      await fc.assert(fc.asyncProperty(junkInHeader, async (junk) => {
        assert.equal(await whoami(cookieValue(signed) + junk, true), 'new');
      }), { numRuns: runs / 2 });
      assert.equal(await whoami(signed), 'marked', 'the exact cookie still loads afterwards');
      t.diagnostic(`${runs + runs / 2} generated requests`);
    });
  });

  describe(`signature compatibility with express-session 1.19.0 (${label})`, () => {
    it('cookies signed by express-session 1.19.0 load in ours, and ours load in it', async () => {
      const store = new session.MemoryStore();
      const options = { secret: ['shared', 'older'], store, resave: false, saveUninitialized: false };
      const upstream = keepAliveClient(await start(markApp(express, upstreamSession(options as never))));
      const ours = keepAliveClient(await start(markApp(express, session(options))));
      try {
        const fromUpstream = pairFrom((await upstream.get('/mark?as=upstream')).setCookies)!;
        const fromOurs = pairFrom((await ours.get('/mark?as=ours')).setCookies)!;
        assert.equal((await ours.get('/whoami', { cookie: fromUpstream })).body, 'upstream');
        assert.equal((await upstream.get('/whoami', { cookie: fromOurs })).body, 'ours');
        // Same id, same secret: the very same bytes.
        const id = valueOf(fromUpstream).slice(2, valueOf(fromUpstream).lastIndexOf('.'));
        assert.equal(valueOf(fromUpstream), signSessionId(id, 'shared'));
      } finally {
        upstream.close();
        ours.close();
      }
    });

    it('property: with any rotation list, a cookie signed by any of its secrets loads and is re-sent signed with the first', async (t) => {
      const { server, use } = await swappableServer();
      const client = keepAliveClient(server);
      const asciiSecret = fc.string({ minLength: 1, maxLength: 16 }).filter((s) => !s.includes('\0'));
      const rotation = fc.tuple(fc.uniqueArray(asciiSecret, { minLength: 1, maxLength: 4, selector: effectiveHmacKey }), fc.nat());
      const runs = 60;
      try {
        await fc.assert(fc.asyncProperty(rotation, async ([list, pick]) => {
          const store = new session.MemoryStore();
          const signer = list[pick % list.length]!;
          use(markApp(express, upstreamSession({ secret: signer, store, resave: false, saveUninitialized: false } as never)));
          const issued = pairFrom((await client.get('/mark?as=rotated')).setCookies)!;
          use(markApp(express, session({ secret: list, store, resave: false, saveUninitialized: false, rolling: true })));
          const res = await client.get('/whoami', { cookie: issued });
          assert.equal(res.body, 'rotated');
          const id = valueOf(issued).slice(2, valueOf(issued).lastIndexOf('.'));
          assert.equal(valueOf(pairFrom(res.setCookies)!), signSessionId(id, list[0]!));
        }), { numRuns: runs });
      } finally {
        client.close();
      }
      t.diagnostic(`${runs} generated rotations`);
    });
  });
}
