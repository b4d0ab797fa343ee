import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import session = require('../../src/index');
import { expressVersions, sessionApp, start } from '../support/apps';
import { Browser } from '../support/http';
import { CountingStore, sessionIdOf } from '../support/stores';

function routes(app: import('express').Express): void {
  app.get('/count', (req, res) => {
    const data = req.session as unknown as { count?: number };
    data.count = (data.count ?? 0) + 1;
    res.end(String(data.count));
  });
  app.get('/delete', (req, res) => {
    delete (req as { session?: unknown }).session;
    res.end('deleted');
  });
  app.get('/null', (req, res) => {
    (req as { session: unknown }).session = null;
    res.end('nulled');
  });
}

for (const { label, express } of expressVersions) {
  describe(`unset option (${label})`, () => {
    it("'keep' (the default): a deleted req.session stays in the store", async () => {
      const store = new CountingStore();
      const browser = new Browser(await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true }, routes)));
      await browser.get('/count');
      await browser.get('/delete');
      assert.equal(store.calls.destroy, 0);
      assert.equal((await browser.get('/count')).body, '2');
    });

    it("'keep': the stored session is not changed by edits made before the delete", async () => {
      const store = new CountingStore();
      const server = await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true, unset: 'keep' }, (app) => {
        routes(app);
        app.get('/edit-then-delete', (req, res) => {
          (req.session as unknown as { count: number }).count = 100;
          delete (req as { session?: unknown }).session;
          res.end('ok');
        });
      }));
      const browser = new Browser(server);
      await browser.get('/count');
      await browser.get('/edit-then-delete');
      assert.equal((await browser.get('/count')).body, '2');
    });

    for (const path of ['/delete', '/null']) {
      it(`'destroy': removes the session from the store when req.session is ${path === '/null' ? 'set to null' : 'deleted'}`, async () => {
        const store = new CountingStore();
        const browser = new Browser(await start(sessionApp(express, { secret: 's', store, resave: false, saveUninitialized: true, unset: 'destroy' }, routes)));
        await browser.get('/count');
        const id = sessionIdOf(browser.cookie)!;
        assert.ok(await store.read(id));
        await browser.get(path);
        assert.equal(store.calls.destroy, 1);
        assert.equal(await store.read(id), undefined);
        assert.equal((await browser.get('/count')).body, '1');
      });
    }
  });
}

describe('unset option validation', () => {
  it('throws a TypeError for a value other than keep or destroy', () => {
    assert.throws(() => session({ secret: 's', unset: 'forget' as never, resave: false, saveUninitialized: false }), {
      name: 'TypeError',
      message: 'unset option must be "destroy" or "keep"',
    });
  });
});
