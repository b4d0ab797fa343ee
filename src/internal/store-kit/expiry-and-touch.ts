// The kit's checks of a session's life: it ends when `cookie.expires` says, `touch` extends it,
// and `touch` is only about that life, never about the data.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExpiryTiming } from '../../store-tests';
import { sessionId, type StoreClient } from './client';

/**
 * Register the expiry and `touch` checks, in the order the suite runs them.
 *
 * @param expiry the timing, or `false` to skip the checks that wait for sessions to expire.
 */
export function expiryAndTouchChecks(store: StoreClient, expiry: Required<ExpiryTiming> | false): void {
  const waits = { skip: expiry ? false : 'expiry: false' };

  it('no longer finds a session once its cookie.expires has passed', waits, async () => {
    if (!expiry) return;
    const sid = sessionId('expiry');
    await store.set(sid, store.session(sid, { marker: sid }, { maxAge: expiry.maxAge }));
    assert.equal((await store.get(sid))?.marker, sid, 'found before it expires');
    await sleep(expiry.maxAge + expiry.allowance);
    assert.equal(await store.get(sid), undefined, `still found ${expiry.allowance} ms after it expired`);
  });

  it('touch() extends a session\'s life', waits, async (t) => {
    if (!expiry || !store.needs(t, 'touch')) return;
    const { maxAge, allowance } = expiry;
    const slack = maxAge - allowance;
    const sid = sessionId('touch-life');
    const session = store.session(sid, { marker: sid }, { maxAge });
    const storedAt = Date.now();
    await store.set(sid, session);
    // Touch once any allowance for rounding has passed but well before the session lapses...
    await sleep(storedAt + allowance + slack / 2 - Date.now());
    session.touch();
    await store.call('touch', sid, session);
    // ...then look after the untouched session would surely be gone, well before the touched one is.
    await sleep(storedAt + maxAge + allowance + slack / 4 - Date.now());
    assert.equal((await store.get(sid))?.marker, sid, 'the touched session is still there past its first expiry');
  });

  it('touch() does not write the data it is given: a concurrent save is not undone', async (t) => {
    if (!store.needs(t, 'touch')) return;
    const { sid, session } = await store.stored('touch-data', { count: 1 });
    // Another request saved a change meanwhile; this request only read the session.
    await store.set(sid, store.session(sid, { marker: sid, count: 2 }));
    session.touch();
    await store.call('touch', sid, session);
    assert.equal((await store.get(sid))?.count, 2);
  });

  it('touch() of a destroyed session neither fails nor brings it back', async (t) => {
    if (!store.needs(t, 'touch')) return;
    const { sid, session } = await store.stored('touch-gone');
    await store.destroy(sid);
    session.touch();
    await store.call('touch', sid, session);
    assert.equal(await store.get(sid), undefined);
  });
}
