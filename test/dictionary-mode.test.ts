import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import session = require('../src/index');
import { expressVersions, start } from './support/apps';
import { request } from './support/http';

const options = { secret: 's', resave: false, saveUninitialized: true } as const;

for (const { label, express } of expressVersions) {
  describe(`dictionary mode of req and res (${label})`, () => {
    it('leaves no trace of its probe: req and res gain only the session\'s own keys and the route\'s', async () => {
      const app = express();
      let reqKeysBefore: (string | symbol)[] = [];
      let resKeysBefore: (string | symbol)[] = [];
      app.use((req, res, next) => {
        reqKeysBefore = Reflect.ownKeys(req);
        resKeysBefore = Reflect.ownKeys(res);
        next();
      });
      app.use(session(options));
      app.get('/', (req, res) => {
        const addedToReq = Reflect.ownKeys(req).filter((key) => !reqKeysBefore.includes(key));
        const addedToRes = Reflect.ownKeys(res).filter((key) => !resKeysBefore.includes(key));
        res.json({
          req: addedToReq.map(String).sort(),
          res: addedToRes.map(String).sort(),
        });
      });
      const res = await request(await start(app), '/');
      assert.deepEqual(JSON.parse(res.body), {
        // Express's router adds the route's own bookkeeping after the middleware.
        req: ['Symbol(express-session-ts.requestState)', 'route', 'session', 'sessionID', 'sessionStore'],
        res: ['end', 'writeHead'],
      });
    });
  });
}

/**
 * Whether `useDictionaryMode` still does what it is for. V8's object layout is not part of any
 * API, so this asks V8 itself (`%HasFastProperties`, behind --allow-natives-syntax) in a child
 * process: should a Node upgrade change the behaviour, this fails and the benchmark's gain is gone.
 */
function propertyModesInChild(script: string): Record<string, boolean> {
  const entry = resolve(__dirname, '..', 'dist', 'index.js');
  const result = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ENTRY: entry },
    cwd: resolve(__dirname, '..'),
    timeout: 30_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, boolean>;
}

const CHILD_PRELUDE = `
const http = require('node:http');
const session = require(process.env.ENTRY);
const get = (port) => new Promise((done, fail) => http.get({ port, path: '/' }, (res) => { res.resume(); res.on('end', done); }).on('error', fail));
`;

/** Node 24's V8 (13) no longer needs it: there the middleware leaves req and res alone. */
const dictionaryModeHelps = Number(process.versions.v8.split('.')[0]) < 13;

describe('dictionary mode of req and res, as V8 reports it', () => {
  it(`${dictionaryModeHelps ? 'puts' : 'on V8 13 and later, does not put'} an Express request and response in dictionary mode`, () => {
    const modes = propertyModesInChild(`${CHILD_PRELUDE}
const result = {};
(async () => {
  for (const name of ['express', 'express5']) {
    const app = require(name)();
    app.use((req, res, next) => { result[name + ' req before'] = %HasFastProperties(req); next(); });
    app.use(session({ secret: 's', resave: false, saveUninitialized: true }));
    app.get('/', (req, res) => {
      result[name + ' req after'] = %HasFastProperties(req);
      result[name + ' res after'] = %HasFastProperties(res);
      res.end('ok');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    await get(server.address().port);
    server.close();
  }
  process.stdout.write(JSON.stringify(result));
})();`);
    assert.deepEqual(modes, {
      'express req before': true,
      'express req after': !dictionaryModeHelps,
      'express res after': !dictionaryModeHelps,
      'express5 req before': true,
      'express5 req after': !dictionaryModeHelps,
      'express5 res after': !dictionaryModeHelps,
    });
  });

  it('leaves a plain Node request and response, which share hidden classes, in fast mode', () => {
    const modes = propertyModesInChild(`${CHILD_PRELUDE}
const middleware = session({ secret: 's', resave: false, saveUninitialized: true });
const result = {};
const server = http.createServer((req, res) => {
  middleware(req, res, () => {
    result.req = %HasFastProperties(req);
    result.res = %HasFastProperties(res);
    res.end('ok');
  });
});
server.listen(0, '127.0.0.1', async () => {
  await get(server.address().port);
  server.close();
  process.stdout.write(JSON.stringify(result));
});`);
    assert.deepEqual(modes, { req: true, res: true });
  });
});
