import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { defaultRoutes, sessionApp, start } from '../support/apps';
import { Browser } from '../support/http';
import { sessionIdOf } from '../support/stores';
import { coreFlow } from './support/core-flow';
import { service } from './support/services';
import { builtFactory, openPgStore } from './support/stores';

const postgres = service('DATABASE_URL', 'the connect-pg-simple tests');

describe('connect-pg-simple on a real PostgreSQL', { skip: postgres.skip }, () => {
  let handle: Awaited<ReturnType<typeof openPgStore>>;
  before(async () => {
    await postgres.assertReachable();
    handle = await openPgStore(postgres.url!, 'connect-pg-simple');
  });
  after(() => handle?.close());

  coreFlow(() => handle);

  it('keeps the session as JSON in the table it created, expiring when cookie.expires says', async () => {
    const app = sessionApp(express, { secret: 's', store: handle.store, resave: false, saveUninitialized: false, cookie: { maxAge: 120_000 } }, defaultRoutes, builtFactory);
    const browser = new Browser(await start(app));
    await browser.get('/count');
    const sid = sessionIdOf(browser.cookie)!;
    const { rows } = await handle.pool.query(`SELECT sess FROM ${handle.table} WHERE sid = $1`, [sid]);
    const sess = rows[0]?.sess as { count: number; cookie: { originalMaxAge: number; expires: string } };
    assert.equal(sess.count, 1);
    // Read back from the expiry just set (as express-session does): a busy moment can take a few ms off.
    assert.ok(sess.cookie.originalMaxAge > 120_000 - 50 && sess.cookie.originalMaxAge <= 120_000, String(sess.cookie.originalMaxAge));
    // The expire column is cookie.expires rounded up to the second.
    const expiresAt = await handle.expiresAt(sid);
    assert.equal(expiresAt, Math.ceil(Date.parse(sess.cookie.expires) / 1000) * 1000);
  });
});
