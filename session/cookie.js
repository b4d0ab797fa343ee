'use strict';
// express-session's internal module path, kept for code that requires it directly
// (require('express-session/session/cookie')); the same class as session.Cookie.
module.exports = require('../dist/index.js').Cookie;
