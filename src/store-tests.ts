/**
 * The store conformance kit: `require('express-session-ts/store-tests')`.
 *
 * A store author calls {@link testStore} from a `node:test` file (run it with `node --test`);
 * it registers one `describe` suite that checks the store the way the session middleware will
 * use it. The kit is written for Node's built-in test runner and imports `node:test` itself;
 * it does not work under Jest or Mocha.
 *
 * ```js
 * const { testStore } = require('express-session-ts/store-tests');
 * const { MyStore } = require('../lib/my-store');
 * testStore('MyStore', () => new MyStore({ url: process.env.MY_URL }), {
 *   cleanup: (store) => store.close(),
 * });
 * ```
 *
 * @packageDocumentation
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { storeClient } from './internal/store-kit/client';
import { expiryAndTouchChecks } from './internal/store-kit/expiry-and-touch';
import { getSetDestroyChecks } from './internal/store-kit/get-set-destroy';
import { wholeStoreChecks } from './internal/store-kit/whole-store';
import type { Store } from './store';

/** How {@link testStore} checks that sessions expire. */
export interface ExpiryTiming {
  /**
   * `cookie.maxAge` of the sessions in the expiry tests, in ms. Default 3000. Must exceed
   * `allowance` by at least 500 ms: the touch test refreshes a session between the two.
   */
  maxAge?: number;
  /**
   * How long past its `cookie.expires` a session may still be found, in ms. Default 1100,
   * enough for stores that keep expiry in whole seconds (Redis `EX`, SQL timestamps rounded up).
   */
  allowance?: number;
}

/** Options for {@link testStore}. All are optional. */
export interface StoreTestOptions {
  /**
   * Runs once after the suite with the store the factory made: close connections, drop
   * tables, stop timers, so that the test process can exit.
   */
  cleanup?: (store: Store) => void | Promise<void>;
  /**
   * Expiry timing, or `false` to leave out the tests that wait for sessions to expire (for a
   * store that only expires sessions on a slow schedule). Default `{ maxAge: 3000, allowance: 1100 }`.
   */
  expiry?: ExpiryTiming | false;
  /**
   * How long one store call may take before the test fails with "did not answer", in ms; a
   * method that neither calls back nor settles a promise would otherwise hang. Default 10000.
   */
  operationTimeout?: number;
  /** Skip the whole suite; a string is printed as the reason. Default false. */
  skip?: boolean | string;
}

/**
 * Register a `node:test` suite named `name` that checks a session store against what
 * express-session (and this port) expect of it:
 *
 * - `get`, `set` and `destroy` exist; an unknown id is "not found" (`null`, `undefined` or an
 *   error with `code: 'ENOENT'`); destroying an unknown id is not an error.
 * - A session comes back as its JSON: every field, `cookie.originalMaxAge`, the cookie
 *   attributes and `cookie.expires` (as a `Date` or an ISO string). `get` returns a copy.
 * - `set` replaces; concurrent `set`s on different ids keep their own data; ids containing
 *   `-` and `_` work.
 * - Sessions expire when `cookie.expires` says (unless `expiry: false`).
 * - When present: `touch` extends a session's life without writing its data or reviving a
 *   destroyed session; `all` lists sessions (array or object keyed by id); `length` counts
 *   them; `clear` removes them all.
 *
 * Store methods may call back, return a promise, or both: the kit calls them the way the
 * middleware does. `all`, `length` and `clear` act on the whole store, so give the kit a store
 * (or a key prefix, table, ...) that nothing else uses while it runs.
 *
 * @param name the suite's name, e.g. the store's class name.
 * @param createStore makes the store once, before the first test; may be async.
 * @param options cleanup hook, expiry timing, per-call timeout, skip.
 */
export function testStore(name: string, createStore: () => Store | Promise<Store>, options: StoreTestOptions = {}): void {
  const expiry = options.expiry === false ? false : { maxAge: 3000, allowance: 1100, ...options.expiry };
  if (expiry && !(expiry.maxAge >= expiry.allowance + 500)) {
    throw new RangeError('testStore: expiry.maxAge must exceed expiry.allowance by at least 500 ms');
  }

  // One test at a time, in order, whatever the enclosing suite allows: the tests share the
  // store, and length() and clear() see everything in it.
  describe(name, { skip: options.skip ?? false, concurrency: 1 }, () => {
    let made: Store | undefined;
    before(async () => {
      made = await createStore();
      assert.ok(made !== null && typeof made === 'object', 'createStore() returns the store');
    });
    after(async () => {
      if (made !== undefined && options.cleanup) await options.cleanup(made);
    });

    const store = storeClient(() => {
      assert.ok(made, 'the store was created');
      return made;
    }, options.operationTimeout ?? 10_000);
    getSetDestroyChecks(store);
    expiryAndTouchChecks(store, expiry);
    wholeStoreChecks(store);
  });
}
