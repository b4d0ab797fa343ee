import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

const entry = resolve(__dirname, '..', 'dist', 'index.js');

/** Run `session(<options>)` in a fresh process (warnings are once per process) and return stderr. */
function stderrOf(options: string, env: Record<string, string | undefined> = {}, nodeArgs: string[] = []): string {
  const code = `const session = require(${JSON.stringify(entry)}); session(${options});`;
  const result = spawnSync(process.execPath, [...nodeArgs, '-e', code], {
    encoding: 'utf8',
    env: { ...process.env, NO_DEPRECATION: undefined, NODE_ENV: undefined, ...env },
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stderr;
}

describe('startup warnings', () => {
  it('warns that an undefined resave option is deprecated, naming the call site', () => {
    const stderr = stderrOf("{ secret: 's', saveUninitialized: false }");
    assert.match(stderr, /express-session deprecated undefined resave option; provide resave option at \[eval\]:1:\d+/);
  });

  it('warns that an undefined saveUninitialized option is deprecated', () => {
    assert.match(stderrOf("{ secret: 's', resave: false }"), /express-session deprecated undefined saveUninitialized option; provide saveUninitialized option/);
  });

  it('warns that relying on req.secret is deprecated when there is no secret', () => {
    assert.match(stderrOf('{ resave: false, saveUninitialized: false }'), /express-session deprecated req\.secret; provide secret option/);
  });

  it('prints nothing when every option is given', () => {
    assert.equal(stderrOf("{ secret: 's', resave: false, saveUninitialized: false }"), '');
  });

  it('is silenced by NO_DEPRECATION=express-session, like depd', () => {
    assert.equal(stderrOf('{}', { NO_DEPRECATION: 'express-session' }), '');
    assert.equal(stderrOf('{}', { NO_DEPRECATION: 'other,express-session' }), '');
  });

  it('is silenced by --no-deprecation', () => {
    assert.equal(stderrOf('{}', {}, ['--no-deprecation']), '');
  });

  it('warns that MemoryStore is not for production when NODE_ENV=production and no store is given', () => {
    const stderr = stderrOf("{ secret: 's', resave: false, saveUninitialized: false }", { NODE_ENV: 'production' });
    assert.match(stderr, /MemoryStore is not\ndesigned for a production environment/);
  });

  it('does not warn about MemoryStore in production when a store is given', () => {
    const options = `{ secret: 's', resave: false, saveUninitialized: false, store: new (require(${JSON.stringify(entry)}).Store)() }`;
    assert.equal(stderrOf(options, { NODE_ENV: 'production' }), '');
  });
});
