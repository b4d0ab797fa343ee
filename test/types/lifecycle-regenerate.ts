// Issue 12 (lc-a): regenerate({ keepData }), clearCookieOnDestroy, requireStore and a genid that
// returns a Promise, as app code writes them. Lines marked @ts-expect-error must fail.
import express from 'express';
import session, { MemoryStore, type RegenerateOptions, type Session, type SessionOptions } from 'express-session';

const app = express();
const store = new MemoryStore();

app.use(
  session({
    secret: 's',
    store,
    resave: false,
    saveUninitialized: false,
    clearCookieOnDestroy: true,
    requireStore: true,
    genid: async (req) => `${req.ip ?? 'anon'}-${await Promise.resolve(1)}`,
  }),
);

const syncGenid: SessionOptions['genid'] = () => 'sync';
const asyncGenid: SessionOptions['genid'] = () => Promise.resolve('async');
void syncGenid, asyncGenid;

app.post('/login', async (req, res, next) => {
  const options: RegenerateOptions = { keepData: true };
  await req.session.regenerate({ keepData: true });
  const pending: Promise<void> = req.session.regenerate(options);
  await pending;
  const same: Session = req.session.regenerate({ keepData: true }, (err) => (err ? next(err) : undefined));
  const plain: Session = req.session.regenerate((err) => (err ? next(err) : undefined));
  await req.session.regenerate({});
  await req.session.regenerate();
  void same, plain;
  res.end();
});

// A store's generate may now hand back a Promise (async genid); plain replacements still fit.
store.generate = (req) => {
  void req;
};
const generated: void | Promise<void> | undefined = store.generate?.({} as express.Request);
void generated;

// @ts-expect-error keepData is a boolean
void ({} as Session).regenerate({ keepData: 'yes' });
// @ts-expect-error unknown regenerate option
void ({} as Session).regenerate({ keepdata: true });
// @ts-expect-error genid must give a string (or a Promise of one)
session({ genid: async () => 42 });
// @ts-expect-error requireStore is a boolean
session({ requireStore: 'yes' });
// @ts-expect-error clearCookieOnDestroy is a boolean
session({ clearCookieOnDestroy: 1 });
