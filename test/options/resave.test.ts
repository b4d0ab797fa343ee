import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expressVersions, sessionApp, start } from '../support/apps';
import { Browser } from '../support/http';
import { CountingStore } from '../support/stores';

for (const { label, express } of expressVersions) {
  describe(`resave option (${label})`, () => {
    it('true: saves an unchanged session on every request', async () => {
      const store = new CountingStore();
      const browser = new Browser(await start(sessionApp(express, { secret: 's', store, resave: true, saveUninitialized: true })));
      await browser.get('/');
      store.reset();
      await browser.get('/');
      await browser.get('/');
      assert.equal(store.calls.set, 2);
      assert.equal(store.calls.touch, 0);
    });

    it('false: does not save an unchanged session, and touches it instead', async () => {
      const store = new CountingStore();
      const browser = new Browser(await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true })));
      await browser.get('/');
      store.reset();
      await browser.get('/');
      await browser.get('/');
      assert.equal(store.calls.set, 0);
      assert.equal(store.calls.touch, 2);
    });

    it('false: saves a session whose data changed (and does not also touch it)', async () => {
      const store = new CountingStore();
      const browser = new Browser(await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true })));
      await browser.get('/count');
      store.reset();
      assert.equal((await browser.get('/count')).body, '2');
      assert.equal(store.calls.set, 1);
      assert.equal(store.calls.touch, 0);
    });

    it('false: saves a nested change (the fingerprint covers the whole data)', async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true }, (app) => {
        app.get('/nested', (req, res) => {
          const data = req.session as unknown as { cart?: { items: string[] } };
          data.cart ??= { items: [] };
          data.cart.items.push('x');
          res.end(String(data.cart.items.length));
        });
      }));
      const browser = new Browser(server);
      await browser.get('/nested');
      assert.equal((await browser.get('/nested')).body, '2');
      assert.equal((await browser.get('/nested')).body, '3');
    });

    it('false: does not save again at the end when the handler already saved the change', async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true }, (app) => {
        app.get('/save', (req, res) => {
          (req.session as unknown as { saved: boolean }).saved = true;
          req.session.save((err) => res.end(err ? 'error' : 'saved'));
        });
      }));
      const browser = new Browser(server);
      await browser.get('/');
      store.reset();
      assert.equal((await browser.get('/save')).body, 'saved');
      assert.equal(store.calls.set, 1);
    });
  });
}
