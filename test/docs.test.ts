import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, cookieAttributes, setCookieLine, type TestServer } from './support/http';
import { sessionIdOf } from './support/stores';
import { waitFor } from './support/wait';
import { service } from './integration/support/services';
import { redisClient, type RedisClient } from './integration/support/stores';

/*
 * The code blocks of README.md and docs/stores.md, run as a reader would run them.
 *
 * Convention: every ```js / ```ts fence in those files is preceded, on the line right above it,
 * by one HTML comment (invisible on GitHub and npm) that says what the block is:
 *
 *   <!-- runs: ID ... -->       a whole program; the PROGRAMS table below says how to run it
 *                                (file name, environment) and what it must answer.
 *   <!-- typecheck: ID ... -->  TypeScript that must compile with tsc (strict).
 *   <!-- fragment: why -->      not a program (an excerpt, alternatives side by side).
 *
 * An unmarked block fails the first test, so a new program cannot slip past unrun. Servers are
 * told their port through PORT (`app.listen(process.env.PORT || 3000)`, natural for a reader),
 * requested over real HTTP, and stopped. Each runs in a temporary project whose node_modules
 * link `express-session` and `express-session-ts` to this repository (built), and `express`,
 * `redis`, `connect-redis` (10) and the @types to this repository's installs.
 */

const root = resolve(__dirname, '..');
const documents = ['README.md', 'docs/stores.md', 'docs/lifecycle.md'];
const redis = service('REDIS_URL', 'the docs programs that use Redis');

interface Block {
  readonly where: string;
  readonly kind: 'runs' | 'typecheck' | 'fragment';
  readonly id: string;
  readonly lang: string;
  readonly code: string;
}

/** The fenced blocks of a Markdown file, each with the marker comment right above it. */
function blocksOf(document: string): Array<Block | { where: string; lang: string; unmarked: true }> {
  const lines = readFileSync(join(root, document), 'utf8').split('\n');
  const found: Array<Block | { where: string; lang: string; unmarked: true }> = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open || open[1] === '') continue;
    const end = lines.indexOf('```', i + 1);
    assert.ok(end > i, `${document}:${i + 1}: unclosed fence`);
    const where = `${document}:${i + 1}`;
    const lang = open[1]!;
    const marker = /^<!-- (runs|typecheck|fragment): (\S+).*-->$/.exec(lines[i - 1] ?? '');
    if (marker) {
      found.push({ where, kind: marker[1] as Block['kind'], id: marker[2]!, lang, code: lines.slice(i + 1, end).join('\n') + '\n' });
    } else {
      found.push({ where, lang, unmarked: true });
    }
    i = end;
  }
  return found;
}

const allBlocks = documents.flatMap(blocksOf);
const blocks = new Map(allBlocks.filter((b): b is Block => !('unmarked' in b) && b.kind !== 'fragment').map((b) => [b.id, b]));

function block(id: string): Block {
  const found = blocks.get(id);
  assert.ok(found, `no block marked ${id}`);
  return found;
}

/** The programs, by marker id: how each is saved and what it must do. */
const PROGRAMS = ['readme-app', 'readme-types', 'stores-conformance', 'stores-scale-out'] as const;

const projects: string[] = [];

/** The environment of a reader's shell: without this runner's marker, a nested `node --test` reports as usual. */
function readerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env['NODE_TEST_CONTEXT'];
  return env;
}
after(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/** Link `name` in `dir`/node_modules to `target`, unless something is there already. */
function link(dir: string, name: string, target: string): void {
  const path = join(dir, 'node_modules', name);
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

/** A temporary project where the documented packages resolve as they would after `npm install`. */
function project(dir = mkdtempSync(join(tmpdir(), 'session-docs-'))): string {
  if (!projects.includes(dir)) projects.push(dir);
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  link(dir, 'express-session', root);
  link(dir, 'express-session-ts', root);
  for (const name of ['express', 'redis', 'connect-redis', '@types']) link(dir, name, join(root, 'node_modules', name));
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolveAccepts) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.end();
      resolveAccepts(true);
    });
    socket.once('error', () => resolveAccepts(false));
  });
}

