import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import upstreamSession from 'express-session-upstream';
import fc from 'fast-check';
import session = require('../../src/index');
import { signSessionId } from '../../src/internal/signing';
import { expressVersions, type ExpressFactory } from '../support/apps';
import { serve, type TestServer } from '../support/http';
import { keepAliveClient, pairFrom, valueOf, type QuickResponse } from './support/clients';

const SECRETS = ['first', 'second'];
const OPTIONS = { secret: SECRETS, resave: false, saveUninitialized: false, rolling: true };

function whoamiApp(express: ExpressFactory, middleware: ReturnType<typeof session>) {
  const app = express();
  app.use(middleware);
  app.get('/mark', (req, res) => {
    (req.session as unknown as { mark: string }).mark = String(req.query['as']);
    res.end('ok');
  });
  app.get('/whoami', (req, res) => {
    res.end((req.session as unknown as { mark?: string }).mark ?? 'new');
  });
  return app;
}

/** What a client can observe: the status, which session answered, and the cookie sent back. */
function observed(res: QuickResponse) {
  return { status: res.status, body: res.body, cookie: pairFrom(res.setCookies) ?? null };
}

for (const { label, express } of expressVersions) {
  describe(`duplicated cookie names behave like express-session 1.19.0 (${label})`, () => {
    const store = new session.MemoryStore();
    const servers: TestServer[] = [];
    let ours: ReturnType<typeof keepAliveClient>;
    let upstream: ReturnType<typeof keepAliveClient>;
    const pairs: Record<string, string> = {};

    before(async () => {
      // One store behind both: the same cookie names the same stored session in either.
      const oursServer = await serve(whoamiApp(express, session({ ...OPTIONS, store })));
      const upstreamServer = await serve(whoamiApp(express, upstreamSession({ ...OPTIONS, store } as never)));
      servers.push(oursServer, upstreamServer);
      ours = keepAliveClient(oursServer);
      upstream = keepAliveClient(upstreamServer);
      for (const who of ['A', 'B']) pairs[who] = pairFrom((await ours.get(`/mark?as=${who}`)).setCookies)!;
      const idA = valueOf(pairs['A']!).slice(2, valueOf(pairs['A']!).lastIndexOf('.'));
      pairs['A by the second secret'] = `connect.sid=${encodeURIComponent(signSessionId(idA, 'second'))}`;
      pairs['A tampered'] = pairs['A']!.slice(0, -1) + (pairs['A']!.endsWith('x') ? 'y' : 'x');
      pairs['A unsigned'] = `connect.sid=${idA}`;
      pairs['A quoted'] = pairs['A']!.replace('=', '="') + '"';
      pairs['A under another name'] = pairs['A']!.replace('connect.sid', 'other');
      pairs['empty'] = 'connect.sid=';
      pairs['no equals sign'] = 'connect.sid';
      pairs['bogus signature'] = 'connect.sid=s%3Abogus.mac';
    });
    after(async () => {
      ours.close();
      upstream.close();
      await Promise.all(servers.map((s) => s.close()));
    });

    async function both(cookie: string | string[]) {
      const [a, b] = await Promise.all([ours.get('/whoami', { cookie }), upstream.get('/whoami', { cookie })]);
      return { ours: observed(a), upstream: observed(b) };
    }

    it('the first of two valid cookies wins', async () => {
      const { ours: o, upstream: u } = await both(`${pairs['A']}; ${pairs['B']}`);
      assert.deepEqual(o, u);
      assert.equal(o.body, 'A');
    });

    it('a tampered first cookie hides a valid second one (no fallback to later duplicates)', async () => {
      const { ours: o, upstream: u } = await both(`${pairs['A tampered']}; ${pairs['B']}`);
      assert.deepEqual(o, u);
      assert.equal(o.body, 'new');
    });

    it('an empty first cookie hides a valid second one', async () => {
      const { ours: o, upstream: u } = await both(`${pairs['empty']}; ${pairs['B']}`);
      assert.deepEqual(o, u);
      assert.equal(o.body, 'new');
    });

    it('a cookie with another name does not count, the next connect.sid does', async () => {
      const { ours: o, upstream: u } = await both(`${pairs['A under another name']}; ${pairs['B']}`);
      assert.deepEqual(o, u);
      assert.equal(o.body, 'B');
    });

    it('repeated Cookie header lines are read as one header, first line first', async () => {
      const { ours: o, upstream: u } = await both([pairs['B']!, pairs['A']!]);
      assert.deepEqual(o, u);
      assert.equal(o.body, 'B');
    });

    it('a session loaded from the second secret is re-sent signed with the first, as 1.19.0 does', async () => {
      const { ours: o, upstream: u } = await both(`${pairs['A by the second secret']}; ${pairs['B']}`);
      assert.deepEqual(o, u);
      assert.equal(o.body, 'A');
      assert.equal(o.cookie, pairs['A']);
    });

    it('property: any mix of duplicated, tampered and foreign cookies gives the same answer as 1.19.0', async (t) => {
      const keys = Object.keys(pairs);
      const entry = fc.tuple(fc.constantFrom(...keys), fc.constantFrom('; ', ';', ' ;  ', ';;'));
      const header = fc.array(entry, { minLength: 1, maxLength: 5 }).map((entries) => entries.map(([k, sep]) => pairs[k] + sep).join(''));
      const runs = 200;
      const answers = new Set<string>();
      await fc.assert(fc.asyncProperty(fc.oneof(header, fc.array(header, { minLength: 2, maxLength: 3 })), async (cookie) => {
        const { ours: o, upstream: u } = await both(cookie);
        assert.deepEqual(o, u);
        answers.add(o.body);
      }), { numRuns: runs });
      assert.deepEqual([...answers].sort(), ['A', 'B', 'new'], 'every outcome was exercised');
      t.diagnostic(`${runs} generated requests, each sent to both`);
    });
  });
}
