'use strict';
// express-session's internal module path, kept for code that requires it directly
// (require('express-session/session/store')); the same class as session.Store.
module.exports = require('../dist/index.js').Store;
