import { Cookie } from './cookie';
import { ExpiryQueue } from './internal/expiry-queue';
import { isoString } from './internal/iso-date';
import { Store, type ErrorCallback } from './store';
import session = require('./index');

type SessionData = session.SessionData;
type Sessions = Record<string, SessionData>;

/** Options for {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most sessions kept at once; past it the least recently used session (by get, set or touch)
   * is dropped, which logs that user out. Default: no bound.
   *
   * How to pick it: the sessions live at peak (visitors within one cookie `maxAge`; with
   * `saveUninitialized: false`, only those whose session holds data) plus headroom, then check
   * the memory: a small session (its id, its cookie, a few short fields) takes about 270 bytes
   * of heap, plus the length of any larger data as JSON, so `max: 100_000` keeps a store of
   * small sessions near 27 MB. Under a flood of new visitors the bound is what stops memory
   * growing (`npm run soak` shows it); if normal traffic reaches it, users get logged out early
   * and it is time for a real store.
   */
  max?: number | undefined;
  /**
   * How often, in ms, expired sessions are swept out without waiting for a read. Default 1000.
   * The sweep runs on an unref'd timer (it never keeps the process alive) and costs in
   * proportion to the sessions that expired, not to all sessions.
   */
  pruneInterval?: number | undefined;
}

/**
 * The cookie JSON of many sessions differs only in its expiry, so the store keeps one copy of
 * the rest (`head` up to the expiry's opening quote, `tail` from its closing quote) and only the
 * expiry per session. `tail` is null for cookies without an expiry.
 */
interface CookieTemplate {
  head: string;
  tail: string | null;
  /**
   * The cookie as `JSON.parse` gives it (any expiry a placeholder), when all its values are
   * primitives: then a shallow copy of it is a fresh cookie, and `get` need not parse the
   * cookie's JSON again for every session. Undefined otherwise.
   */
  parsed: Record<string, unknown> | undefined;
  /** The keys of `parsed`, in order. */
  keys: string[];
}

/** A placeholder expiry (the template's head ends in its opening quote), replaced in every copy. */
const PLACEHOLDER_EXPIRY = '1970-01-01T00:00:00.000Z';

/** The parsed cookie of a template, if a shallow copy of it is as good as parsing it again. */
function parsedTemplate(head: string, tail: string | null): Record<string, unknown> | undefined {
  const parsed = JSON.parse(tail === null ? head : head + PLACEHOLDER_EXPIRY + tail) as Record<string, unknown>;
  for (const key of Object.keys(parsed)) {
    const value = parsed[key];
    if (key === '__proto__' || (value !== null && typeof value === 'object')) return undefined;
  }
  return parsed;
}

/** A cookie's template, and the expiry time and text that go in it (Infinity and '' for none). */
interface TemplateMatch {
  index: number;
  expires: number;
  expiresText: string;
}

const EXPIRES_KEY = '"expires":';
const MAX_TEMPLATES = 1024;
const INLINE = -1;

/**
 * A string record, for a session that holds objects or arrays (others are flat, see FlatRecord):
 * `<expiry ms or empty>|<template index or -1>|<expiry as JSON writes it, or empty>|<JSON>`. With
 * a template, the JSON is the session's with `""` in the cookie's place; inline (-1), it is the
 * whole session's. One string per session is the most compact shape V8 offers; the shared
 * templates make each record a fraction of the size of the session's JSON. The expiry is kept
 * in both forms: as a time for the expiry checks, as text for `get`, which would otherwise spend
 * more on writing the date than on anything but parsing the data.
 */
function encodeRecord(expires: number, template: number, expiresText: string, json: string): string {
  return (Number.isFinite(expires) ? String(expires) : '') + '|' + template + '|' + expiresText + '|' + json;
}

/** The length of an ISO date with a four-digit year, the only dates that sort as text in time order. */
const ISO_LENGTH = 24;

