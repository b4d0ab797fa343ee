// ES module TypeScript (nodenext) importing the package under the express-session name.
import session, { Store, MemoryStore, Cookie, Session, type SessionData, type SessionOptions } from 'express-session';
import type { Request } from 'express';

// An augmentation written in an ES module must extend the interface req.session is typed with.
declare module 'express-session' {
  interface SessionData {
    esmViews: number;
  }
}

const options: SessionOptions = { secret: 'x', resave: false, saveUninitialized: false, store: new MemoryStore() };
const middleware = session(options);
class MyStore extends Store {
  get(_sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void { cb(null, null); }
  set(_sid: string, _s: SessionData, cb?: (err?: unknown) => void): void { cb?.(); }
  destroy(_sid: string, cb?: (err?: unknown) => void): void { cb?.(); }
}
const cookie = new Cookie({ maxAge: 1 });
function countView(req: Request): number {
  req.session.esmViews = (req.session.esmViews ?? 0) + 1;
  const sameSession: Session = req.session;
  void sameSession;
  return req.session.esmViews;
}
const data: SessionData = { cookie: { originalMaxAge: null }, esmViews: 1 };
export { middleware, MyStore, cookie, Session, countView, data };
// @ts-expect-error misspelt option: proves the real types were found, not an implicit any
session({ secrett: 'x' });
// @ts-expect-error the augmentation's type holds in ES modules too
data.esmViews = 'many';
