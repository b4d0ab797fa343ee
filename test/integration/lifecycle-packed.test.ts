import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packedProject, repoRoot, run, type PackedProject } from './support/packed';
import { service, uniqueName } from './support/services';

// Issue 12's "done means": every lifecycle option works through the PACKED package as a user
// installs it. One `npm pack`, installed into a temporary project under the name express-session
// (`express-session@file:<tgz>`) beside connect-redis 10, whose CommonJS build requires
// 'express-session' and so extends this package's Store, express 5 and express 4 (as `express4`).
// Each scenario is one child Node process (fixtures/lifecycle-packed/<scenario>.js) that drives a
// real Express app over real HTTP on a real Redis, once per Express, and prints what it saw;
// all of them, and the TypeScript check, run in parallel.

const redis = service('REDIS_URL', 'the lifecycle options through the packed package');
const fixtures = join(__dirname, 'fixtures', 'lifecycle-packed');
const expresses = ['Express 5', 'Express 4'] as const;
type Label = (typeof expresses)[number];

const scenarios = ['keep-data', 'absolute-timeout', 'renewal', 'clear-cookie', 'touch-after', 'require-store', 'async-genid'] as const;
type Scenario = (typeof scenarios)[number];

/** What a scenario program prints: the install's facts, then its steps' results per Express. */
type Seen<T> = { installedAs: string; redisStoreExtendsOurs: boolean } & Record<Label, T>;