/**
 * Where a flat record keeps its cookie: `-1 - index` for a template without an expiry; for one
 * with, the expiry as JSON writes it, prefixed with `<index>|` unless the template is the first
 * (the usual case: one app, one set of cookie options). Kept as text, not as a time, so that `get`
 * hands out the string it has instead of writing a date for every read.
 */
type CookieSlot = number | string;

/**
 * A session whose data are all strings, numbers, booleans and nulls, kept as the object
 * `JSON.parse` made of its JSON, its `cookie` reduced to a slot. `get` hands out a shallow copy
 * with a fresh cookie: the same object that parsing the JSON again gives (nothing in a copy can
 * reach the stored values, which are primitives), for a fraction of the cost. Parsing was most
 * of what a `get` cost.
 */
interface FlatRecord {
  cookie: CookieSlot;
  [key: string]: unknown;
}

/** A session as stored: flat, or a string record (see encodeRecord). */
type StoredRecord = string | FlatRecord;

/** The slot for a cookie of this template and expiry, if they fit in one. */
function slotFor(template: number, expires: number, text: string): CookieSlot | undefined {
  if (expires === Infinity) return -1 - template;
  if (text.length !== ISO_LENGTH) return undefined;
  return template === 0 ? text : template + '|' + text;
}

function slotTemplate(slot: CookieSlot): number {
  if (typeof slot === 'number') return -1 - slot;
  return slot.length === ISO_LENGTH ? 0 : Number(slot.slice(0, slot.indexOf('|')));
}

function slotText(slot: string): string {
  return slot.length === ISO_LENGTH ? slot : slot.slice(slot.indexOf('|') + 1);
}

function slotExpiry(slot: CookieSlot): number {
  return typeof slot === 'number' ? Infinity : Date.parse(slotText(slot));
}

/**
 * Whether `record` expires before `previous`, without reading dates back when both are flat:
 * their expiries are ISO dates with four-digit years, whose order as text is their order in time.
 */
function expiresBefore(record: StoredRecord, previous: StoredRecord): boolean {
  if (typeof record !== 'string' && typeof previous !== 'string') {
    const slot = record.cookie;
    const previousSlot = previous.cookie;
    if (typeof slot === 'number') return false;
    if (typeof previousSlot === 'number') return true;
    return slotText(slot) < slotText(previousSlot);
  }
  return recordExpiry(record) < recordExpiry(previous);
}

function recordExpiry(record: StoredRecord): number {
  if (typeof record !== 'string') return slotExpiry(record.cookie);
  const bar = record.indexOf('|');
  return bar === 0 ? Infinity : Number(record.slice(0, bar));
}

/** Whether every value of `data` is a primitive (JSON's objects and arrays are the only others). */
function holdsOnlyPrimitives(data: Record<string, unknown>): boolean {
  for (const key in data) {
    const value = data[key];
    if (value !== null && typeof value === 'object') return false;
  }
  return true;
}

/**
 * When a session whose stored JSON has this `cookie` expires, as express-session's MemoryStore
 * decides it: a string is read as a date, any other truthy value is compared as a number, and a
 * missing, falsy or unreadable expiry means never.
 */
function storedExpiry(cookie: unknown): number {
  if (cookie === null || typeof cookie !== 'object') return Infinity;
  const expires = (cookie as { expires?: unknown }).expires;
  if (!expires) return Infinity;
  const time = typeof expires === 'string' ? Date.parse(expires) : Number(expires);
  return Number.isNaN(time) ? Infinity : time;
}

const cookieToJson = Cookie.prototype.toJSON;
const dateToJson = Date.prototype.toJSON;
const dateToIsoString = Date.prototype.toISOString;

/**
 * `JSON.stringify(cookie)`, and the expiry (time and text) it wrote when that is known without
 * reading the JSON back. For this package's own cookies with a plain `Date` expiry the date is
 * written with `isoString`, which writes what `Date#toJSON` writes several times faster: through
 * `Date#toJSON` the cookie's JSON cost more than all the rest of a touch.
 */
