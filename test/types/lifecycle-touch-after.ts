import express from 'express';
import session from 'express-session';

// touchAfter is a number of milliseconds, beside resave: false and a cookie with a maxAge.
const app = express();
app.use(session({ secret: 's', resave: false, saveUninitialized: false, rolling: true, touchAfter: 60_000, cookie: { maxAge: 86_400_000 } }));
app.use(session({ secret: 's', resave: false, saveUninitialized: false, touchAfter: undefined }));

const options: session.SessionOptions = { secret: 's', touchAfter: 0 };
void options;

// @ts-expect-error a duration is a number of milliseconds, not a string like '1m'
session({ secret: 's', touchAfter: '1m' });
