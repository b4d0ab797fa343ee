// The example app `npm start` runs: a view counter and a login/logout on the default
// MemoryStore. Open http://localhost:3000 (PORT to change it).
'use strict';

const express = require('express');
const session = require('..');

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(
  session({
    secret: process.env.SESSION_SECRET || 'change me: an example secret',
    name: 'example.sid',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 30 * 60 * 1000, sameSite: 'lax', secure: 'auto' },
  }),
);

/** @param {unknown} text */
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

app.get('/', (req, res) => {
  req.session.views = (req.session.views || 0) + 1;
  const user = req.session.user;
  res.type('html').send(`<!doctype html>
<title>express-session-ts example</title>
<p>You have seen this page ${req.session.views} time(s) in this session.</p>
${user
    ? `<p>Signed in as <b>${escapeHtml(user)}</b>.</p>
<form method="post" action="/logout"><button>Sign out</button></form>`
    : `<form method="post" action="/login">
<label>Name <input name="user" required></label> <button>Sign in</button></form>`}
`);
});

app.post('/login', (req, res, next) => {
  const user = String(req.body.user || '').trim();
  if (!user) return res.redirect('/');
  // A new session id on login: an id planted before (session fixation) is worth nothing now.
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.user = user;
    // Redirect once the store has it: a failed save then shows as an error, not as a sign-in.
    req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect('/')));
  });
});

app.post('/logout', (req, res, next) => {
  // Delete the session from the store, as SECURITY.md advises: its id is worth nothing now,
  // even to someone who copied the cookie. The browser is told to forget the cookie too.
  req.session.destroy((err) => {
    if (err) return next(err);
    res.clearCookie('example.sid', { path: '/' });
    res.redirect('/');
  });
});

if (require.main === module) {
  const port = Number(process.env.PORT) || 3000;
  app.listen(port, () => console.log(`express-session-ts example on http://localhost:${port}`));
}

module.exports = app;
