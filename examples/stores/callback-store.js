// A minimal callback-based session store, written the pre-ES2015 way many published stores
// still are: one JSON file per session in a directory, Node-style callbacks throughout. A
// missing file is fs's ENOENT error, which the middleware already reads as "no such session".
// See docs/stores.md.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
// In your own package: require('express-session-ts') (or 'express-session' under an npm alias).
const { Store } = require('../..');

const ONE_DAY = 24 * 60 * 60 * 1000;

function noop() {}

/**
 * @constructor
 * @param {{ dir: string }} options the directory to keep sessions in (created if missing)
 */
function FileStore(options) {
  Store.call(this);
  this.dir = options.dir;
  fs.mkdirSync(this.dir, { recursive: true });
}
util.inherits(FileStore, Store);

/** Session ids are base64url (letters, digits, '-', '_'): safe as file names as they are. */
FileStore.prototype.file = function (sid) {
  if (!/^[\w-]+$/.test(sid)) throw new TypeError('unexpected characters in session id');
  return path.join(this.dir, sid + '.json');
};

/** Write via a temporary file and a rename, so a concurrent reader never sees half a file. */
FileStore.prototype.write = function (sid, record, callback) {
  const file = this.file(sid);
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFile(temporary, JSON.stringify(record), (err) => {
    if (err) return callback(err);
    fs.rename(temporary, file, callback);
  });
};

FileStore.prototype.get = function (sid, callback) {
  fs.readFile(this.file(sid), 'utf8', (err, text) => {
    if (err) return callback(err); // ENOENT: not found
    let record;
    try {
      record = JSON.parse(text);
    } catch (parseErr) {
      return callback(parseErr);
    }
    if (record.expiresAt <= Date.now()) {
      return this.destroy(sid, (destroyErr) => callback(destroyErr, null));
    }
    callback(null, record.session);
  });
};

FileStore.prototype.set = function (sid, session, callback = noop) {
  const expires = session.cookie && session.cookie.expires;
  const expiresAt = expires ? new Date(expires).getTime() : Date.now() + ONE_DAY;
  // JSON.stringify runs the Cookie's toJSON: what is stored is plain data.
  this.write(sid, { expiresAt, session }, callback);
};

FileStore.prototype.destroy = function (sid, callback = noop) {
  fs.rm(this.file(sid), { force: true }, callback); // force: an unknown id is not an error
};

/** Move the expiry only; the data on disk stays as the last save left it. */
FileStore.prototype.touch = function (sid, session, callback = noop) {
  fs.readFile(this.file(sid), 'utf8', (err, text) => {
    if (err) return callback(err.code === 'ENOENT' ? null : err); // gone: nothing to extend
    let record;
    try {
      record = JSON.parse(text);
    } catch (parseErr) {
      return callback(parseErr);
    }
    const expires = session.cookie && session.cookie.expires;
    record.expiresAt = expires ? new Date(expires).getTime() : Date.now() + ONE_DAY;
    this.write(sid, record, callback);
  });
};

module.exports = { FileStore };
