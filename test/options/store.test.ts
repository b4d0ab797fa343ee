import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { Browser } from '../support/http';
import { CountingStore } from '../support/stores';

for (const { label, express } of expressVersions) {
  describe(`store option (${label})`, () => {
    it('defaults to a MemoryStore, exposed as req.sessionStore', async () => {
      const server = await start(sessionApp(express, { secret: 's', resave: false, saveUninitialized: true }, (app) => {
        app.get('/', (req, res) => res.end(String(req.sessionStore instanceof session.MemoryStore)));
      }));
      assert.equal((await new Browser(server).get('/')).body, 'true');
    });

    it('keeps sessions in the given store, exposed as req.sessionStore', async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true }, (app) => {
        app.get('/', (req, res) => res.end(String(req.sessionStore === store)));
      }));
      const browser = new Browser(server);
      assert.equal((await browser.get('/')).body, 'true');
      await browser.get('/');
      assert.equal(store.calls.get, 1);
      assert.equal(await store.count(), 1);
    });

    it('shares sessions between two apps that use the same store', async () => {
      const store = new session.MemoryStore();
      const a = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true }));
      const b = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true }));
      const browserA = new Browser(a);
      await browserA.get('/count');
      const browserB = new Browser(b);
      browserB.cookie = browserA.cookie;
      assert.equal((await browserB.get('/count')).body, '2');
      assert.equal((await browserA.get('/count')).body, '3');
    });
  });
}

describe('store option validation', () => {
  it('throws a TypeError for something that is not an event-emitting store', () => {
    assert.throws(() => session({ secret: 's', store: {} as never, resave: false, saveUninitialized: false }), TypeError);
  });
});
