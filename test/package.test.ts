import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = resolve(__dirname, '..');
let workdir: string;
let tarball: string;

/** Run a snippet with the unpacked tarball as `express-session-ts` and report what it printed. */
function runWithPackedPackage(code: string, type: 'commonjs' | 'module'): string {
  const args = type === 'module' ? ['--input-type=module', '-e', code] : ['-e', code];
  const result = spawnSync(process.execPath, args, {
    cwd: workdir,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: [join(workdir, 'node_modules'), join(root, 'node_modules')].join(':') },
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

/** Run one of the dev tools from node_modules/.bin with this Node, offline (nothing it needs is fetched). */
function runTool(bin: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', bin), ...args], {
    cwd: workdir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

/** Every declaration file in the unpacked tarball, relative to the package root. */
function declarationFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = prefix + entry.name;
    if (entry.isDirectory()) return declarationFiles(join(dir, entry.name), path + '/');
    return /\.d\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

/**
 * A TypeScript project with the unpacked tarball installed as `express-session` and every
 * `@types` package of this repository beside it (so TypeScript includes them all automatically,
 * as in an app), plus, when asked, @types/express-session 1.19.0.
 */
function aliasProject(name: string, withTypesPackage: boolean): string {
  const dir = join(workdir, name);
  const types = join(dir, 'node_modules', '@types');
  mkdirSync(types, { recursive: true });
  // Unpacked again rather than linked: TypeScript follows links to the real path, where it would
  // look for the package's own imports (express) outside this project.
  const target = join(dir, 'node_modules', 'express-session');
  mkdirSync(target);
  execFileSync('tar', ['xzf', tarball, '-C', target, '--strip-components=1']);
  for (const pkg of readdirSync(join(root, 'node_modules', '@types'))) {
    symlinkSync(join(root, 'node_modules', '@types', pkg), join(types, pkg), 'dir');
  }
  if (withTypesPackage) {
    cpSync(join(root, 'node_modules', 'express-session-upstream-types'), join(types, 'express-session'), { recursive: true });
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', esModuleInterop: true, noEmit: true, skipLibCheck: false },
    files: ['app.ts'],
  }));
  writeFileSync(join(dir, 'app.ts'), [
    "import express from 'express';",
    "import session from 'express-session';",
    "declare module 'express-session' { interface SessionData { views: number } }",
    'const app = express();',
    "app.use(session({ secret: 's', resave: false, saveUninitialized: false }));",
    "app.get('/', (req, res) => { req.session.views = (req.session.views ?? 0) + 1; res.json(req.session.views); });",
  ].join('\n'));
  return dir;
}

function compileProject(dir: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('the packed package', () => {
  before(() => {
    workdir = mkdtempSync(join(tmpdir(), 'session-pack-'));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', workdir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    tarball = join(workdir, packed[0].filename);
    const target = join(workdir, 'node_modules', 'express-session-ts');
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', target, '--strip-components=1']);
  });
  after(() => rmSync(workdir, { recursive: true, force: true }));

  it('contains the build, types, README, LICENSE and nothing else', () => {
    const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const unexpected = listing.filter((f) => !/^(dist\/.*\.(js|d\.ts|mjs|d\.mts)|session\/(cookie|memory|session|store)\.js|README\.md|LICENSE|SECURITY\.md|package\.json)$/.test(f));
    assert.deepEqual(unexpected, []);
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/esm/index.mjs', 'dist/esm/index.d.mts', 'dist/store-tests.js', 'dist/store-tests.d.ts', 'LICENSE', 'README.md']) {
      assert.ok(listing.includes(needed), `${needed} is in the tarball`);
    }
  });

  it('require() returns the middleware factory with Store, Cookie, Session and MemoryStore on it', () => {
    const out = runWithPackedPackage(
      "const s = require('express-session-ts'); console.log([typeof s, typeof s.Store, typeof s.Cookie, typeof s.Session, typeof s.MemoryStore, typeof s({ secret: 'x', resave: false, saveUninitialized: false })].join(','))",
      'commonjs',
    );
    assert.equal(out, 'function,function,function,function,function,function');
  });

  it("keeps express-session's internal module paths (session/cookie, memory, session, store) pointing at the same classes", () => {
    const out = runWithPackedPackage(
      "const s = require('express-session-ts'); console.log([require('express-session-ts/session/cookie') === s.Cookie, require('express-session-ts/session/memory') === s.MemoryStore, require('express-session-ts/session/session.js') === s.Session, require('express-session-ts/session/store') === s.Store].join(','))",
      'commonjs',
    );
    assert.equal(out, 'true,true,true,true');
  });

  it('import gives the very same objects as require (one implementation)', () => {
    const out = runWithPackedPackage(
      [
        "import session, { Store, Cookie, Session, MemoryStore } from 'express-session-ts';",
        "import { createRequire } from 'node:module';",
        "const required = createRequire(process.cwd() + '/')('express-session-ts');",
        'console.log([session === required, Store === required.Store, Cookie === required.Cookie, Session === required.Session, MemoryStore === required.MemoryStore, new MemoryStore() instanceof required.Store].join(","));',
      ].join('\n'),
      'module',
    );
    assert.equal(out, 'true,true,true,true,true,true');
  });

  it('exports the store conformance kit as express-session-ts/store-tests, to require and to import', () => {
    const required = runWithPackedPackage(
      "const kit = require('express-session-ts/store-tests'); console.log(typeof kit.testStore, kit.testStore.length)",
      'commonjs',
    );
    assert.equal(required, 'function 2');
    const imported = runWithPackedPackage(
      "import { testStore } from 'express-session-ts/store-tests'; console.log(typeof testStore);",
      'module',
    );
    assert.equal(imported, 'function');
  });

  it('has no problem for @arethetypeswrong/cli: ESM types for the import condition, store-tests under node10', () => {
    const { status, output } = runTool('attw', [tarball]);
    assert.equal(status, 0, output);
    assert.match(output, /No problems found/);
  });

  it('has nothing to report for publint --strict, not even a suggestion', () => {
    const { status, output } = runTool('publint', ['run', tarball, '--strict']);
    assert.equal(status, 0, output);
    assert.match(output, /All good!/);
  });

  it('ships no #private in any declaration file (TS18028 under the default ES5 target)', () => {
    const files = declarationFiles(join(workdir, 'node_modules', 'express-session-ts'));
    assert.ok(files.includes('dist/index.d.ts'), 'declarations found');
    const withPrivate = files.filter((file) => readFileSync(join(workdir, 'node_modules', 'express-session-ts', file), 'utf8').includes('#private'));
    assert.deepEqual(withPrivate, []);
  });

  it('beside @types/express-session, fails with TS2717 on req.session and req.sessionStore until it is removed, as the README says', () => {
    const beside = compileProject(aliasProject('beside-types-package', true));
    assert.notEqual(beside.status, 0);
    const errors = beside.output.split('\n').filter((line) => /error TS\d+/.test(line));
    assert.equal(errors.length, 2, beside.output);
    for (const [i, property] of ['session', 'sessionStore'].entries()) {
      assert.match(errors[i]!, new RegExp(`@types/express-session/index\\.d\\.ts.*error TS2717.*Property '${property}'`));
    }
    const removed = compileProject(aliasProject('types-package-removed', false));
    assert.equal(removed.status, 0, removed.output);
  });
});
