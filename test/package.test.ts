import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
    const unexpected = listing.filter((f) => !/^(dist\/.*\.(js|d\.ts|mjs)|session\/(cookie|memory|session|store)\.js|README\.md|LICENSE|SECURITY\.md|package\.json)$/.test(f));
    assert.deepEqual(unexpected, []);
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/esm/index.mjs', 'dist/store-tests.js', 'dist/store-tests.d.ts', 'LICENSE', 'README.md']) {
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
});
