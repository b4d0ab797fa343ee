import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** The repository root: what `npm pack` packs. */
export const repoRoot = resolve(__dirname, '..', '..', '..');

/** A temporary npm project with the repository packed into it, as a user installs it. */
export interface PackedProject {
  /** The project's directory (its package.json, node_modules and the tarball). */
  readonly dir: string;
  /** Absolute path of the tarball `npm pack` made. */
  readonly tarball: string;
  /** Remove the directory. */
  remove(): void;
}

/**
 * `npm pack` the repository (dist/ as built: `--ignore-scripts` skips the prepack build, so run
 * `npm run build` first, as `npm test` does) into a new temporary project, then `npm install`
 * there whatever `dependencies(tarball)` lists, e.g. `[tarball, 'express@5']` or
 * `[`express-session@file:${tarball}`]`. Uses npm's cache first (the registry for what is missing).
 */
export async function packedProject(prefix: string, dependencies: (tarball: string) => string[], timeout = 180_000): Promise<PackedProject> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const packed = JSON.parse((await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: repoRoot })).stdout) as [{ filename: string }];
    const tarball = join(dir, packed[0].filename);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `${prefix.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}-app`, private: true }));
    await run('npm', ['install', ...dependencies(tarball), '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir, timeout });
    return { dir, tarball, remove };
  } catch (err) {
    remove();
    throw err;
  }
}
