// absoluteTimeout, renewalTimeout and renewalGrace as app code writes them (issue 12 items 2-3).
import session from 'express-session';

session({ secret: 's', resave: false, saveUninitialized: false, absoluteTimeout: 8 * 3_600_000 });
session({ secret: 's', resave: false, saveUninitialized: false, renewalTimeout: 900_000, renewalGrace: 10_000 });
session({ secret: 's', absoluteTimeout: undefined, renewalTimeout: undefined, renewalGrace: undefined });

// @ts-expect-error durations are milliseconds, not strings like '8h'
session({ secret: 's', absoluteTimeout: '8h' });
// @ts-expect-error durations are milliseconds, not strings
session({ secret: 's', renewalTimeout: '15m' });
// @ts-expect-error renewalGrace is a number of milliseconds
session({ secret: 's', renewalTimeout: 1000, renewalGrace: true });
