import { ExpiryQueue } from './internal/expiry-queue';
import { parseDate } from './internal/iso-date';
import { flatJsonCopy } from './internal/json-copy';
import { Store, type ErrorCallback } from './store';
import session = require('./index');

type SessionData = session.SessionData;

/** Options for {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most sessions kept at once; past it the least recently used (by get, set or touch) is
   * dropped, logging that user out. Default: no bound, which a flood of new visitors can grow.
   * A session of a few short fields takes about 270 bytes of heap: 100_000 of them, 27 MB.
   */
  max?: number | undefined;
  /**
   * How often, in ms, expired sessions are swept out without waiting for a read. Default 1000.
   * The timer is unref'd (it never keeps the process alive); a sweep costs what expired.
   */
  pruneInterval?: number | undefined;
}

/** A session as kept: flat (see {@link MemoryStore}), or its JSON (the cookie reduced when `templated`). */
type Stored = Record<string, unknown> | JsonRecord;
class JsonRecord { constructor(readonly json: string, readonly expires: number, readonly templated = false) {} }

/**
 * When a session whose stored cookie has this `expires` expires, as express-session decides it:
 * a string is a date, another truthy value a number; missing, falsy or unreadable means never.
 */
function expiryTime(expires: unknown): number {
  const time = !expires ? NaN : typeof expires === 'string' ? parseDate(expires) : Number(expires);
  return Number.isNaN(time) ? Infinity : time;
}

function holdsOnlyPrimitives(data: Record<string, unknown>): boolean {
  for (const key in data) if (data[key] !== null && typeof data[key] === 'object') return false;
  return true;
}

/**
 * No enumerable key but `cookie`, own or inherited (for-in: no array to allocate).
 * @internal Exported for bench/memory-store-save.bench.mjs, which measures this very check.
 */
export function holdsOnlyItsCookie(session: object): boolean {
  for (const key in session) if (key !== 'cookie') return false;
  return true;
}

/**
 * The session store used when none is given: sessions in this process's memory as JSON copies,
 * lost on restart and not shared between processes (use a real store in production). Unlike
 * express-session's, it sweeps expired sessions out on a timer, takes a `max`, counts in O(1).
 *
 * Most sessions hold only strings, numbers and booleans, and cookies that differ only in their
 * expiry. Such a session is kept flat: as the object `JSON.parse` makes of its JSON, with the
 * cookie replaced by its `expires`, the rest of the cookie kept once (the template). A `get` is
 * then two shallow copies, cheaper than parsing JSON, and a flat session takes one object less.
 */
