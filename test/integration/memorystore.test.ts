import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import express from 'express';
import { defaultRoutes, sessionApp, start } from '../support/apps';
import { Browser } from '../support/http';
import { sessionIdOf } from '../support/stores';
import { coreFlow } from './support/core-flow';
import { builtFactory, openMemorystore, readStored } from './support/stores';

// memorystore needs no server: these tests always run.
describe('memorystore', () => {
  const handle = openMemorystore();
  after(() => handle.close());

  coreFlow(() => handle);

  it('takes its TTL from cookie.maxAge, which our Cookie exposes as the milliseconds left', async () => {
    const app = sessionApp(express, { secret: 's', store: handle.store, resave: false, saveUninitialized: false, cookie: { maxAge: 45_000 } }, defaultRoutes, builtFactory);
    const browser = new Browser(await start(app));
    await browser.get('/count');
    const sid = sessionIdOf(browser.cookie)!;
    const left = (await handle.expiresAt(sid))! - Date.now();
    assert.ok(left > 40_000 && left <= 45_000, `entry expires in ${left} ms for a 45 s cookie`);
    assert.equal((await readStored(handle.store, sid))?.count, 1);
  });
});