describe('lifecycle options through the packed package, installed as express-session beside connect-redis 10', { skip: redis.skip, timeout: 120_000 }, () => {
  let project: PackedProject | undefined;
  const running = new Map<Scenario, Promise<unknown>>();
  let typeCheck: Promise<{ code: number; output: string }>;

  before(async () => {
    await redis.assertReachable();
    project = await packedProject('session-lifecycle-packed-', (tarball) => [
      `express-session@file:${tarball}`,
      'connect-redis@10',
      'redis@6',
      'express@5',
      'express4@npm:express@4',
      '@types/express@5',
    ]);
    const { dir } = project;
    cpSync(fixtures, dir, { recursive: true });
    const prefix = `sess-test:${uniqueName(__filename)}`;
    for (const scenario of scenarios) {
      const seen = run(process.execPath, [`${scenario}.js`], { cwd: dir, env: { ...process.env, SESSION_PREFIX: prefix }, timeout: 30_000 })
        .then(({ stdout }) => JSON.parse(stdout) as unknown);
      seen.catch(() => {}); // awaited (and reported) by the scenario's tests
      running.set(scenario, seen);
    }
    typeCheck = run(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir, timeout: 60_000 })
      .then(({ stdout }) => ({ code: 0, output: stdout }), (err: { code?: number; stdout?: string; message: string }) => ({ code: err.code ?? -1, output: err.stdout || err.message }));
  });
  after(async () => {
    await Promise.allSettled([...running.values(), typeCheck]);
    project?.remove();
  });

  const seen = async <T>(scenario: Scenario) => (await running.get(scenario)) as Seen<T>;

  it('really is the aliased install: express-session is this package, and connect-redis 10 extends its Store', async () => {
    const { installedAs, redisStoreExtendsOurs } = await seen('keep-data');
    assert.equal(installedAs, 'express-session-ts');
    assert.equal(redisStoreExtendsOurs, true);
  });

  for (const label of expresses) {
    describe(label, () => {
      it('regenerate({ keepData: true }) keeps the data and the remember-me lifetime under a new id, and the old Redis key is gone', async () => {
        const r = (await seen<{
          set: { id: string };
          login: { status: number; body: { before: string; after: string; n: number; originalMaxAge: number; oldKeyAfterRegenerate: number }; cookieId: string; cookieExpiresIn: number };
          oldKeyExists: number;
          newStored: { n: number; cookie: { originalMaxAge: number } };
          newCookie: { id: string; n?: number };
          oldCookie: { id: string; n?: number };
        }>('keep-data'))[label];
        assert.equal(r.login.status, 200);
        assert.equal(r.login.body.before, r.set.id);
        assert.notEqual(r.login.body.after, r.set.id, 'a new id');
        assert.equal(r.login.cookieId, r.login.body.after, 'the login response sends the new id');
        assert.equal(r.login.body.n, 7, 'the data is there right after regenerate');
        assert.equal(r.login.body.oldKeyAfterRegenerate, 0, 'the old key is gone when the Promise settles');
        assert.equal(r.oldKeyExists, 0);
        assert.equal(r.newStored.n, 7, 'Redis holds the data under the new id');
        assert.equal(r.newStored.cookie.originalMaxAge, 3_600_000, 'the remember-me maxAge moved with it');
        assert.ok(r.login.cookieExpiresIn > 3_500_000 && r.login.cookieExpiresIn <= 3_600_000, `the cookie expires in ${r.login.cookieExpiresIn} ms, not in an hour`);
        assert.deepEqual(r.newCookie, { id: r.login.body.after, n: 7 }, 'the new cookie finds the data');
        assert.notEqual(r.oldCookie.id, r.set.id, 'the old cookie finds nothing');
        assert.equal(r.oldCookie.n, undefined);
      });

      it('absoluteTimeout ends an active rolling session at its limit: the key is deleted and the request gets a fresh session', async () => {
        const r = (await seen<{
          setId: string;
          createdWithinRequest: boolean;
          active: { sentAt: number; doneAt: number; n: number; id: string; cookieId: string }[];
          late: { sentAt: number; body: { id: string; n?: number }; setCookies: string[] };
          oldKeyExists: number;
          fresh: string;
        }>('absolute-timeout'))[label];
        assert.ok(r.createdWithinRequest, '__lifecycle.created is stamped when the session is first saved');
        assert.ok(r.active.length >= 2, `${r.active.length} requests inside the limit: ${JSON.stringify(r.active)}`);
        for (const step of r.active) {
          assert.deepEqual(step, { ...step, n: 1, id: r.setId, cookieId: r.setId }, `${step.sentAt}-${step.doneAt} ms after creation: the same session, its cookie re-sent (rolling)`);
        }
        assert.notEqual(r.late.body.id, r.setId, `${r.late.sentAt} ms after creation (absoluteTimeout: 1000): a fresh session`);
        assert.equal(r.late.body.n, undefined, 'with none of the old data');
        assert.deepEqual(r.late.setCookies, [], 'an empty fresh session is not saved (saveUninitialized: false)');
        assert.equal(r.oldKeyExists, 0, 'the timed-out session is gone from Redis');
        assert.ok(r.fresh && r.fresh !== r.setId, 'writing to it saves a new id');
      });

      it('renewalTimeout moves the data to a new id and cookie; the old cookie gets the renewed session and the new cookie within renewalGrace, nothing after', async () => {
        const r = (await seen<{
          oldId: string;
          created: number;
          early: { n: number; setCookies: string[] };
          renewal: { n: number; bodyId: string; cookieId: string };
          renewedStored: { n: number; created: number };
          oldRecordIsTombstone: boolean;
          inGrace: { after: number; n: number; bodyId: string; cookieId: string };
          afterGrace: { after: number; n?: number; bodyId: string; setCookies: string[] };
          newCookieAfterGrace: { at: number; n: number; bodyId: string; renewedAgain: boolean };
        }>('renewal'))[label];
        assert.deepEqual(r.early, { n: 5, setCookies: [] }, 'before renewalTimeout: no new cookie');
        assert.notEqual(r.renewal.bodyId, r.oldId, 'after renewalTimeout: a new id');
        assert.equal(r.renewal.cookieId, r.renewal.bodyId, 'sent as a cookie, with no change to the session');
        assert.equal(r.renewal.n, 5, 'with the data');
        assert.deepEqual(r.renewedStored, { n: 5, created: r.created }, 'stored under the new id, creation time kept');
        assert.ok(r.oldRecordIsTombstone, "the old id's record is a tombstone, not the data");
        assert.deepEqual(r.inGrace, { after: r.inGrace.after, n: 5, bodyId: r.renewal.bodyId, cookieId: r.renewal.bodyId }, `old cookie ${r.inGrace.after} ms after the renewal: the renewed session and its cookie`);
        assert.notEqual(r.afterGrace.bodyId, r.renewal.bodyId, `old cookie ${r.afterGrace.after} ms after the renewal: not the renewed session`);
        assert.equal(r.afterGrace.n, undefined, 'nor its data');
        assert.deepEqual(r.afterGrace.setCookies, [], 'and no cookie');
        assert.deepEqual(r.newCookieAfterGrace, { ...r.newCookieAfterGrace, n: 5, bodyId: r.renewal.bodyId, renewedAgain: false }, `the new cookie, ${r.newCookieAfterGrace.at} ms after the renewal (renewalTimeout: 1000), still works`);
      });

      it('clearCookieOnDestroy: destroy() sends the expiring Set-Cookie res.clearCookie writes; without it, none', async () => {
        type Logout = { status: number; body: { gone: boolean }; setCookies: string[]; keyExists: number; expressLine: string };
        const r = (await seen<{ on: Logout; off: Logout }>('clear-cookie'))[label];
        assert.deepEqual(r.on.body, { gone: true });
        assert.equal(r.on.keyExists, 0);
        assert.deepEqual(r.on.setCookies, ['connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax']);
        assert.equal(r.on.setCookies[0], r.on.expressLine, "the line Express's res.clearCookie writes");
        assert.equal(r.off.keyExists, 0);
        assert.deepEqual(r.off.setCookies, [], 'by default the cookie stays');
      });

      it('touchAfter: within it an unchanged session gets no EXPIRE (its PTTL keeps falling) and no rolling cookie; after it, one touch', async () => {
        type Request = { before: number; after: number; n: number; cookieSent: boolean };
        const r = (await seen<{ on: { within: Request; withinAt: number; past: Request; afterTouch: Request }; off: { within: Request } }>('touch-after'))[label];
        const { within, past, afterTouch } = r.on;
        assert.equal(within.n, 9);
        assert.ok(within.after <= within.before, `${r.on.withinAt} ms after the save: PTTL ${within.before} → ${within.after} ms, Redis was touched`);
        assert.equal(within.cookieSent, false, 'rolling sends no cookie while the touch is deferred');
        assert.ok(past.after > past.before + 500, `past touchAfter: PTTL ${past.before} → ${past.after} ms, not touched`);
        assert.equal(past.cookieSent, true, 'the touch re-sends the cookie (rolling)');
        assert.ok(afterTouch.after <= afterTouch.before, `right after that touch: PTTL ${afterTouch.before} → ${afterTouch.after} ms, touched again`);
        assert.equal(afterTouch.cookieSent, false);
        const { within: off } = r.off;
        assert.ok(off.after > off.before, `without touchAfter every request touches: PTTL ${off.before} → ${off.after} ms`);
        assert.equal(off.cookieSent, true);
      });

      it("requireStore: after the store emits 'disconnect', requests get a 503 through next(err); after 'connect', the session is back", async () => {
        type Outage = { up: { status: number; n: number }; down: { status: number; body: unknown; setCookies: string[] }; downBare: { status: number; body: unknown }; back: { status: number; n: number } };
        const r = (await seen<{ on: Outage; off: Outage }>('require-store'))[label];
        assert.deepEqual(r.on.up, { status: 200, n: 4 });
        assert.equal(r.on.down.status, 503);
        assert.deepEqual({ ...(r.on.down.body as object), message: undefined }, { message: undefined, status: 503, statusCode: 503, code: 'ESESSIONSTORE', expose: false }, "the app's error handler gets the error");
        assert.deepEqual(r.on.down.setCookies, []);
        assert.equal(r.on.downBare.status, 503, "Express's final handler answers 503");
        assert.deepEqual(r.on.back, { status: 200, n: 4 });
        assert.deepEqual(r.off.down, { status: 200, body: { n: 'no session' }, setCookies: [] }, 'without requireStore: the request runs without req.session');
      });

      it("a genid returning a Promise: its id is the cookie's and the Redis key, also for regenerate({ keepData: true }); a rejection reaches next(err)", async () => {
        const r = (await seen<{
          issued: string[];
          set: { bodyId: string; cookieId: string; stored: { n: number } | null };
          setIdAfterLogin: number;
          login: { status: number; body: { id: string; n: number }; cookieId: string; stored: { n: number } | null };
          failed: { status: number; body: unknown; setCookies: string[] };
        }>('async-genid'))[label];
        assert.ok(r.issued.includes(r.set.cookieId), `the cookie's id ${r.set.cookieId} is one genid resolved to: ${r.issued.join(', ')}`);
        assert.deepEqual({ bodyId: r.set.bodyId, n: r.set.stored?.n }, { bodyId: r.set.cookieId, n: 6 }, 'req.sessionID and the Redis key are that id');
        assert.equal(r.login.cookieId, r.issued.at(-1), 'regenerate({ keepData: true }) awaits the Promise too');
        assert.notEqual(r.login.cookieId, r.set.cookieId);
        assert.deepEqual(r.login.body, { id: r.login.cookieId, n: 6 });
        assert.equal(r.login.stored?.n, 6);
        assert.equal(r.setIdAfterLogin, 0);
        assert.deepEqual(r.failed, { status: 500, body: { error: 'no id today', session: false }, setCookies: [] });
      });
    });
  }

  it("TypeScript (strict) accepts every option and regenerate({ keepData: true }) through the package's declarations, and rejects wrong uses", async () => {
    const { code, output } = await typeCheck;
    const errors = [...output.matchAll(/^(types-[a-z]+\.ts)\((\d+),\d+\): error TS\d+/gm)].map(([, file, line]) => `${file}:${line}`);
    const expected = readFileSync(join(fixtures, 'types-bad.ts'), 'utf8').split('\n').flatMap((text, i) => (text.includes('// error expected') ? [`types-bad.ts:${i + 1}`] : []));
    assert.equal(expected.length, 3);
    assert.deepEqual(errors, expected, `tsc must report exactly the lines marked "error expected":\n${output}`);
    assert.match(output, /keepData[\s\S]*Type 'string' is not assignable to type 'boolean \| undefined'/);
    assert.equal(code, 2);
  });
});
