import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { cookiePair, request, type TestServer } from '../support/http';
import { sessionIdOf } from '../support/stores';
import { service, uniqueName } from './support/services';
import { redisClient, type RedisClient } from './support/stores';

const redis = service('REDIS_URL', 'the scale-out tests');
const fixture = join(__dirname, 'fixtures', 'scale-out-app.js');

/** Start one app process and wait for the port it listens on. */
async function startApp(name: string, prefix: string, children: ChildProcess[]): Promise<TestServer> {
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, APP_NAME: name, SESSION_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${name} exited with ${code} before listening`);
    }),
  ])) as [string];
  lines.close();
  const { port } = JSON.parse(first) as { port: number };
  return { origin: `http://127.0.0.1:${port}`, secure: false, close: async () => {} };
}

describe('scale-out: two app processes sharing one connect-redis store', { skip: redis.skip }, () => {
  const children: ChildProcess[] = [];
  const prefix = `sess-test:${uniqueName('scale-out')}:`;
  let a: TestServer;
  let b: TestServer;
  let client: RedisClient;

  before(async () => {
    await redis.assertReachable();
    client = await redisClient(redis.url!);
    [a, b] = await Promise.all([startApp('A', prefix, children), startApp('B', prefix, children)]);
  });
  after(async () => {
    await Promise.all(children.map(async (child) => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }));
    if (client) {
      const keys = await client.keys(prefix + '*');
      if (keys.length > 0) await client.del(keys);
      client.destroy();
    }
  });

  async function get(server: TestServer, path: string, cookie?: string) {
    const res = await request(server, path, cookie ? { headers: { cookie } } : {});
    assert.equal(res.status, 200, res.body);
    return { body: JSON.parse(res.body) as Record<string, unknown>, cookie: cookiePair(res, 'app.sid') };
  }

  it('runs A and B as separate processes on separate ports', () => {
    assert.notEqual(a.origin, b.origin);
    assert.equal(children.length, 2);
    assert.notEqual(children[0]!.pid, children[1]!.pid);
  });

  it('a session made on A is read and changed on B, and A reads the change back', async () => {
    const made = await get(a, '/count');
    assert.deepEqual(made.body, { servedBy: 'A', count: 1 });
    const cookie = made.cookie!;
    assert.deepEqual((await get(b, '/peek', cookie)).body, { servedBy: 'B', count: 1, user: null });
    assert.deepEqual((await get(b, '/count', cookie)).body, { servedBy: 'B', count: 2 });
    assert.deepEqual((await get(a, '/peek', cookie)).body, { servedBy: 'A', count: 2, user: null });
    assert.equal(await client.exists(prefix + sessionIdOf(cookie)!), 1, 'one key in Redis holds it');
  });

  it('a regenerate on A is seen on B: the new id has the data, the old id is gone everywhere', async () => {
    const made = await get(a, '/count');
    const oldCookie = made.cookie!;
    const login = await get(a, '/login', oldCookie);
    const newCookie = login.cookie!;
    assert.ok(newCookie, 'A sends the regenerated cookie');
    assert.notEqual(sessionIdOf(newCookie), sessionIdOf(oldCookie));
    assert.equal(await client.exists(prefix + sessionIdOf(oldCookie)!), 0, 'the old key is deleted from Redis');
    assert.deepEqual((await get(b, '/peek', newCookie)).body, { servedBy: 'B', count: null, user: 'ada' });
    assert.deepEqual((await get(b, '/peek', oldCookie)).body, { servedBy: 'B', count: null, user: null }, 'B finds nothing under the old id');
  });
});
