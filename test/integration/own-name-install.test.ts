import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packedProject, run, type PackedProject } from './support/packed';
import { service, uniqueName } from './support/services';

const redis = service('REDIS_URL', 'the own-name install test');

interface Step<T> {
  status: number;
  body: T;
}
interface Seen {
  storeExtendsOurs: boolean;
  upstreamInstalled: string;
  steps: {
    newVisitor: Step<{ visits: number; ours: boolean; savePromise: boolean }>;
    returningVisitor: Step<{ visits: number; ours: boolean; savePromise: boolean }>;
    regenerate: Step<{ before: string; after: string; ours: boolean; regeneratePromise: boolean }>;
    oldIdInRedis: number;
    afterRegenerate: Step<{ visits: number; ours: boolean }>;
    reload: Step<{ visits: number; ours: boolean }>;
    destroy: Step<{ id: string; gone: boolean }>;
    destroyedIdInRedis: number;
  };
}

// `npm i express-session-ts connect-redis@9 redis express@5`, as a user following the README
// does: connect-redis 9 names express-session as a peer, so npm installs express-session 1.19.0
// too, and RedisStore extends *its* Store. Needs the npm registry (or npm's cache) and Redis.
describe('installed under its own name beside connect-redis 9 (which brings express-session)', { skip: redis.skip, timeout: 240_000 }, () => {
  let project: PackedProject | undefined;
  let seen: Seen;

  before(async () => {
    await redis.assertReachable();
    project = await packedProject('session-own-name-', (tarball) => [tarball, 'connect-redis@9', 'redis', 'express@5']);
    copyFileSync(join(__dirname, 'fixtures', 'own-name-app.js'), join(project.dir, 'app.js'));
    const { stdout } = await run(process.execPath, ['app.js'], {
      cwd: project.dir,
      env: { ...process.env, SESSION_PREFIX: `${uniqueName(__filename)}:` },
      timeout: 30_000,
    });
    seen = JSON.parse(stdout) as Seen;
  });
  after(() => project?.remove());

  it("really is the mixed install: express-session 1.19.0 is there and RedisStore extends its Store, not ours", () => {
    assert.match(seen.upstreamInstalled, /^1\./);
    assert.equal(seen.storeExtendsOurs, false);
  });

  it('gives new and returning visitors our Session, whose save() without a callback returns a Promise', () => {
    const { newVisitor, returningVisitor } = seen.steps;
    assert.deepEqual(newVisitor, { status: 200, body: { visits: 1, ours: true, savePromise: true } });
    assert.deepEqual(returningVisitor, { status: 200, body: { visits: 2, ours: true, savePromise: true } });
  });

  it('await req.session.regenerate() returns a Promise and gives a new id, the old one gone from Redis', () => {
    const { regenerate, oldIdInRedis, afterRegenerate } = seen.steps;
    assert.equal(regenerate.status, 200);
    assert.equal(regenerate.body.regeneratePromise, true);
    assert.equal(regenerate.body.ours, true);
    assert.notEqual(regenerate.body.after, regenerate.body.before);
    assert.equal(oldIdInRedis, 0);
    assert.deepEqual(afterRegenerate, { status: 200, body: { visits: 101, ours: true, savePromise: true } });
  });

  it('await req.session.reload() brings the stored copy back as our Session', () => {
    assert.deepEqual(seen.steps.reload, { status: 200, body: { visits: 41, ours: true } });
  });

  it('await req.session.destroy() removes the session from the request and from Redis', () => {
    assert.equal(seen.steps.destroy.status, 200);
    assert.equal(seen.steps.destroy.body.gone, true);
    assert.equal(seen.steps.destroyedIdInRedis, 0);
  });
});
