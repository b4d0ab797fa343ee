'use strict';
// express-session's internal module path, kept for code that requires it directly
// (require('express-session/session/memory')); the same class as session.MemoryStore.
module.exports = require('../dist/index.js').MemoryStore;
