// ES module TypeScript (nodenext) importing the package under the express-session name.
import session, { Store, MemoryStore, Cookie, Session } from 'express-session';

const middleware = session({ secret: 'x', resave: false, saveUninitialized: false, store: new MemoryStore() });
class MyStore extends Store {
  get(_sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void { cb(null, null); }
  set(_sid: string, _s: session.SessionData, cb?: (err?: unknown) => void): void { cb?.(); }
  destroy(_sid: string, cb?: (err?: unknown) => void): void { cb?.(); }
}
const cookie = new Cookie({ maxAge: 1 });
export { middleware, MyStore, cookie, Session };
// @ts-expect-error misspelt option: proves the real types were found, not an implicit any
session({ secrett: 'x' });
