import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { service } from './support/services';

/** A loopback port nothing listens on: bound, noted, released. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the integration tests\' service rule', () => {
  it('skips with one line naming the variable, the URL CI uses and the README when the variable is unset', () => {
    const redis = service('REDIS_URL', 'the connect-redis tests', {});
    assert.equal(redis.skip, 'skipped: set REDIS_URL=redis://127.0.0.1:6379 to run the connect-redis tests (see README)');
    assert.equal(redis.url, undefined);
    const postgres = service('DATABASE_URL', 'the connect-pg-simple tests', { DATABASE_URL: '' });
    assert.equal(postgres.skip, 'skipped: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run the connect-pg-simple tests (see README)');
  });

  it('runs the tests when the variable is set', () => {
    const redis = service('REDIS_URL', 'the connect-redis tests', { REDIS_URL: 'redis://127.0.0.1:6379' });
    assert.equal(redis.skip, false);
    assert.equal(redis.url, 'redis://127.0.0.1:6379');
  });

  it('fails with a message naming the variable, the address and the way out when the variable is set but nothing answers', async () => {
    const port = await closedPort();
    const redis = service('REDIS_URL', 'the connect-redis tests', { REDIS_URL: `redis://127.0.0.1:${port}` });
    await assert.rejects(redis.assertReachable(), (err: Error) => {
      assert.match(err.message, new RegExp(`^REDIS_URL is set to redis://127\\.0\\.0\\.1:${port}, but nothing answers at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED`));
      assert.match(err.message, /Start the server \(\.ci\/services\.sh does\) or unset REDIS_URL to skip the connect-redis tests\.$/);
      return true;
    });
  });

  it('fails when the variable is not a URL', async () => {
    const postgres = service('DATABASE_URL', 'the connect-pg-simple tests', { DATABASE_URL: 'localhost' });
    await assert.rejects(postgres.assertReachable(), /^Error: DATABASE_URL=localhost is not a URL/);
  });

  it('passes once something accepts the connection', async () => {
    const server = createServer((socket) => socket.end()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      await service('DATABASE_URL', 'x', { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` }).assertReachable();
    } finally {
      server.close();
    }
  });
});
