// The four request scenarios of issue 4, shared by the server child (which builds the apps) and
// the runner (which checks and loads them), so both always agree on options, bodies and checks.

/** One secret for every app: each app signs its own cookie with it, and the runner verifies. */
export const SECRET = 'bench: keyboard cat';
export const COOKIE_NAME = 'connect.sid';

/** The apps of every round, in the order the tables list them (bench/lib/floor.mjs for the floor). */
export const APPS = ['bare', 'floor', 'express-session', 'ours'];

/**
 * Each scenario: the session options, whether the load sends a cookie, and what every response
 * body must be (a string, or a test for S3 whose counter moves).
 */
export const SCENARIOS = {
  S1: {
    title: 'S1 new visitor',
    what: 'no cookie, saveUninitialized: true: create, save, Set-Cookie',
    options: { secret: SECRET, resave: false, saveUninitialized: true },
    sendsCookie: false,
    body: 'hello, new visitor',
  },
  S2: {
    title: 'S2 returning reader',
    what: 'valid cookie, resave: false, handler only reads',
    options: { secret: SECRET, resave: false, saveUninitialized: false },
    sendsCookie: true,
    body: 'views 1',
  },
  S3: {
    title: 'S3 returning writer',
    what: 'valid cookie, handler increments a counter (save every request)',
    options: { secret: SECRET, resave: false, saveUninitialized: false },
    sendsCookie: true,
    body: /^views [1-9][0-9]*$/,
  },
  S4: {
    title: 'S4 rolling',
    what: 'valid cookie, cookie.maxAge 60 s, rolling: true, handler only reads',
    options: { secret: SECRET, resave: false, saveUninitialized: false, rolling: true, cookie: { maxAge: 60_000 } },
    sendsCookie: true,
    body: 'views 1',
  },
};

/**
 * The handler of `GET /` for a scenario. The bare app answers with a body of the same length
 * (and, for S3, keeps a counter of its own) so the three apps send the same bytes.
 */
export function handlerFor(scenario, bare) {
  switch (scenario) {
    case 'S1':
      return (req, res) => res.send('hello, new visitor');
    case 'S2':
    case 'S4':
      return bare ? (req, res) => res.send('views 1') : (req, res) => res.send('views ' + req.session.views);
    case 'S3': {
      let views = 0;
      return bare
        ? (req, res) => res.send('views ' + ++views)
        : (req, res) => {
            req.session.views++;
            res.send('views ' + req.session.views);
          };
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}
