// App code as written for express-session + @types/express-session, compiled against this
// package installed under the name express-session. Lines marked @ts-expect-error must fail.
import express from 'express';
import session, { Cookie, MemoryStore, Session, Store, type SessionData } from 'express-session';

declare module 'express-session' {
  interface SessionData {
    views: number;
    user: { name: string };
  }
}

const app = express();
app.use(
  session({
    secret: 'keyboard cat',
    resave: false,
    saveUninitialized: false,
    cookie: { secure: 'auto', sameSite: 'auto', maxAge: 60_000, httpOnly: true, partitioned: true, priority: 'high' },
  }),
);
app.use(
  session({
    secret: ['new', Buffer.from('old')],
    name: 'app.sid',
    store: new MemoryStore(),
    genid: (req) => `${req.ip}-${Date.now()}`,
    cookie: (req) => ({ path: req.baseUrl || '/', secure: req.secure }),
    proxy: true,
    rolling: true,
    unset: 'destroy',
  }),
);

app.get('/', (req, res, next) => {
  req.session.views = (req.session.views ?? 0) + 1;
  const views: number | undefined = req.session.views;
  req.session.user = { name: 'ada' };
  const id: string = req.sessionID;
  const sameId: string = req.session.id;
  const store: Store = req.sessionStore;
  const cookie: Cookie = req.session.cookie;
  const left: number | null = cookie.maxAge;
  cookie.maxAge = 1000;
  const expires: Date | null | undefined = cookie.expires;
  // req.session.cookie is the full Cookie, methods and all, though SessionData's is plain data.
  const header: string = req.session.cookie.serialize('sid', 'value');
  const remaining: number | null = req.session.cookie.maxAge;
  const path: string = req.session.cookie.path;
  req.session.cookie.maxAge = null;
  req.session.cookie.expires = new Date();
  void header, remaining, path;
  req.session.touch().resetMaxAge();
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.save((saveErr) => (saveErr ? next(saveErr) : res.json({ views, id, sameId, store: !!store, left, expires })));
  });
  // @ts-expect-error views is declared as a number
  req.session.views = 'many';
  // @ts-expect-error fields must be declared in SessionData
  req.session.notDeclared = true;
  // @ts-expect-error the id is read-only
  req.session.id = 'forged';
});

app.get('/async', async (req, res) => {
  await req.session.save();
  await req.session.reload();
  await req.session.regenerate();
  await req.session.destroy();
  const chained: Session = req.session.save(() => undefined);
  res.end(String(!!chained));
});

const data: SessionData = { cookie: new Cookie(), views: 1, user: { name: 'x' } };
void data;

// @ts-expect-error misspelt option
session({ secrett: 'x' });
// @ts-expect-error sameSite has fixed values
session({ secret: 'x', cookie: { sameSite: 'sometimes' } });
// @ts-expect-error unset is 'keep' or 'destroy'
session({ secret: 'x', unset: 'forget' });
// @ts-expect-error maxAge is in milliseconds
session({ secret: 'x', cookie: { maxAge: '1h' } });
