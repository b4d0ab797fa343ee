/**
 * Values that may or may not be promises: a store's method, a `genid`. The synchronous case is
 * handled at once, without a tick, so code that never returns a promise runs as it always did.
 */

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Call `callback` once `pending` settles: with no argument when it fulfils, with its reason when
 * it rejects (a reason that is no error, `undefined` say, becomes `new Error(reasonless)`, so
 * `next(reason)` can never be taken for success). An exception `callback` throws is an uncaught
 * exception, as from any asynchronous callback, never a rejection that nobody handles.
 */
export function callbackWhenSettled(pending: PromiseLike<unknown>, callback: (err?: unknown) => void, reasonless: string): void {
  const call = (err?: unknown): void => {
    try {
      if (err === undefined) callback();
      else callback(err);
    } catch (thrown) {
      process.nextTick(() => {
        throw thrown;
      });
    }
  };
  Promise.resolve(pending).then(
    () => call(),
    (reason: unknown) => call(reason || new Error(reasonless)),
  );
}

/** What a genid (or a store's generate) that rejected with no reason fails the request with. */
export const GENID_REJECTED = 'genid rejected without a reason';