/** Start `file` with `node` in `cwd` on a free PORT; resolve once it accepts connections. */
async function startProgram(node: string, cwd: string, file: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const child: ChildProcess = spawn(node, [file], { cwd, env: readerEnv({ ...env, PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${file} exited with ${child.exitCode} before listening:\n${output}`);
      return accepts(port);
    }, { timeout: 20_000, message: `${file} listening on PORT=${port}` });
  } catch (err) {
    await stop();
    throw err;
  }
  const server: TestServer = { origin: `http://127.0.0.1:${port}`, secure: false, close: stop };
  return { server, stop, output: () => output };
}

/** Whether a failure to reach the npm registry may skip a test: only outside CI. */
function unreachable(what: string, err: unknown): string {
  const message = `${what}: ${(err as Error).message.split('\n')[0]}`;
  if (process.env.CI) throw new Error(`${message} (CI is set, so this fails instead of skipping)`);
  return `skipped: ${message} (is the npm registry reachable? with CI=true this fails)`;
}

/**
 * A Node >= 22 binary: this one if it is, else the official build from the npm registry
 * (`node-<platform>-<arch>@22`), cached under the OS temp directory across runs.
 */
function node22(): string {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const name = `node-${process.platform}-${process.arch}`;
  const cache = join(tmpdir(), 'express-session-ts-node22');
  const bin = join(cache, name, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(cache, 'fetch-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', `${name}@22`, '--json', '--pack-destination', staging], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000,
  })) as Array<{ filename: string }>;
  execFileSync('tar', ['xzf', join(staging, packed[0]!.filename), '-C', staging]);
  rmSync(join(staging, packed[0]!.filename));
  try {
    // A rename is atomic: a parallel run sees the whole binary or none.
    renameSync(staging, join(cache, name));
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}

describe('documentation code blocks', () => {
  it('every js/ts block in README.md and docs/stores.md is marked as a program, a type check or a fragment', () => {
    const unmarked = allBlocks.filter((b) => 'unmarked' in b && /^(js|ts|mjs|cjs|mts|cts|javascript|typescript)$/.test(b.lang));
    assert.deepEqual(unmarked.map((b) => b.where), []);
  });

  it('every marked program is run by this file, and everything this file runs is in the docs', () => {
    assert.deepEqual([...blocks.keys()].sort(), [...PROGRAMS].sort());
  });

  it('the README app runs as written: views count up per session', async () => {
    const dir = project();
    writeFileSync(join(dir, 'app.js'), block('readme-app').code);
    const { server, stop, output } = await startProgram(process.execPath, dir, 'app.js', { SESSION_SECRET: 'docs test secret' });
    try {
      const browser = new Browser(server);
      const first = await browser.get('/');
      assert.equal(first.body, 'views: 1', output());
      assert.equal(cookieAttributes(setCookieLine(first)!).secure, undefined, "secure: 'auto' over plain HTTP");
      assert.equal((await browser.get('/')).body, 'views: 2');
    } finally {
      await stop();
    }
  });

  it('the README TypeScript compiles with tsc (strict), against the package installed as express-session', () => {
    const dir = project();
    writeFileSync(join(dir, 'types.ts'), block('readme-types').code);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'commonjs', moduleResolution: 'node10', target: 'ES2022', esModuleInterop: true, types: ['node'], skipLibCheck: false },
      files: ['types.ts'],
    }));
    const result = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('the conformance kit example runs as written with node --test, and the kit is express-session/store-tests under the alias', () => {
    const dir = project();
    mkdirSync(join(dir, 'lib'));
    mkdirSync(join(dir, 'test'));
    // The reader's store: the documented promise store, with the close() the example calls.
    writeFileSync(join(dir, 'lib', 'my-store.js'), [
      `const { PromiseMapStore } = require(${JSON.stringify(join(root, 'examples', 'stores', 'promise-store.js'))});`,
      'class MyStore extends PromiseMapStore { constructor() { super(); } close() {} }',
      'module.exports = { MyStore };',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'test', 'conformance.test.js'), block('stores-conformance').code);
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', 'test/conformance.test.js'], { cwd: dir, env: readerEnv(), encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /MyStore/);
    assert.match(run.stdout, /ℹ pass [1-9]/);
    const alias = spawnSync(process.execPath, ['-p', "require('express-session/store-tests').testStore === require('express-session-ts/store-tests').testStore"], { cwd: dir, encoding: 'utf8' });
    assert.equal(alias.stdout.trim(), 'true', alias.stderr);
  });

  describe('the scale-out program on a real Redis', { skip: redis.skip }, () => {
    let client: RedisClient;
    const keys: string[] = [];
    before(async () => {
      await redis.assertReachable();
      client = await redisClient(redis.url!);
    });
    after(async () => {
      if (!client) return;
      if (keys.length > 0) await client.del(keys);
      client.destroy();
    });

    /** Run the documented server.mjs with `node` in `dir`; behind a TLS proxy, as documented. */
    async function scaleOut(node: string, dir: string): Promise<void> {
      writeFileSync(join(dir, 'server.mjs'), block('stores-scale-out').code);
      const { server, stop, output } = await startProgram(node, dir, 'server.mjs', { SESSION_SECRETS: 'docs new secret,docs old secret' });
      try {
        const browser = new Browser(server, 'myapp.sid');
        // The proxy in front terminates TLS and says so; `trust proxy` makes the cookie go out.
        const proxied = { headers: { 'x-forwarded-proto': 'https' } };
        const first = await browser.get('/', proxied);
        assert.equal(first.body, 'views: 1', output());
        const line = setCookieLine(first, 'myapp.sid');
        assert.ok(line, 'the session cookie is sent behind the proxy');
        assert.equal(cookieAttributes(line).secure, true);
        const sid = sessionIdOf(browser.cookie)!;
        keys.push(`myapp:sess:${sid}`);
        assert.equal((await browser.get('/', proxied)).body, 'views: 2');
        assert.equal(await client.exists(`myapp:sess:${sid}`), 1, 'the session lives in Redis');
      } finally {
        await stop();
      }
    }

    it('runs as written with connect-redis 10 on this Node', async () => {
      await scaleOut(process.execPath, project());
    });

    it('runs as written with connect-redis 11 (ES module only) on Node 22', async (t) => {
      let node: string;
      try {
        node = node22();
      } catch (err) {
        t.skip(unreachable('could not fetch a Node 22 binary with npm pack', err));
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), 'session-docs-cr11-'));
      projects.push(dir);
      writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
      try {
        // --omit=peer: npm would otherwise install express-session 1.19.0 as connect-redis's peer.
        execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=peer', '--no-package-lock', 'connect-redis@11'], {
          cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000,
        });
      } catch (err) {
        t.skip(unreachable('could not install connect-redis@11 with npm', err));
        return;
      }
      const installed = JSON.parse(readFileSync(join(dir, 'node_modules', 'connect-redis', 'package.json'), 'utf8')) as { version: string; exports: Record<string, Record<string, string>> };
      assert.match(installed.version, /^11\./);
      assert.equal(installed.exports['.']!['require'], undefined, 'connect-redis 11 has no CommonJS entry');
      project(dir);
      await scaleOut(node, dir);
    });
  });
});
