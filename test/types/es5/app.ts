// Compiled with TypeScript's default target, ES5, and skipLibCheck off: every declaration the
// package ships must compile there (a `#private` field in a .d.ts is TS18028 under ES5).
import session, { Cookie, MemoryStore, Session, Store } from 'express-session';
import { testStore } from 'express-session/store-tests';

const store: Store = new MemoryStore({ max: 10 });
const middleware = session({ secret: 's', resave: false, saveUninitialized: false, store });
export { middleware, Cookie, Session, testStore };
