// A minimal promise-based session store: every method is `async` and never touches a callback;
// the session middleware awaits what it returns. Sessions live in a Map, as JSON, with their
// expiry beside them. See docs/stores.md.
'use strict';

// In your own package: require('express-session-ts') (or 'express-session' under an npm alias).
const { Store } = require('../..');

const ONE_DAY = 24 * 60 * 60 * 1000;

/** When a session should be forgotten: its cookie's expiry, or a day for browser-session cookies. */
function expiryOf(session) {
  const expires = session.cookie && session.cookie.expires;
  return expires ? new Date(expires).getTime() : Date.now() + ONE_DAY;
}

class PromiseMapStore extends Store {
  /** @type {Map<string, { json: string, expiresAt: number }>} */
  #sessions = new Map();

  /** The live entry for `sid`, dropping it if it has expired. */
  #live(sid) {
    const entry = this.#sessions.get(sid);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#sessions.delete(sid);
      return undefined;
    }
    return entry;
  }

  /** @param {string} sid */
  async get(sid) {
    const entry = this.#live(sid);
    // A fresh object each time: the caller may change it without saving.
    return entry ? JSON.parse(entry.json) : null;
  }

  /** @param {string} sid @param {import('../..').SessionData} session */
  async set(sid, session) {
    this.#sessions.set(sid, { json: JSON.stringify(session), expiresAt: expiryOf(session) });
  }

  /** @param {string} sid */
  async destroy(sid) {
    this.#sessions.delete(sid);
  }

  /** Only the expiry moves: a request that merely read the session must not overwrite its data. */
  async touch(sid, session) {
    const entry = this.#live(sid);
    if (entry) entry.expiresAt = expiryOf(session);
  }

  async all() {
    const sessions = {};
    for (const sid of [...this.#sessions.keys()]) {
      const entry = this.#live(sid);
      if (entry) sessions[sid] = JSON.parse(entry.json);
    }
    return sessions;
  }

  async length() {
    return Object.keys(await this.all()).length;
  }

  async clear() {
    this.#sessions.clear();
  }
}

module.exports = { PromiseMapStore };
