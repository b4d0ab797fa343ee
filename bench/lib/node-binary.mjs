// Which Node runs the benchmark's servers: `--node 24` (or 22, or 24.22.1) fetches, once, the
// official binary the npm package node-<platform>-<arch> ships (`npm pack`, untar,
// package/bin/node) into a cache directory; `--node /path/to/node` uses that binary. Without
// `--node`, the servers run under the Node that runs bench/run.mjs. The load generator always
// runs under the current Node: only the servers' Node is measured.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** ~/.cache/express-session-ts-bench (or $XDG_CACHE_HOME/...), else the OS temp directory. */
function cacheDir() {
  const candidates = [];
  if (process.env.XDG_CACHE_HOME) candidates.push(join(process.env.XDG_CACHE_HOME, 'express-session-ts-bench'));
  try {
    candidates.push(join(homedir(), '.cache', 'express-session-ts-bench'));
  } catch {
    // No home directory: the temp directory below.
  }
  candidates.push(join(tmpdir(), 'express-session-ts-bench'));
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      // Not writable: try the next one.
    }
  }
  throw new Error(`no writable cache directory for Node binaries (tried ${candidates.join(', ')})`);
}

/**
 * The path of the Node binary `spec` names: a path to a binary, or a version (`24`, `22.23`,
 * `24.22.1`) of the npm package node-<platform>-<arch>, fetched into the cache on first use.
 * A version spec is cached under its own text, so `--node 24` does not go back to the registry
 * once it has a binary (delete the cache directory to get a newer 24).
 */
export function resolveNodeBinary(spec, log = () => {}) {
  if (spec.includes('/') || spec.startsWith('.')) {
    const path = resolve(spec);
    if (!existsSync(path)) throw new Error(`--node ${spec}: no such file`);
    return path;
  }
  if (!/^\d+(\.\d+){0,2}$/.test(spec)) throw new Error(`--node ${spec}: expected a path or a version such as 24 or 22.23.5`);
  const pkg = `node-${process.platform}-${process.arch}`;
  const root = cacheDir();
  const dir = join(root, `${pkg}@${spec}`);
  const binary = join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;

  log(`fetching ${pkg}@${spec} with npm pack into ${root} (once; later runs use the cached binary)`);
  const staging = mkdtempSync(join(root, '.fetch-'));
  try {
    const out = execFileSync('npm', ['pack', `${pkg}@${spec}`, '--pack-destination', staging, '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = readdirSync(staging).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${pkg}@${spec} produced no tarball (${out.trim()})`);
    execFileSync('tar', ['-xzf', join(staging, tarball), '-C', staging], { stdio: 'inherit' });
    if (!existsSync(join(staging, 'package', 'bin', 'node'))) throw new Error(`${tarball} has no package/bin/node`);
    rmSync(join(staging, tarball));
    // Renamed into place only when complete, so an interrupted fetch leaves no half binary.
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return binary;
}

/** `{ node, v8 }` versions of a Node binary. */
export function nodeVersions(binary) {
  const out = execFileSync(binary, ['-p', 'JSON.stringify({ node: process.version, v8: process.versions.v8 })'], { encoding: 'utf8' });
  return JSON.parse(out);
}
