import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/**
 * TypeScript written for express-session and @types/express-session, compiled against the built
 * package installed under the name express-session (the `express-session: file:` dev dependency).
 * Lines marked @ts-expect-error must fail to compile; tsc reports any that do not.
 */
function compile(project: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('published types', () => {
  it('compile app code written for @types/express-session, with SessionData augmentation, and reject what it rejects', () => {
    const { status, output } = compile('test/types/tsconfig.json');
    assert.equal(status, 0, output);
  });

  it('compile stores written as classes, as promise stores and the Store.call way, handed plain cookie objects as @types/express-session allows', () => {
    const { status, output } = compile('test/types/tsconfig.store.json');
    assert.equal(status, 0, output);
  });

  it('compile ES module TypeScript (nodenext) with default and named imports', () => {
    const { status, output } = compile('test/types/tsconfig.esm.json');
    assert.equal(status, 0, output);
  });

  it("compile under TypeScript's default ES5 target with skipLibCheck off (no #private in the declarations)", () => {
    const { status, output } = compile('test/types/es5/tsconfig.json');
    assert.equal(status, 0, output);
  });

  it('compile a file whose only mention of the package is a SessionData augmentation, given the README\'s type-only import', () => {
    const { status, output } = compile('test/types/tsconfig.augment-only.json');
    assert.equal(status, 0, output);
  });

  it('need that import: TypeScript does not load bundled types that only an augmentation names (TS2664, TS2339)', () => {
    const result = spawnSync(process.execPath, [
      require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--esModuleInterop', '--types', 'node', '--target', 'ES2022',
      '--module', 'commonjs', '--moduleResolution', 'node10', 'test/types/negative/augment-only-unloaded.ts',
    ], { encoding: 'utf8' });
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /error TS2664: Invalid module name in augmentation, module 'express-session' cannot be found/);
    assert.match(result.stdout, /error TS2339: Property 'session' does not exist/);
  });

  it('fail to compile a wrong augmentation type (the check has teeth)', () => {
    const result = spawnSync(process.execPath, [
      require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--esModuleInterop', '--types', 'node',
      '--module', 'commonjs', '--moduleResolution', 'node10', 'test/types/negative/wrong-field.ts',
    ], { encoding: 'utf8' });
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /TS2322/);
  });
});
