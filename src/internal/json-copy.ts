import { toIsoString } from './iso-date';

/**
 * `JSON.parse(JSON.stringify(value))` for a flat object, the shape of every session cookie (a
 * Cookie, or a stored cookie of strings, numbers, booleans and a date), computed without writing
 * and reading JSON. V8 stringifies an object that has a `toJSON` (a Cookie, a Date) on its slow
 * path, which made the cookie most of what a MemoryStore touch cost (bench/json-copy.bench.mjs).
 *
 * `undefined` when JSON would need its general path: `value` (after its `toJSON`) is not a plain
 * object, or a property holds an object that `toJSON` does not turn into a primitive, or a BigInt
 * (which JSON refuses). The caller then goes through JSON, which gives the same result or error.
 */
export function flatJsonCopy(value: unknown, key = ''): Record<string, unknown> | undefined {
  const json = toJsonValue(value, key);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const copy: Record<string, unknown> = {};
  // Object.keys lists own enumerable string keys in the order JSON.stringify writes them.
  for (const name of Object.keys(json)) {
    // An own `__proto__` key, which JSON.parse makes but an assignment cannot: JSON's route.
    if (name === '__proto__') return undefined;
    const item = toJsonValue((json as Record<string, unknown>)[name], name);
    switch (typeof item) {
      case 'string':
      case 'boolean':
        copy[name] = item;
        break;
      case 'number':
        // JSON writes NaN and ±Infinity as null, and -0 as 0.
        copy[name] = Number.isFinite(item) ? item + 0 : null;
        break;
      case 'object':
        if (item !== null) return undefined;
        copy[name] = null;
        break;
      case 'bigint':
        return undefined;
      default: // undefined, functions and symbols are left out
    }
  }
  return copy;
}

const dateToJson = Date.prototype.toJSON;

/** What JSON.stringify writes for `value` under `key`: its `toJSON(key)` when it has one (a Date's ISO string). */
function toJsonValue(value: unknown, key: string): unknown {
  // Date's own toJSON, spelled out: called through toJSON it costs twice as much on Node 24.
  if (value instanceof Date && value.toJSON === dateToJson) return Number.isFinite(value.getTime()) ? toIsoString(value) : null;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  return value;
}
