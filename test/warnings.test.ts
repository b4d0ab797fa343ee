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

  it('says plainly that the secret option is empty for secret: "" (an unset SESSION_SECRET), still as a deprecation', () => {
    const stderr = stderrOf("{ secret: '', resave: false, saveUninitialized: false }");
    assert.match(stderr, /express-session deprecated secret option is an empty string \(an unset environment variable\?\): req\.secret from cookie-parser is used instead, and without it every request fails with "secret option required for sessions"; provide a non-empty secret at \[eval\]:1:\d+/);
  });

  it('says the secret option is undefined when the key is given without a value', () => {
    assert.match(stderrOf('{ secret: undefined, resave: false, saveUninitialized: false }'), /express-session deprecated secret option is undefined \(an unset environment variable\?\)/);
  });

  it("warns that a string cookie.secure counts by truthiness: 'false' is taken as true", () => {
    const stderr = stderrOf("{ secret: 's', resave: false, saveUninitialized: false, cookie: { secure: 'false' } }");
    assert.match(stderr, /express-session deprecated cookie\.secure as the string "false", taken as true \(no cookie over plain HTTP\); pass true, false or 'auto' at \[eval\]:1:\d+/);
  });

  it('warns that a number given as cookie.expires is used as maxAge', () => {
    const stderr = stderrOf("{ secret: 's', resave: false, saveUninitialized: false, cookie: { expires: 3600000 } }");
    assert.match(stderr, /express-session deprecated cookie\.expires as a number, used as maxAge \(a lifetime in milliseconds from each request\); pass maxAge, or a Date as expires/);
  });

  it("prints nothing for sameSite: 'none' without secure (non-browser clients accept it; the debug log explains it)", () => {
    assert.equal(stderrOf("{ secret: 's', resave: false, saveUninitialized: false, cookie: { sameSite: 'none', maxAge: 60000 } }"), '');
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

  it('warns in production that the default MemoryStore is one process\'s memory, pointing to max and to shared stores', () => {
    const stderr = stderrOf("{ secret: 's', resave: false, saveUninitialized: false }", { NODE_ENV: 'production' });
    assert.match(stderr, /^Warning: connect\.session\(\) MemoryStore keeps sessions in this process's memory only/);
    // What is true of this MemoryStore: one process, lost on restart; it prunes and can be bounded.
    assert.match(stderr, /lost on restart and not shared between processes or servers/);
    assert.match(stderr, /prunes\nexpired sessions and can be bounded with new MemoryStore\(\{ max \}\)/);
    assert.match(stderr, /connect-redis or connect-pg-simple/);
    assert.doesNotMatch(stderr, /leak/);
  });

  it('does not warn about MemoryStore in production when a store is given', () => {
    const options = `{ secret: 's', resave: false, saveUninitialized: false, store: new (require(${JSON.stringify(entry)}).Store)() }`;
    assert.equal(stderrOf(options, { NODE_ENV: 'production' }), '');
  });
});
