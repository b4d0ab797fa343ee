import { IncomingMessage, ServerResponse } from 'node:http';

const kProbe = Symbol('express-session-ts: dictionary mode');

/**
 * V8 13 (Node 24) shares hidden classes between objects whose prototype was changed the same way,
 * so Express's requests no longer pay for it, and dictionary mode would only make them slower.
 * Every V8 before it, up to 12.9 (Node 23), builds one hidden class per object (bench/PROFILE.md).
 */
const V8_SHARES_CLASSES_AFTER_SET_PROTOTYPE = Number(process.versions.v8.split('.')[0]) >= 13;

/**
 * Put a request or response that Express has given its own prototype into V8's dictionary mode,
 * which changes how fast its properties are, never what they are.
 *
 * Express (4 and 5) gives every request's `req` and `res` a new prototype with
 * `Object.setPrototypeOf`. V8 then stops sharing hidden classes between requests: every property
 * that Express, this middleware or the app adds afterwards builds a new hidden class for that one
 * object (a copy of its ~50-entry descriptor list), and every later property access on it misses
 * V8's caches. That costs more than everything a session does (bench/PROFILE.md: "The floor").
 * Deleting a property moves the object to a hash table of its own, where adding a property is an
 * insert and lookups hit the caches again; the probe added and deleted here is a private symbol,
 * so nothing else can see it.
 *
 * Plain Node objects (no Express, or a framework that keeps Node's prototypes) still share hidden
 * classes, so they are left as they are, and so is everything on Node 24 and later.
 */
export function useDictionaryMode(target: IncomingMessage | ServerResponse): void {
  if (V8_SHARES_CLASSES_AFTER_SET_PROTOTYPE) return;
  const prototype: unknown = Object.getPrototypeOf(target);
  if (prototype === IncomingMessage.prototype || prototype === ServerResponse.prototype) return;
  if (!Object.isExtensible(target)) return;
  // Defined rather than assigned: an assignment would consult the prototype chain (a Proxy there
  // could refuse it); a definition only ever touches the object itself.
  Object.defineProperty(target, kProbe, { value: undefined, configurable: true });
  delete (target as unknown as Record<symbol, unknown>)[kProbe];
}
