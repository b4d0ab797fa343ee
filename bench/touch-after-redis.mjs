// Redis commands per request of a read-mostly session, with and without touchAfter, through a
// real Express app, connect-redis and a real Redis. Uses the built package (npm run build first):
//
//   REDIS_URL=redis://127.0.0.1:6379 node bench/touch-after-redis.mjs [--requests 200]
//
// Each case logs in once (one SET), then sends N plain requests that read the session and change
// nothing; only those N are counted. Counting is by MONITOR, filtered on this run's own key
// prefix, so other clients of the same Redis (a test suite running beside it) do not skew the
// figures as they would INFO commandstats, which is server-wide.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const session = require(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
const express = require('express');
const { RedisStore } = require('connect-redis');
const { createClient } = require('redis');

const url = process.env.REDIS_URL;
if (!url) {
  console.error('Set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379 node bench/touch-after-redis.mjs');
  process.exit(2);
}
const flag = process.argv.indexOf('--requests');
const N = flag === -1 ? 200 : Number(process.argv[flag + 1]);
const DAY = 86_400_000;

const CASES = [
  { name: 'default', rolling: false, touchAfter: undefined },
  { name: 'touchAfter: 60_000', rolling: false, touchAfter: 60_000 },
  { name: 'default', rolling: true, touchAfter: undefined },
  { name: 'touchAfter: 60_000', rolling: true, touchAfter: 60_000 },
  // Requests spread over several touchAfter periods: the steady state, one touch per period, also
  // after the first period (connect-redis's touch leaves the stored cookie as last saved).
  { name: 'touchAfter: 250, 10 ms apart', rolling: true, touchAfter: 250, spacing: 10 },
];

function get(port, path, cookie) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: cookie ? { cookie } : {}, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['set-cookie']));
    });
    req.on('error', reject);
    req.end();
  });
}

const client = createClient({ url });
const monitor = client.duplicate();
await Promise.all([client.connect(), monitor.connect()]);
const prefix = `bench-touch-after:${process.pid}:`;
const seen = [];
await monitor.monitor((line) => {
  if (line.includes(prefix)) seen.push(line);
});

/** Wait until MONITOR has relayed everything sent so far: a marker command that names our prefix. */
async function flushMonitor() {
  const marker = `${prefix}marker:${Math.random()}`;
  await client.exists(marker);
  while (!seen.some((line) => line.includes(marker))) await new Promise((r) => setTimeout(r, 5));
  seen.length = 0;
}

const rows = [];
for (const c of CASES) {
  const store = new RedisStore({ client, prefix });
  const app = express();
  app.use(session({ secret: 'bench', store, resave: false, saveUninitialized: false, rolling: c.rolling, touchAfter: c.touchAfter, cookie: { maxAge: DAY } }));
  app.get('/login', (req, res) => {
    req.session.user = 'alice';
    res.end('in');
  });
  app.get('/', (req, res) => res.end(req.session.user ?? 'nobody'));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();

  const cookie = (await get(port, '/login'))[0].split(';')[0];
  await flushMonitor();
  let cookiesSent = 0;
  const started = Date.now();
  for (let i = 0; i < N; i++) {
    if ((await get(port, '/', cookie)) !== undefined) cookiesSent++;
    if (c.spacing) await new Promise((r) => setTimeout(r, c.spacing));
  }
  const elapsed = Date.now() - started;
  const lines = [...seen];
  await flushMonitor();
  const count = (command) => lines.filter((line) => new RegExp(`\\] "${command}" `, 'i').test(line)).length;
  rows.push({ ...c, get: count('get'), set: count('set'), expire: count('expire'), cookiesSent, elapsed });
  server.close();
  await store.clear();
}
// A monitoring connection takes no further commands (QUIT would wait forever): close its socket.
monitor.destroy();
await client.quit();

const per = (n) => (n / N).toFixed(3);
// connect-redis exports no ./package.json; read it beside the entry.
const connectRedisVersion = JSON.parse(readFileSync(new URL('../node_modules/connect-redis/package.json', import.meta.url), 'utf8')).version;
const redisVersion = (await (async () => {
  const info = createClient({ url });
  await info.connect();
  const text = await info.info('server');
  await info.quit();
  return /redis_version:(\S+)/.exec(text)?.[1];
})());
console.log(`connect-redis ${connectRedisVersion}, Redis ${redisVersion} at ${url}, Node ${process.version}, Express ${require('express/package.json').version}`);
console.log(`${N} requests of an unchanged session (resave: false, saveUninitialized: false, cookie.maxAge 1 day), after one login request\n`);
console.log('| rolling | case | GET / req | SET / req | EXPIRE / req | Set-Cookie / req | requests over |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(`| ${r.rolling} | ${r.name} | ${per(r.get)} | ${per(r.set)} | ${per(r.expire)} | ${per(r.cookiesSent)} | ${r.elapsed} ms |`);
}
