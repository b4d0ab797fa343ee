import assert from 'node:assert/strict';
import type { OutgoingHttpHeader } from 'node:http';
import { describe, it } from 'node:test';
import session = require('../../src/index');
import { expressVersions, start, type ExpressFactory } from '../support/apps';
import { rawGet, type WireResponse } from './support/clients';

type HeaderArray = OutgoingHttpHeader[] | Array<[string, OutgoingHttpHeader]>;

/** An app whose only route answers with `res.writeHead(...args)` and a body. */
async function serverWriting(express: ExpressFactory, args: () => [number, ...unknown[]], before?: (res: import('express').Response) => void) {
  const app = express();
  app.use(session({ secret: 's', resave: false, saveUninitialized: true }));
  app.get('/', (_req, res) => {
    before?.(res);
    (res.writeHead as (...a: unknown[]) => unknown)(...args());
    res.end('body');
  });
  return start(app);
}

async function responseFrom(express: ExpressFactory, args: () => [number, ...unknown[]], before?: (res: import('express').Response) => void): Promise<WireResponse> {
  const { responses } = await rawGet(await serverWriting(express, args, before), '/');
  assert.equal(responses.length, 1);
  return responses[0]!;
}

/** Header lines, in order, without the ones Node adds itself and without the session cookie. */
function appHeaders(res: WireResponse): Array<[string, string]> {
  const nodeOwn = new Set(['date', 'connection', 'transfer-encoding', 'content-length', 'x-powered-by']);
  return res.headers.filter(([name, value]) => !nodeOwn.has(name) && !(name === 'set-cookie' && value.startsWith('connect.sid=')));
}

/** Lines as a sorted list, to compare which lines there are whatever their order. */
function sorted(lines: Array<[string, string]>): string[] {
  return lines.map(([n, v]) => `${n}: ${v}`).sort();
}

function sessionCookies(res: WireResponse): string[] {
  return res.headers.filter(([name, value]) => name === 'set-cookie' && value.startsWith('connect.sid=s%3A')).map(([, v]) => v);
}

for (const { label, express } of expressVersions) {
  describe(`res.writeHead(status, array) keeps every header and still gets the session cookie (${label})`, () => {
    it('flat array [name, value, name, value]', async () => {
      const res = await responseFrom(express, () => [200, ['X-A', '1', 'X-B', '2'] satisfies HeaderArray]);
      assert.equal(res.status, 200);
      assert.deepEqual(appHeaders(res), [['x-a', '1'], ['x-b', '2']]);
      assert.equal(sessionCookies(res).length, 1);
      assert.equal(res.body, 'body');
    });

    it('nested array [[name, value], ...]', async () => {
      const res = await responseFrom(express, () => [200, [['X-A', '1'], ['X-B', '2']] satisfies HeaderArray]);
      assert.equal(res.status, 200);
      assert.deepEqual(appHeaders(res), [['x-a', '1'], ['x-b', '2']]);
      assert.equal(sessionCookies(res).length, 1);
    });

    it('flat array with repeated names keeps each line, and the app\'s own Set-Cookie lines beside the session\'s', async () => {
      const res = await responseFrom(express, () => [200, ['Set-Cookie', 'a=1', 'X-Dup', 'x', 'Set-Cookie', 'b=2', 'X-Dup', 'y']]);
      assert.deepEqual(sorted(appHeaders(res)), sorted([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-dup', 'x'], ['x-dup', 'y']]));
      assert.equal(sessionCookies(res).length, 1);
    });

    it('nested array with repeated names keeps each line (on-headers alone kept only the last)', async () => {
      const res = await responseFrom(express, () => [200, [['Set-Cookie', 'a=1'], ['X-Dup', 'x'], ['Set-Cookie', 'b=2'], ['X-Dup', 'y']]]);
      assert.deepEqual(sorted(appHeaders(res)), sorted([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-dup', 'x'], ['x-dup', 'y']]));
      assert.equal(sessionCookies(res).length, 1);
      assert.equal(res.body, 'body');
    });

    it('with a status message before the array', async () => {
      const res = await responseFrom(express, () => [201, 'Made', ['X-A', '1']]);
      assert.equal(res.status, 201);
      assert.deepEqual(appHeaders(res), [['x-a', '1']]);
      assert.equal(sessionCookies(res).length, 1);
    });

    it('array values override headers set earlier with res.setHeader, as in plain Node', async () => {
      const res = await responseFrom(express, () => [200, ['X-A', 'new']], (r) => r.setHeader('X-A', 'old'));
      assert.deepEqual(appHeaders(res), [['x-a', 'new']]);
      assert.equal(sessionCookies(res).length, 1);
    });

    it('an array value for one name (a header object) keeps every line too', async () => {
      const res = await responseFrom(express, () => [200, { 'Set-Cookie': ['a=1', 'b=2'], 'X-A': '1' }]);
      assert.deepEqual(sorted(appHeaders(res)), sorted([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-a', '1']]));
      assert.equal(sessionCookies(res).length, 1);
    });

    it('a header line cannot smuggle a second session cookie or a response split', async () => {
      const app = express();
      app.use(session({ secret: 's', resave: false, saveUninitialized: true }));
      app.get('/', (_req, res) => {
        try {
          res.writeHead(200, ['X-A', 'ok\r\nSet-Cookie: connect.sid=forged']);
          res.end('body');
        } catch (err) {
          res.statusCode = 400;
          res.end((err as NodeJS.ErrnoException).code);
        }
      });
      const { responses } = await rawGet(await start(app), '/');
      assert.equal(responses.length, 1);
      assert.equal(responses[0]!.headers.filter(([, v]) => v.includes('forged')).length, 0);
      assert.equal(responses[0]!.body, 'ERR_INVALID_CHAR');
    });
  });
}
