import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session = require('../../src/index');
import { expressVersions, start } from '../support/apps';
import { keepAliveClient } from '../security/support/clients';
import { waitFor } from '../support/wait';

/** Sessions the store holds, counted with the clock held at `at` so that length() sweeps nothing. */
function held(store: session.MemoryStore, at: number): Promise<number> {
  const realNow = Date.now;
  Date.now = () => at;
  try {
    return new Promise((resolve, reject) => store.length((err, n) => (err ? reject(err) : resolve(n ?? 0))));
  } finally {
    Date.now = realNow;
  }
}

// The short, deterministic counterpart of `npm run soak`: a fixed number of new visitors in a
// fixed number of request loops that stop by themselves.
for (const { label, express } of expressVersions) {
  describe(`a flood of new visitors against a bounded MemoryStore (${label})`, () => {
    it('never holds more than max sessions, and holds none once the prune period after their expiry has passed', async () => {
      const max = 150;
      const maxAge = 1000;
      const pruneInterval = 25;
      const store = new session.MemoryStore({ max, pruneInterval });
      const app = express();
      app.use(session({ secret: 's', store, resave: false, saveUninitialized: false, cookie: { maxAge } }));
      app.get('/visit', (req, res) => {
        (req.session as unknown as { visited: boolean }).visited = true;
        res.end('ok');
      });
      const client = keepAliveClient(await start(app));
      const started = Date.now();
      const loops = 8;
      const visitsPerLoop = 75;
      let largest = 0;
      let answered = 0;
      try {
        await Promise.all(Array.from({ length: loops }, async () => {
          for (let i = 0; i < visitsPerLoop; i++) {
            const res = await client.get('/visit');
            assert.equal(res.status, 200);
            assert.equal(res.setCookies.length, 1, 'every new visitor gets a session');
            answered++;
            largest = Math.max(largest, await held(store, started));
          }
        }));
      } finally {
        client.close();
      }
      assert.equal(answered, loops * visitsPerLoop);
      assert.equal(largest, max, 'the bound was reached, and never passed');

      // Counted as of the start of the flood, before any expiry: only the sweep can have emptied it.
      await waitFor(async () => (await held(store, started)) === 0, { timeout: maxAge + 20 * pruneInterval, message: 'the sweep of the flood' });
    });
  });
}
