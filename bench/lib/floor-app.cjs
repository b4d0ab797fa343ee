// An Express 4 app for bench/floor.mjs: bare, or with only the unavoidable part of a session
// middleware that keeps express-session's API (what any implementation must do on Express 4),
// or with ours. Started as `node floor-app.cjs <variant>` with an IPC channel.
'use strict';
const { createHmac } = require('node:crypto');
const express = require('express');
const { useDictionaryMode } = require('../../dist/internal/dictionary-mode.js');

const variant = process.argv[2];
const SECRET = 'bench: keyboard cat';
const store = {};
process.on('disconnect', () => process.exit(0));

/**
 * The floor: the three properties the API puts on req, a pass-through wrapper on res.writeHead
 * and on res.end (needed to set the cookie and commit the session), and, with `hmac`, the one
 * HMAC that checks a signed cookie. No store, no session object, no decisions.
 */
function floor(hmac) {
  return (req, res, next) => {
    req.sessionStore = store;
    req.sessionID = hmac ? createHmac('sha256', SECRET).update(req.headers.cookie || '').digest('base64') : 'id';
    const writeHead = res.writeHead;
    res.writeHead = function (...args) {
      return writeHead.apply(this, args);
    };
    const end = res.end;
    res.end = function (...args) {
      return end.apply(this, args);
    };
    req.session = { views: 1 };
    next();
  };
}

/** Ours puts req and res in dictionary mode first (src/internal/dictionary-mode.ts); so can the others. */
function dictionaryMode(req, res, next) {
  useDictionaryMode(req);
  useDictionaryMode(res);
  next();
}

const app = express();
if (variant.endsWith(', dictionary mode')) app.use(dictionaryMode);
const base = variant.replace(/, dictionary mode$/, '');
if (base === 'floor') app.use(floor(false));
else if (base === 'floor + HMAC') app.use(floor(true));
else if (base === 'ours') {
  const session = require('../../dist/index.js');
  app.use(session({ secret: SECRET, resave: false, saveUninitialized: false }));
  app.get('/__init', (req, res) => {
    req.session.views = 1;
    res.send('init');
  });
} else if (base !== 'bare') throw new Error(`unknown variant ${variant}`);
app.get('/', (req, res) => res.send('views ' + (req.session ? req.session.views : 1)));

const server = app.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
