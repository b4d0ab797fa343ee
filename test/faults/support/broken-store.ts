import session = require('../../../src/index');

export type Method = 'get' | 'set' | 'touch' | 'destroy';

/** The ways a store method can misbehave that the middleware must survive. */
export type Fault =
  | 'calls back with an error'
  | 'throws synchronously'
  | 'calls back twice'
  | 'returns a rejecting promise'
  | 'calls back with an ENOENT error'
  | 'returns a session without a cookie'
  | 'returns a string instead of a session'
  | 'emits disconnect and calls back with an error';

type Callback = (err?: unknown, value?: unknown) => void;
type AnyMethod = (this: session.MemoryStore, ...args: unknown[]) => unknown;

/** The message of the error a fault produces, so tests can follow it to next(err). */
export function faultMessage(method: Method, fault: Fault): string {
  switch (fault) {
    case 'calls back with an error': return `${method} failed`;
    case 'throws synchronously': return `${method} threw`;
    case 'calls back twice': return `${method} called back a second time`;
    case 'returns a rejecting promise': return `${method} rejected`;
    case 'calls back with an ENOENT error': return 'ENOENT: no such session';
    case 'emits disconnect and calls back with an error': return `${method} lost the connection`;
    default: return '';
  }
}

function faulty(method: Method, fault: Fault, healthy: AnyMethod): AnyMethod {
  const message = faultMessage(method, fault);
  switch (fault) {
    case 'calls back with an error':
      return function (...args) {
        setImmediate(args.at(-1) as Callback, new Error(message));
      };
    case 'throws synchronously':
      return function () {
        throw new Error(message);
      };
    case 'calls back twice':
      // The real answer first, then an error: if the second call counted, the request would fail.
      return function (...args) {
        const callback = args.pop() as Callback;
        healthy.call(this, ...args, (err: unknown, value: unknown) => {
          callback(err, value);
          callback(new Error(message));
        });
      };
    case 'returns a rejecting promise':
      // A promise-style method: no callback parameter, the promise is the answer.
      return async function (_sid: unknown) {
        throw new Error(message);
      } as AnyMethod;
    case 'calls back with an ENOENT error':
      return function (...args) {
        setImmediate(args.at(-1) as Callback, Object.assign(new Error(message), { code: 'ENOENT' }));
      };
    case 'returns a session without a cookie':
      return function (...args) {
        const callback = args.pop() as Callback;
        healthy.call(this, ...args, (err: unknown, value: unknown) => {
          if (value && typeof value === 'object') delete (value as { cookie?: unknown }).cookie;
          callback(err, value);
        });
      };
    case 'returns a string instead of a session':
      return function (...args) {
        setImmediate(args.at(-1) as Callback, null, '{"cookie":{}}');
      };
    case 'emits disconnect and calls back with an error':
      return function (...args) {
        this.emit('disconnect');
        setImmediate(args.at(-1) as Callback, new Error(message));
      };
  }
}

/**
 * A MemoryStore whose methods can be broken one call at a time: `breakNext('get', fault)` makes
 * the next call to `get` (after `skip` healthy ones) misbehave, then `get` is healthy again.
 */
export class BrokenStore extends session.MemoryStore {
  /** How many times each method was called. */
  calls: Record<Method, number> = { get: 0, set: 0, touch: 0, destroy: 0 };
  #armed: { method: Method; fault: Fault; skip: number } | undefined;

  breakNext(method: Method, fault: Fault, { skip = 0 } = {}): void {
    this.#armed = { method, fault, skip };
  }

  /** Whether the armed fault has fired. */
  get fired(): boolean {
    return this.#armed === undefined;
  }

  #call(method: Method, args: unknown[]): unknown {
    this.calls[method]++;
    const healthy = session.MemoryStore.prototype[method] as AnyMethod;
    const armed = this.#armed;
    if (armed?.method === method && armed.skip-- === 0) {
      this.#armed = undefined;
      const broken = faulty(method, armed.fault, healthy);
      // A promise-style method takes no callback: drop it, as such a store never sees one.
      return broken.apply(this, armed.fault === 'returns a rejecting promise' ? args.slice(0, -1) : args);
    }
    return healthy.apply(this, args);
  }

  // Each returns what the (possibly broken) method returned, so a rejecting promise reaches the caller.
  override get(sid: string, callback: (err: unknown, s?: session.SessionData | null) => void): void {
    return this.#call('get', [sid, callback]) as void;
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    return this.#call('set', [sid, data, callback]) as void;
  }

  override touch(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    return this.#call('touch', [sid, data, callback]) as void;
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    return this.#call('destroy', [sid, callback]) as void;
  }
}
