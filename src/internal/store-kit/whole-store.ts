// The kit's checks of the optional methods that act on every session at once: `all`, `length`
// and `clear`. They see whatever else is in the store, so they count and look for their own
// sessions rather than expect an empty store.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Stored, StoreClient } from './client';

/** Register the `all`, `length` and `clear` checks, in the order the suite runs them. */
export function wholeStoreChecks(store: StoreClient): void {
  it('all() lists the stored sessions, as an array or an object keyed by id', async (t) => {
    if (!store.needs(t, 'all')) return;
    const a = await store.stored('all-a');
    const b = await store.stored('all-b');
    const sessions = await store.call<Stored[] | Record<string, Stored>>('all');
    assert.ok(sessions !== null && typeof sessions === 'object', 'all() gives an array or an object');
    const list = Array.isArray(sessions) ? sessions : Object.values(sessions);
    for (const { sid } of [a, b]) {
      const entry = list.find((session) => session?.marker === sid);
      assert.ok(entry, `session ${sid} is listed`);
      assert.ok(entry.cookie && typeof entry.cookie === 'object', 'with its cookie');
      if (!Array.isArray(sessions)) assert.equal(sessions[sid]?.marker, sid, 'keyed by its id');
    }
  });

  it('length() counts the stored sessions', async (t) => {
    if (!store.needs(t, 'length')) return;
    const before = await store.call<number>('length');
    assert.equal(typeof before, 'number');
    const added = [await store.stored('length-a'), await store.stored('length-b'), await store.stored('length-c')];
    assert.equal(await store.call<number>('length'), before! + 3);
    await store.destroy(added[0]!.sid);
    assert.equal(await store.call<number>('length'), before! + 2);
  });

  it('clear() removes every session', async (t) => {
    if (!store.needs(t, 'clear')) return;
    const sids = [(await store.stored('clear-a')).sid, (await store.stored('clear-b')).sid];
    await store.call('clear');
    for (const sid of sids) assert.equal(await store.get(sid), undefined, `${sid} is gone`);
    if (store.has('length')) assert.equal(await store.call<number>('length'), 0);
  });
}
