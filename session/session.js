'use strict';
// express-session's internal module path, kept for code that requires it directly
// (require('express-session/session/session')); the same class as session.Session.
module.exports = require('../dist/index.js').Session;
