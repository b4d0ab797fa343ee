import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expressVersions, sessionApp, start } from '../support/apps';
import { Browser, request } from '../support/http';
import { CountingStore } from '../support/stores';

for (const { label, express } of expressVersions) {
  describe(`saveUninitialized option (${label})`, () => {
    it('true: saves a new session that holds no data and sends its cookie', async () => {
      const store = new CountingStore();
      const res = await request(await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true })), '/');
      assert.equal(res.setCookies.length, 1);
      assert.equal(store.calls.set, 1);
      assert.equal(await store.count(), 1);
    });

    it('false: does not set a cookie for an unmodified new session', async () => {
      const store = new CountingStore();
      const res = await request(await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: false })), '/');
      assert.deepEqual(res.setCookies, []);
      assert.equal(store.calls.set, 0);
    });

    it('false: saves and sends the cookie once the new session holds data', async () => {
      const store = new CountingStore();
      const browser = new Browser(await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: false })));
      const res = await browser.get('/count');
      assert.equal(res.setCookies.length, 1);
      assert.equal(store.calls.set, 1);
      assert.equal((await browser.get('/count')).body, '2');
    });

    it('false: does not save a new session whose data was added and removed again in the same request', async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: false }, (app) => {
        app.get('/flip', (req, res) => {
          const data = req.session as unknown as { temp?: number };
          data.temp = 1;
          delete data.temp;
          res.end('ok');
        });
      }));
      const res = await request(server, '/flip');
      assert.deepEqual(res.setCookies, []);
      assert.equal(store.calls.set, 0);
    });

    it('undefined: behaves as true (and warns it is deprecated)', async () => {
      const store = new CountingStore();
      const res = await request(await start(sessionApp(express, { secret: 's', store, resave: false })), '/');
      assert.equal(res.setCookies.length, 1);
      assert.equal(store.calls.set, 1);
    });
  });
}
