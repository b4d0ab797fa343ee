// The floor: the least a session middleware with express-session's API must do per request,
// hand-written, loaded by `npm run bench` as the app "floor" in the same rounds as the others.
// The session layer's cost over bare Express is reported for the floor, ours and
// express-session, and ours against the floor: (ours − bare) / (floor − bare).
//
// What it does, and nothing else (each step is one the API's behaviour forces):
// - the Cookie header parsed with `cookie` (the same parser ours and express-session use);
// - the signed id checked with one HMAC-SHA256 (the key made once), compared in constant time;
// - the session read as a Map lookup and one copy (a store must not hand out its own object),
//   synchronously: no deferral, no JSON;
// - req.sessionStore, req.sessionID and req.session set;
// - on-headers for the Set-Cookie decision and a wrapper on res.end for the save decision, as
//   the API needs both (a cookie must be set before headers go, a save may follow them);
// - "modified" as a shallow comparison with the stored record, which is exact for the
//   scenarios' sessions (primitive values only); a general middleware needs more (a
//   serialisation or a deep comparison), so this is below what any real one can do;
// - Set-Cookie when the scenario needs it (new session, rolling), reusing the received signed
//   value when the id is the same, so only new ids are signed; a pooled CSPRNG for new ids; the
//   header set as an array, as express-session always sets it (`res.getHeader('Set-Cookie')` is
//   an array for the app and later middleware: part of the API a drop-in keeps);
// - on save a copy into the Map; on touch (an expiring cookie) the stored cookie replaced.
// No debug, no options checks, no errors handled, no proxy/secure logic, no Session methods
// beyond the shape: every saving those make is a saving a real middleware cannot make.
import { createHmac, createSecretKey, randomFillSync, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { parse } = require('cookie');
const onHeaders = require('on-headers');

const NAME = 'connect.sid';

/** The floor's store: a Map of plain records `{ cookie, ...data }`, and what the runner inspects. */
class FloorStore {
  sessions = new Map();

  get(sid, callback) {
    const record = this.sessions.get(sid);
    callback(null, record === undefined ? null : { ...record, cookie: { ...record.cookie } });
  }

  length(callback) {
    callback(null, this.sessions.size);
  }

  clear(callback) {
    this.sessions.clear();
    callback(null);
  }
}

/** The session object's shape: its data as own properties, methods on the prototype. */
class FloorSession {
  constructor(cookie, record) {
    this.cookie = cookie;
    if (record !== undefined) {
      for (const key in record) if (key !== 'cookie') this[key] = record[key];
    }
  }

  touch() {
    if (this.cookie.originalMaxAge !== null) this.cookie.expires = new Date(Date.now() + this.cookie.originalMaxAge);
  }
}

/** Whether the session's data (not its cookie) differs from the record it was loaded from. */
function isModified(session, record) {
  let count = 0;
  for (const key in session) {
    if (key === 'cookie') continue;
    if (record === undefined || session[key] !== record[key]) return true;
    count++;
  }
  if (record === undefined) return false;
  let stored = 0;
  for (const key in record) if (key !== 'cookie') stored++;
  return stored !== count;
}

function toRecord(session) {
  const record = {};
  for (const key in session) record[key] = key === 'cookie' ? { ...session.cookie } : session[key];
  return record;
}

function mac(key, sid) {
  return createHmac('sha256', key).update(sid).digest();
}

/** The id inside a signed value `s:<id>.<mac>`, or undefined if the signature does not verify. */
function unsign(value, key) {
  if (!value.startsWith('s:')) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot < 2) return undefined;
  const sid = value.slice(2, dot);
  const given = Buffer.from(value.slice(dot + 1), 'base64');
  const expected = mac(key, sid);
  return given.length === expected.length && timingSafeEqual(given, expected) ? sid : undefined;
}

let pool = Buffer.alloc(0);
let offset = 0;
/** 24 random bytes as 32 base64url characters, as uid-safe's, from a pooled buffer. */
function generateId() {
  if (offset + 24 > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(24 * 128));
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + 24);
  offset += 24;
  return id;
}

/** The factory, with the shape bench/server.mjs expects of a session implementation. */
export function floorSession({ secret, saveUninitialized = false, rolling = false, cookie = {}, store = new FloorStore() }) {
  const maxAge = cookie.maxAge ?? null;
  const key = createSecretKey(Buffer.from(secret));
  const sessions = store.sessions;

  return function floorMiddleware(req, res, next) {
    req.sessionStore = store;
    const header = req.headers.cookie;
    const raw = header === undefined ? undefined : parse(header)[NAME];
    const cookieId = raw === undefined ? undefined : unsign(raw, key);
    const record = cookieId === undefined ? undefined : sessions.get(cookieId);
    const sid = record === undefined ? generateId() : cookieId;
    req.sessionID = sid;
    const session = (req.session =
      record === undefined
        ? new FloorSession({ originalMaxAge: maxAge, expires: maxAge === null ? null : new Date(Date.now() + maxAge), path: '/', httpOnly: true }, undefined)
        : new FloorSession({ ...record.cookie }, record));
    const known = record !== undefined;
    let touched = false;

    onHeaders(res, function setCookie() {
      const send = known ? rolling || (session.cookie.expires !== null && isModified(session, record)) : saveUninitialized || isModified(session, record);
      if (!send) return;
      if (!touched) {
        session.touch();
        touched = true;
      }
      const value = known ? raw : 's:' + sid + '.' + mac(key, sid).toString('base64').replace(/=+$/, '');
      const expires = session.cookie.expires;
      const line = NAME + '=' + encodeURIComponent(value) + '; Path=/' + (expires === null ? '' : '; Expires=' + expires.toUTCString()) + '; HttpOnly';
      const previous = this.getHeader('Set-Cookie');
      this.setHeader('Set-Cookie', previous === undefined ? [line] : [].concat(previous, line));
    });

    const end = res.end;
    res.end = function endWithSession(chunk, encoding, callback) {
      res.end = end;
      if (!touched) {
        session.touch();
        touched = true;
      }
      if (known ? isModified(session, record) : saveUninitialized || isModified(session, record)) {
        sessions.set(sid, toRecord(session));
      } else if (known && session.cookie.expires !== null) {
        // A touch: the only part of the record it changes is the cookie.
        record.cookie = { ...session.cookie };
      }
      return end.call(this, chunk, encoding, callback);
    };
    next();
  };
}

floorSession.MemoryStore = FloorStore;
