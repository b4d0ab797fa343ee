import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import { defaultRoutes, expressVersions, sessionApp, start, type ExpressFactory } from './support/apps';
import { Browser } from './support/http';
import { CountingStore, sessionIdOf } from './support/stores';

type Data = { n?: number; count?: number };

/** An app whose routes save explicitly in the ways express-session's apps do, on a counting store. */
async function harness(express: ExpressFactory, resave: boolean) {
  const store = new CountingStore();
  const routes = (app: Express) => {
    defaultRoutes(app);
    app.get('/save', (req, res, next) => {
      (req.session as unknown as Data).n = 1;
      req.session.save((err) => (err ? next(err) : res.end('saved')));
    });
    app.get('/save-then-change', (req, res, next) => {
      (req.session as unknown as Data).n = 1;
      req.session.save((err) => {
        if (err) return next(err);
        (req.session as unknown as Data).n = 2;
        res.end('changed');
      });
    });
    app.get('/reload-then-save', (req, res, next) => {
      req.session.reload((err) => {
        if (err) return next(err);
        (req.session as unknown as Data).n = 3;
        req.session.save((saveErr) => (saveErr ? next(saveErr) : res.end('saved')));
      });
    });
    app.get('/regenerate-then-save', (req, res, next) => {
      req.session.regenerate((err) => {
        if (err) return next(err);
        (req.session as unknown as Data).n = 4;
        req.session.save((saveErr) => (saveErr ? next(saveErr) : res.end('saved')));
      });
    });
  };
  const server = await start(sessionApp(express, { secret: 's', store, resave, saveUninitialized: false }, routes));
  const browser = new Browser(server);
  await browser.get('/count');
  store.reset();
  return { store, browser };
}

for (const { label, express } of expressVersions) {
  describe(`an explicit req.session.save() in a route (${label})`, () => {
    for (const resave of [false, true]) {
      it(`is not repeated at the end of the response when nothing changed after it (resave: ${resave})`, async () => {
        const { store, browser } = await harness(express, resave);
        assert.equal((await browser.get('/save')).body, 'saved');
        assert.equal(store.calls.set, 1, 'the explicit save only');
        assert.equal(store.calls.touch, 1, 'then a touch, as express-session does for a session it need not save');
      });
    }

    it('is followed by a save at the end of the response when the data changed after it', async () => {
      const { store, browser } = await harness(express, false);
      assert.equal((await browser.get('/save-then-change')).body, 'changed');
      assert.equal(store.calls.set, 2);
      assert.equal((await store.read(sessionIdOf(browser.cookie)!) as Data | undefined)?.n, 2);
    });

    it('after reload(), still counts: the reloaded session is saved once', async () => {
      const { store, browser } = await harness(express, false);
      assert.equal((await browser.get('/reload-then-save')).body, 'saved');
      assert.equal(store.calls.set, 1);
    });

    it('after regenerate(), the new session is saved again at the end, as express-session does', async () => {
      const { store, browser } = await harness(express, false);
      assert.equal((await browser.get('/regenerate-then-save')).body, 'saved');
      assert.equal(store.calls.set, 2);
    });
  });
}
