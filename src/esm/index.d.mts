// Declarations of the ES module entry (index.mjs). They re-export the CommonJS declarations
// rather than repeat them: one `SessionData` interface, so a
// `declare module 'express-session' { interface SessionData { ... } }` written in an ES module
// extends the very interface `req.session` is typed with.
import session from '../index.js';

export default session;
export { Store, MemoryStore, Session, Cookie } from '../index.js';
export type {
  SessionData,
  SessionCookie,
  SessionOptions,
  CookieOptions,
  SameSiteOption,
  CookieData,
  MemoryStoreOptions,
  SessionCallback,
  StoreConstructor,
  ErrorCallback,
} from '../index.js';
