import { log } from './debug';

/** Node-style continuation for a store operation. */
export type StoreCallback<T = unknown> = (err: unknown, value?: T) => void;

type StoreMethod = (...args: unknown[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function';
}

/** Throw `err` from a fresh stack, where it becomes an uncaught exception like any other. */
function throwLater(err: unknown): void {
  process.nextTick(() => {
    throw err;
  });
}

/**
 * Run `store[method](...args, callback)` so that `callback` runs exactly once, whatever style the
 * store is written in. The rules, in the order they apply (docs/stores.md explains them to
 * store authors):
 *
 * - A missing method is an error for this operation.
 * - Callback stores: the first call wins; later calls are logged and dropped.
 * - Promise stores (`async get(sid)`): the promise's value or rejection settles the call.
 * - Stores that do both (connect-redis calls back and returns a promise): whichever comes first.
 *   A method that declares the callback parameter and whose promise fulfils with `undefined`
 *   is trusted to call back itself: many such methods are `async` only by habit and pass the
 *   callback on to a driver, so their early `undefined` would otherwise read as "not found".
 * - A synchronous throw before the store answered is the operation's error, not a crash.
 *
 * An exception thrown by `callback` itself belongs to the caller, never to the store: it is not
 * taken for the store's error, and it is not lost when the store catches it (connect-redis wraps
 * its callback call in try/catch and calls back a second time with what it caught). If the store
 * answered synchronously it propagates to our caller, as it did in express-session; otherwise it
 * is rethrown as an uncaught exception, as from any asynchronous callback.
 */
export function callStore<T>(
  store: object,
  method: string,
  args: readonly unknown[],
  callback: StoreCallback<T>,
): void {
  let settled = false;
  let callbackError: { error: unknown } | undefined;
  let surfaced = false;

  const settle: StoreCallback<T> = (err, value) => {
    if (settled) {
      log('store.%s called back more than once; later calls ignored', method);
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

  /** Settle from a promise reaction, where a throw would only become an unhandled rejection. */
  const settleFromPromise = (err: unknown, value?: T): void => {
    try {
      settle(err, value);
    } catch {
      surfaceLater();
    }
  };

  const fn = (store as Record<string, unknown>)[method];
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
    const takesCallback = (fn as StoreMethod).length > args.length;
    try {
      result.then(
        (value) => {
          if (callbackError !== undefined) return surfaceLater();
          if (settled) return;
          if (takesCallback && value === undefined) {
            log('store.%s fulfilled with undefined; waiting for its callback', method);
            return;
          }
          settleFromPromise(null, value as T);
        },
        (err: unknown) => {
          if (callbackError !== undefined) return surfaceLater();
          if (settled) {
            log('store.%s rejected after calling back; ignored', method);
            return;
          }
          settleFromPromise(err ?? new Error(`session store ${method}() rejected without a reason`));
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