export class MemoryStore extends Store {
  /** Least recently used first when `max` is set (a Map keeps insertion order). */
  private readonly records = new Map<string, Stored>();
  private readonly expiries = new ExpiryQueue();
  /** The cookie of flat sessions, but for its `expires`, and its keys in order. */
  private template: { cookie: Record<string, unknown>; keys: string[] } | undefined;
  private readonly max: number;
  private readonly pruneInterval: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    const { max = Infinity, pruneInterval = 1000 } = options ?? {};
    if (!(max === Infinity || (Number.isInteger(max) && max > 0))) throw new TypeError('MemoryStore max option must be a positive integer');
    if (!(Number.isFinite(pruneInterval) && pruneInterval > 0)) throw new TypeError('MemoryStore pruneInterval option must be a positive number of milliseconds');
    this.max = max;
    this.pruneInterval = pruneInterval;
  }

  /** Every live session, keyed by id. */
  override all(callback: (err: unknown, sessions?: Record<string, SessionData> | null) => void): void {
    this.prune();
    const sessions: Record<string, SessionData> = Object.create(null);
    for (const [sid, record] of this.records) sessions[sid] = this.decode(record);
    if (callback) process.nextTick(callback, null, sessions);
  }

  override clear(callback?: ErrorCallback): void {
    this.records.clear();
    this.expiries.clear();
    if (callback) process.nextTick(callback);
  }

  override destroy(sid: string, callback?: ErrorCallback): void {
    this.records.delete(sid);
    if (callback) process.nextTick(callback);
  }

  /** Fetch a session: a fresh object, as parsing the stored JSON gives it, or `undefined`. */
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.prune();
    const record = this.records.get(sid);
    if (record !== undefined && this.max !== Infinity) {
      this.records.delete(sid); // to the end of the map: the most recently used
      this.records.set(sid, record);
    }
    process.nextTick(callback, null, record === undefined ? undefined : this.decode(record));
  }

  /**
   * Store a JSON copy of `session` (later changes to it are not seen). Data JSON cannot hold (a
   * cycle, a BigInt) goes to the callback as an error, the stored copy kept; express-session threw.
   */
  override set(sid: string, session: SessionData, callback?: ErrorCallback): void {
    this.save(sid, session, callback);
  }

  /** How many live sessions there are; O(1) after sweeping what has expired. */
  override length(callback: (err: unknown, length?: number) => void): void {
    this.prune();
    process.nextTick(callback, null, this.records.size);
  }

  /** Replace a live session's cookie (and so its expiry), keeping its data. */
  override touch(sid: string, session: SessionData, callback?: ErrorCallback): void {
    this.prune();
    const record = this.records.get(sid);
    if (record === undefined) return void (callback && process.nextTick(callback));
    const cookie = (session as { cookie?: unknown } | null)?.cookie;
    if (!(record instanceof JsonRecord)) {
      // The usual touch: a flat session whose new cookie still fits the template gets its new expiry.
      let copy: Record<string, unknown> | undefined;
      try {
        copy = flatJsonCopy(cookie, 'cookie');
      } catch (err) {
        return void (callback && process.nextTick(callback, err));
      }
      if (copy !== undefined && this.fitsTemplate(copy)) {
        this.keep(sid, { ...record, cookie: copy['expires'] }, record);
        return void (callback && process.nextTick(callback));
      }
    }
    // As express-session does it: the stored data with the new cookie in the old one's place.
    const current = this.decode(record) as { cookie?: unknown };
    current.cookie = cookie;
    this.save(sid, current as SessionData, callback);
  }

  private save(sid: string, session: SessionData, callback: ErrorCallback | undefined): void {
    let record: Stored | undefined;
    try {
      record = this.encode(session);
    } catch (err) {
      return void (callback && process.nextTick(callback, err));
    }
    if (record === undefined) this.records.delete(sid);
    else this.keep(sid, record, this.records.get(sid));
    if (callback) process.nextTick(callback);
  }

  /** Hold `record` as the session `sid` (most recently used), in place of `previous`. */
  private keep(sid: string, record: Stored, previous: Stored | undefined): void {
    if (this.max !== Infinity) this.records.delete(sid); // LRU: set anew at the end
    this.records.set(sid, record);
    // Every expiry needs a queue entry at or before it; an earlier one is re-queued when due.
    const expires = this.expiryOf(record);
    if (expires !== Infinity && (previous === undefined || expires < this.expiryOf(previous))) {
      this.expiries.push(expires, sid);
      this.timer ??= setInterval(() => this.sweep(), this.pruneInterval).unref();
    }
    if (this.records.size > this.max) this.records.delete(this.records.keys().next().value!);
    // Rebuild the queue once entries of destroyed or evicted sessions outnumber the live ones.
    if (this.expiries.size > 2 * this.records.size + 1024) {
      this.expiries.clear();
      for (const [id, kept] of this.records) if (this.expiryOf(kept) !== Infinity) this.expiries.push(this.expiryOf(kept), id);
    }
  }

  /** What to keep of `session`: undefined when JSON has no form for it (nothing readable is kept). */
  private encode(session: SessionData): Stored | undefined {
    const cookie = this.templatedCookie(session);
    if (cookie !== undefined) {
      // A session of nothing but its cookie (each new visitor's, with saveUninitialized) needs no
      // JSON round trip: S1's layer 0.5–1.1 µs less on Node 24 (bench/memory-store-save.bench.mjs).
      if (holdsOnlyItsCookie(session)) return { cookie: cookie['expires'] };
      // The data without the cookie is what V8 stringifies on its fast path; the cookie is the
      // template but for its expiry, which takes the cookie's place (and so keeps its position).
      const data = JSON.parse(JSON.stringify({ ...session, cookie: null })) as Record<string, unknown>;
      data['cookie'] = cookie['expires'];
      return holdsOnlyPrimitives(data) ? data : new JsonRecord(JSON.stringify(data), expiryTime(cookie['expires']), true);
    }
    const json = JSON.stringify(session) as string | undefined;
    if (json === undefined) return undefined;
    const stored = (JSON.parse(json) as { cookie?: unknown } | null)?.cookie;
    return new JsonRecord(json, stored !== null && typeof stored === 'object' ? expiryTime((stored as { expires?: unknown }).expires) : Infinity);
  }

  /** The JSON form of the session's own cookie when it fits the template; JSON.stringify would write the session as an object. */
  private templatedCookie(session: SessionData): Record<string, unknown> | undefined {
    if (session === null || typeof session !== 'object' || Array.isArray(session) || !Object.prototype.propertyIsEnumerable.call(session, 'cookie')) return undefined;
    if (typeof (session as { toJSON?: unknown }).toJSON === 'function') return undefined;
    const cookie = flatJsonCopy((session as { cookie?: unknown }).cookie, 'cookie');
    return cookie !== undefined && this.fitsTemplate(cookie) ? cookie : undefined;
  }

  /** Whether a cookie is the template (the first cookie of primitives) but for its `expires`. */
  private fitsTemplate(cookie: Record<string, unknown>): boolean {
    if (!Object.hasOwn(cookie, 'expires') || !holdsOnlyPrimitives(cookie)) return false; // (arrays have no expires)
    const template = (this.template ??= { cookie, keys: Object.keys(cookie) });
    let index = 0;
    for (const key in cookie) {
      if (key !== template.keys[index++] || (key !== 'expires' && cookie[key] !== template.cookie[key])) return false;
    }
    return index === template.keys.length;
  }

  private decode(record: Stored): SessionData {
    const data = record instanceof JsonRecord ? (JSON.parse(record.json) as Record<string, unknown>) : record;
    if (record instanceof JsonRecord && !record.templated) return data as unknown as SessionData;
    // Both keys exist already, so each keeps its place: the order parsing the JSON would give.
    return { ...data, cookie: { ...this.template!.cookie, expires: data['cookie'] } } as unknown as SessionData;
  }

  private expiryOf(record: Stored): number {
    return record instanceof JsonRecord ? record.expires : expiryTime(record['cookie']);
  }

  /** Drop every session whose expiry has passed: none in the map has expired afterwards. */
  private prune(): void {
    const now = Date.now();
    while (this.expiries.peekTime() <= now) {
      const sid = this.expiries.pop();
      const record = this.records.get(sid);
      if (record === undefined) continue;
      const expires = this.expiryOf(record);
      if (expires <= now) this.records.delete(sid);
      else if (expires !== Infinity) this.expiries.push(expires, sid);
    }
  }

  /** The timer's work; it stops once nothing is left to expire, so an idle store costs nothing. */
  private sweep(): void {
    this.prune();
    if (this.expiries.size > 0) return;
    this.expiries.clear(); // new arrays: the old ones kept the memory of every entry ever pushed
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
