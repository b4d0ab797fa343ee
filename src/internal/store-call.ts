import { log } from './debug';
import { isThenable } from './thenable';

/** Node-style continuation for a store operation. */
export type StoreCallback<T = unknown> = (err: unknown, value?: T) => void;

type StoreMethod = (...args: unknown[]) => unknown;

/** Throw `err` from a fresh stack, where it becomes an uncaught exception like any other. */
function throwLater(err: unknown): void {
  process.nextTick(() => {
    throw err;
  });
}

/**
 * Run `store[method](...args, callback)` so that `callback` runs exactly once, whatever style the
 * store is written in. What decides is what the store does, never how its method is declared
 * (`fn.length` lies for default and rest parameters). The rules, in the order they apply
 * (docs/stores.md explains them to store authors):
 *
 * - A missing method is an error for this operation.
 * - The first answer wins, callback or promise; later ones are logged and dropped.
 * - A promise that fulfils with `undefined` before the callback came is the answer only once the
 *   event loop has turned (`setImmediate`): stores that return from an `async` method and call
 *   back on the next tick or turn (a deferred callback) still give their real answer, and a
 *   method that never calls back cannot hang the request.
 * - A synchronous throw before the store answered is the operation's error, not a crash.
 *
 * An exception thrown by `callback` itself belongs to the caller, never to the store: it is not
 * taken for the store's error, and it is not lost when the store catches it (connect-redis wraps
 * its callback call in try/catch and calls back a second time with what it caught). If the store
 * answered synchronously it propagates to our caller, as it did in express-session; otherwise it
 * is rethrown as an uncaught exception, as from any asynchronous callback.
 *
 * `fn` is the method to run, `store[method]` unless the caller chose another (see
 * `sessionMethod` in store.ts).
 */
export function callStore<T>(
  store: object,
  method: string,
  args: readonly unknown[],
  callback: StoreCallback<T>,
  fn: unknown = (store as Record<string, unknown>)[method],
): void {
  let settled = false;
  let callbackError: { error: unknown } | undefined;
  let surfaced = false;

  const settle: StoreCallback<T> = (err, value) => {
    if (settled) {
      log('store.%s answered more than once; later answers ignored', method);
      return;
    }
    settled = true;
    try {
      callback(err, value);
    } catch (thrown) {
      callbackError = { error: thrown };
      throw thrown;
    }
  };

  /** Surface the callback's exception once, from wherever we learn the store kept it to itself. */
  const surfaceLater = (): void => {
    if (callbackError === undefined || surfaced) return;
    surfaced = true;
    throwLater(callbackError.error);
  };

  /** Settle from a promise reaction or a timer, where a throw would be lost or unhandled. */
  const settleLater = (err: unknown, value?: T): void => {
    if (settled) return;
    try {
      settle(err, value);
    } catch {
      surfaceLater();
    }
  };

  if (typeof fn !== 'function') {
    settle(new TypeError(`session store has no ${method}() method`));
    return;
  }

  let result: unknown;
  try {
    result = (fn as StoreMethod).apply(store, [...args, settle]);
  } catch (err) {
    if (callbackError !== undefined) {
      surfaced = true;
      throw callbackError.error;
    }
    if (settled) {
      log('store.%s threw after calling back; ignored', method);
      return;
    }
    settle(err);
    return;
  }

  if (isThenable(result)) {
    try {
      result.then(
        (value) => {
          if (callbackError !== undefined) return surfaceLater();
          if (settled) return;
          if (value === undefined) {
            setImmediate(() => {
              if (!settled) log('store.%s fulfilled with undefined and did not call back; taken as its answer', method);
              settleLater(null);
            });
            return;
          }
          settleLater(null, value as T);
        },
        (err: unknown) => {
          if (callbackError !== undefined) return surfaceLater();
          if (settled) {
            log('store.%s rejected after calling back; ignored', method);
            return;
          }
          settleLater(err ?? new Error(`session store ${method}() rejected without a reason`));
        },
      );
    } catch (thenErr) {
      // A hand-made thenable whose then() throws: as good as a rejection.
      if (!settled) settle(thenErr);
    }
  }

  // The store called back synchronously, our callback threw, and the store swallowed it.
  if (callbackError !== undefined && !surfaced) {
    surfaced = true;
    throw callbackError.error;
  }
}