function cookieJson(cookie: object): { json: string | undefined; expires: number | undefined; expiresText: string } {
  if (cookie instanceof Cookie && cookie.toJSON === cookieToJson) {
    const data = cookie.data as unknown as Record<string, unknown>;
    const expires = data['expires'];
    if (expires instanceof Date && expires.toJSON === dateToJson && expires.toISOString === dateToIsoString) {
      const time = expires.getTime();
      if (Number.isFinite(time)) {
        const expiresText = isoString(time);
        data['expires'] = expiresText;
        return { json: JSON.stringify(data), expires: time, expiresText };
      }
    }
  }
  return { json: JSON.stringify(cookie) as string | undefined, expires: undefined, expiresText: '' };
}

/** Whether index `at` of `json` is directly inside its outermost object, not in a nested value. */
function atTopLevel(json: string, at: number): boolean {
  let depth = 0;
  for (let i = 0; i < at; i++) {
    const code = json.charCodeAt(i);
    if (code === 0x22 /* " */) {
      // Skip the string; JSON escapes every quote inside one with a backslash.
      for (i++; i < at && json.charCodeAt(i) !== 0x22; i++) if (json.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      depth++;
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      depth--;
    }
  }
  return depth === 1;
}

/**
 * The session store used when none is given: sessions in this process's memory, as JSON copies.
 *
 * Unlike express-session's, it sweeps expired sessions out on a timer (no read needed), can be
 * bounded with `max`, answers `length()` without parsing every session, and stores far fewer
 * bytes per session. It is still one process's memory: sessions vanish on restart and are not
 * shared between processes. Use a real store (Redis, PostgreSQL, ...) in production.
 */
export class MemoryStore extends Store {
  #records = new Map<string, StoredRecord>();
  #expiries = new ExpiryQueue();
  #templates: CookieTemplate[] = [];
  #templateIndex = new Map<string, number>();
  #lastTemplate: { head: string; tail: string | null; index: number } | undefined;
  #max: number;
  #pruneInterval: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    super();
    const { max = Infinity, pruneInterval = 1000 } = options ?? {};
    if (!(max === Infinity || (Number.isInteger(max) && max > 0))) {
      throw new TypeError('MemoryStore max option must be a positive integer');
    }
    if (!(Number.isFinite(pruneInterval) && pruneInterval > 0)) {
      throw new TypeError('MemoryStore pruneInterval option must be a positive number of milliseconds');
    }
    this.#max = max;
    this.#pruneInterval = pruneInterval;
  }

  /** Every live session, keyed by id. */
  override all(callback: (err: unknown, sessions?: Sessions | null) => void): void {
    this.#prune();
    const sessions: Sessions = Object.create(null);
    for (const [id, record] of this.#records) sessions[id] = this.#decode(record);
    if (callback) process.nextTick(callback, null, sessions);
  }

  /** Delete every session. */
  override clear(callback?: ErrorCallback): void {
    this.#records.clear();
    this.#expiries.clear();
    if (callback) process.nextTick(callback);
  }

  /** Delete one session. */
  override destroy(sid: string, callback?: ErrorCallback): void {
    this.#records.delete(sid);
    if (callback) process.nextTick(callback);
  }

  /** Fetch a session: a fresh object, as parsing the stored JSON gives it, or `undefined`. */
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    // Sweeping out what is due first leaves no expired session in the map, so the one found is
    // live without a look at its expiry: for a flat record that look was a trip to memory of its
    // own, on every get.
    this.#prune();
    const record = this.#records.get(sid);
    let found: SessionData | undefined;
    if (record !== undefined) {
      this.#markUsed(sid, record);
      found = this.#decode(record);
    }
    process.nextTick(callback, null, found);
  }

  /** Store a JSON copy of `session` (later changes to the object are not seen). */
  override set(sid: string, session: SessionData, callback?: ErrorCallback): void {
    let record: StoredRecord | undefined;
    try {
      record = this.#encode(session);
    } catch (err) {
      // Data JSON cannot hold (a circular reference, a BigInt): the caller hears of it, and the
      // stored copy, if any, stays as it was. express-session's MemoryStore threw here.
      if (callback) process.nextTick(callback, err);
      return;
    }
    if (record === undefined) this.#records.delete(sid);
    else this.#store(sid, record);
    if (callback) process.nextTick(callback);
  }

  /** How many live sessions there are; O(1) after sweeping what has expired. */
  override length(callback: (err: unknown, length?: number) => void): void {
    this.#prune();
    process.nextTick(callback, null, this.#records.size);
  }

  /** Replace a live session's cookie (and so its expiry), keeping its data. */
  override touch(sid: string, session: SessionData, callback?: ErrorCallback): void {
    this.#prune();
    const record = this.#records.get(sid);
    if (record !== undefined) {
      try {
        const touched = this.#withCookie(record, (session as { cookie?: unknown } | null)?.cookie);
        if (touched === undefined) this.#records.delete(sid);
        else this.#store(sid, touched);
      } catch (err) {
        if (callback) process.nextTick(callback, err);
        return;
      }
    }
    if (callback) process.nextTick(callback);
  }

  /** `record` with its cookie replaced by `cookie`. */
  #withCookie(record: StoredRecord, cookie: unknown): StoredRecord | undefined {
    if (typeof record !== 'string') {
      if (cookie !== null && typeof cookie === 'object') {
        const slot = this.#flatSlot(this.#cookieTemplate(cookie));
        if (slot !== undefined) {
          const touched = { ...record };
          touched.cookie = slot;
          return touched;
        }
      }
      const current = this.#decode(record) as { cookie?: unknown };
      current.cookie = cookie;
      return this.#encode(current as SessionData);
    }
    const first = record.indexOf('|');
    const second = record.indexOf('|', first + 1);
    // The usual touch: the data JSON is kept as it is, only the cookie's template and expiry change.
    if (Number(record.slice(first + 1, second)) !== INLINE && cookie !== null && typeof cookie === 'object') {
      const template = this.#cookieTemplate(cookie);
      if (template !== undefined) {
        const json = record.slice(record.indexOf('|', second + 1) + 1);
        return encodeRecord(template.expires, template.index, template.expiresText, json);
      }
    }
    const current = this.#decode(record) as { cookie?: unknown };
    current.cookie = cookie;
    return this.#encode(current as SessionData);
  }

  #store(sid: string, record: StoredRecord): void {
    const records = this.#records;
    const previous = records.get(sid);
    if (previous !== undefined && this.#max !== Infinity) records.delete(sid);
    records.set(sid, record);

    // The queue needs an entry at or before the expiry; an existing one at an earlier time will
    // be re-queued when it comes up, so a later expiry (the usual touch) costs nothing here.
    if (previous === undefined || expiresBefore(record, previous)) {
      const expires = recordExpiry(record);
      if (Number.isFinite(expires)) {
        this.#expiries.push(expires, sid);
        this.#startTimer();
      }
    }

    if (records.size > this.#max) {
      const oldest = records.keys().next().value as string;
      records.delete(oldest);
    }
    // Entries for destroyed or evicted sessions wait in the queue until their time; rebuild it
    // when they outnumber the live ones so that churn cannot grow it without bound.
    if (this.#expiries.size > 2 * records.size + 1024) this.#rebuildQueue();
  }

  #markUsed(sid: string, record: StoredRecord): void {
    if (this.#max === Infinity) return;
    this.#records.delete(sid);
    this.#records.set(sid, record);
  }

  /**
   * The record for `session`, or `undefined` when it has no JSON form (`JSON.stringify` gives
   * undefined, and express-session's MemoryStore then held nothing readable either).
   */
  #encode(session: SessionData): StoredRecord | undefined {
    const cookie = (session as { cookie?: unknown } | null)?.cookie;
    // The compact forms put the cookie back into the session's JSON; a session with its own
    // toJSON serialises as whatever that returns, and an array without its cookie, so those are
    // kept whole.
    if (cookie !== null && typeof cookie === 'object' && typeof (session as { toJSON?: unknown }).toJSON !== 'function' && !Array.isArray(session)) {
      const template = this.#cookieTemplate(cookie);
      if (template !== undefined) {
        // The session's JSON with an empty string in the cookie's place, which keeps the keys in
        // the session's order.
        const json = JSON.stringify({ ...session, cookie: '' });
        const slot = this.#flatSlot(template);
        if (slot !== undefined) {
          const data = JSON.parse(json) as FlatRecord;
          if (holdsOnlyPrimitives(data)) {
            data.cookie = slot;
            return data;
          }
        }
        return encodeRecord(template.expires, template.index, template.expiresText, json);
      }
    }
    const json = JSON.stringify(session) as string | undefined;
    if (json === undefined) return undefined;
    return encodeRecord(storedExpiry((JSON.parse(json) as { cookie?: unknown } | null)?.cookie), INLINE, '', json);
  }

  /**
   * The shared template of a cookie's JSON, and the expiry it holds, when the cookie fits one:
   * a top-level `expires` that is an ISO date (rebuilt from its time), `null`, or absent.
   * Anything else (a numeric expiry, say) is stored inline. `known` and `knownText` are the expiry
   * time and text when the JSON was written from them (see cookieJson), which spares reading the
   * date back.
   */
  #templateFor({ json, expires: known, expiresText: knownText }: ReturnType<typeof cookieJson>): TemplateMatch | undefined {
    if (typeof json !== 'string' || json.charCodeAt(0) !== 0x7b /* { */) return undefined;
    const at = json.indexOf(EXPIRES_KEY);
    let head: string;
    let tail: string | null;
    let expires = Infinity;
    let expiresText = '';
    if (at === -1 || json.startsWith('null', at + EXPIRES_KEY.length)) {
      head = json;
      tail = null;
    } else {
      const start = at + EXPIRES_KEY.length + 1;
      if (json.charCodeAt(start - 1) !== 0x22 /* " */) return undefined;
      const end = json.indexOf('"', start);
      if (known !== undefined && end - start === 24) {
        expires = known;
        expiresText = knownText;
      } else {
        expiresText = json.slice(start, end);
        expires = Date.parse(expiresText);
        // Only an expiry that JSON would write back identically can be rebuilt from its time.
        if (Number.isNaN(expires) || isoString(expires) !== expiresText) return undefined;
      }
      head = json.slice(0, start);
      tail = json.slice(end);
    }
    // Most cookies share the last template (one app, one set of cookie options): comparing two
    // short strings is cheaper than building and hashing the lookup key.
    const last = this.#lastTemplate;
    if (last !== undefined && head === last.head && tail === last.tail) return { index: last.index, expires, expiresText };
    const key = tail === null ? head : head + '\u0000' + tail;
    let index = this.#templateIndex.get(key);
    if (index === undefined) {
      if (this.#templates.length >= MAX_TEMPLATES) return undefined;
      // The first "expires" key found must be the cookie's own, not one in a nested object. Known
      // templates were checked when made: the same head puts it at the same place.
      if (at !== -1 && !atTopLevel(json, at)) return undefined;
      index = this.#templates.length;
      const parsed = parsedTemplate(head, tail);
      this.#templates.push({ head, tail, parsed, keys: parsed === undefined ? [] : Object.keys(parsed) });
      this.#templateIndex.set(key, index);
    }
    this.#lastTemplate = { head, tail, index };
    return { index, expires, expiresText };
  }

  /**
   * The slot of a flat record with this template, when the template's cookie is a copy away and
   * the two fit in a slot; undefined when the session must be kept as text.
   */
  #flatSlot(template: TemplateMatch | undefined): CookieSlot | undefined {
    if (template === undefined || this.#templates[template.index]!.parsed === undefined) return undefined;
    return slotFor(template.index, template.expires, template.expiresText);
  }

  /** The template of a cookie and the expiry it holds, as #templateFor finds them. */
  #cookieTemplate(cookie: object): TemplateMatch | undefined {
    return this.#matchLastTemplate(cookie) ?? this.#templateFor(cookieJson(cookie));
  }

  /**
   * The last template and the expiry, found without writing the cookie's JSON, when the cookie
   * is one of this package's and would write that template's JSON: the same keys in the same
   * order, and values JSON writes back as they are. A touch or a save then does not write the
   * cookie's JSON only to find the template it had last time.
   */
  #matchLastTemplate(cookie: object): TemplateMatch | undefined {
    const last = this.#lastTemplate;
    if (last === undefined || !(cookie instanceof Cookie) || cookie.toJSON !== cookieToJson) return undefined;
    const { parsed, keys, tail } = this.#templates[last.index]!;
    if (parsed === undefined) return undefined;
    const data = cookie.data as unknown as Record<string, unknown>;
    let expires = Infinity;
    let expiresText = '';
    let position = 0;
    for (const key in data) {
      const value = data[key];
      if (value === undefined) continue;
      if (keys[position++] !== key) return undefined;
      if (key === 'expires' && tail !== null) {
        if (!(value instanceof Date && value.toJSON === dateToJson && value.toISOString === dateToIsoString)) return undefined;
        expires = value.getTime();
        if (!Number.isFinite(expires)) return undefined;
        expiresText = isoString(expires);
        continue;
      }
      const type = typeof value;
      const written = type === 'number' ? (Number.isFinite(value) ? value : null) : value;
      if (!(type === 'string' || type === 'boolean' || type === 'number' || value === null) || parsed[key] !== written) return undefined;
    }
    if (position !== keys.length) return undefined;
    return { index: last.index, expires, expiresText };
  }

  #decode(record: StoredRecord): SessionData {
    if (typeof record !== 'string') {
      const session = { ...record } as { cookie: unknown };
      const slot = record.cookie;
      const cookie = { ...this.#templates[slotTemplate(slot)]!.parsed };
      if (typeof slot === 'string') cookie['expires'] = slotText(slot);
      session.cookie = cookie;
      return session as SessionData;
    }
    const first = record.indexOf('|');
    const second = record.indexOf('|', first + 1);
    const third = record.indexOf('|', second + 1);
    const template = Number(record.slice(first + 1, second));
    if (template === INLINE) return JSON.parse(record.slice(third + 1)) as SessionData;
    // The same object as parsing the session's whole JSON: the cookie goes back into its place,
    // as a copy of the template's with this session's expiry when that is all it takes.
    const { head, tail, parsed } = this.#templates[template]!;
    const session = JSON.parse(record.slice(third + 1)) as { cookie: unknown };
    const expiresText = record.slice(second + 1, third);
    if (parsed !== undefined) {
      const cookie = { ...parsed };
      if (tail !== null) cookie['expires'] = expiresText;
      session.cookie = cookie;
    } else {
      session.cookie = JSON.parse(tail === null ? head : head + expiresText + tail);
    }
    return session as SessionData;
  }

  /**
   * Drop every session whose expiry has passed; cost in proportion to what expired, one
   * comparison when nothing has. Afterwards no session in the map has expired: every finite
   * expiry has a queue entry at or before it (#store and the re-queue below keep it so), and
   * every entry left is in the future.
   */
  #prune(): void {
    const now = Date.now();
    const queue = this.#expiries;
    const records = this.#records;
    while (queue.peekTime() <= now) {
      const sid = queue.pop();
      const record = records.get(sid);
      if (record === undefined) continue;
      const expires = recordExpiry(record);
      if (expires <= now) records.delete(sid);
      else if (Number.isFinite(expires)) queue.push(expires, sid);
    }
  }

  #rebuildQueue(): void {
    const queue = this.#expiries;
    queue.clear();
    for (const [sid, record] of this.#records) {
      const expires = recordExpiry(record);
      if (Number.isFinite(expires)) queue.push(expires, sid);
    }
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#prune();
      if (this.#expiries.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }, this.#pruneInterval);
    this.#timer.unref();
  }
}
