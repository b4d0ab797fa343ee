// The ES module entry: the CommonJS build, re-exported. One implementation, so `import` and
// `require` hand out the very same Store, MemoryStore, Session and Cookie (instanceof works
// across both, and a store extending the imported Store is the one the middleware knows).
import session from '../index.js';

export default session;
export const Store = session.Store;
export const MemoryStore = session.MemoryStore;
export const Session = session.Session;
export const Cookie = session.Cookie;
