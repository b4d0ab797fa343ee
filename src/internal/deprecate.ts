import { dirname } from 'node:path';

const NAMESPACE = 'express-session';
const PACKAGE_DIR = dirname(dirname(__dirname));
const alreadyWarned = new Set<string>();

/**
 * Whether deprecation output is silenced, read on every call (not at load time) so that
 * `process.env.NO_DEPRECATION` set by a test bootstrap after this module loaded still counts.
 * Follows depd: `--no-deprecation`, or NO_DEPRECATION listing our namespace or `*`.
 */
function silenced(): boolean {
  if (process.noDeprecation) return true;
  const list = process.env.NO_DEPRECATION;
  if (!list) return false;
  return list.split(/[ ,]+/).some((entry) => entry === '*' || entry.toLowerCase() === NAMESPACE);
}

/** `file:line:column` of the first stack frame outside this package: the app's call. */
function callSite(): string | undefined {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  for (const frame of frames) {
    const match = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/.exec(frame.trim());
    if (match && !match[1]!.startsWith(PACKAGE_DIR) && !match[1]!.startsWith('node:')) {
      return `${match[1]}:${match[2]}:${match[3]}`;
    }
  }
  return undefined;
}

/**
 * Print `express-session deprecated <message> at <app file:line:col>` to stderr, once per
 * message and call site, the way `depd` does for express-session (with a timestamp when stderr
 * is not a terminal), so logs and silencing flags users rely on keep working. When the process
 * has `deprecation` listeners they receive an Error instead, as with depd.
 */
export function deprecate(message: string): void {
  if (silenced()) return;
  const site = callSite();
  const key = `${message}\u0000${site ?? ''}`;
  if (alreadyWarned.has(key)) return;
  alreadyWarned.add(key);
  if (process.listenerCount('deprecation') > 0) {
    const error = new Error(message);
    error.name = 'DeprecationError';
    (error as Error & { namespace?: string }).namespace = NAMESPACE;
    process.emit('deprecation' as 'warning', error);
    return;
  }
  const prefix = process.stderr.isTTY ? '' : `${new Date().toUTCString()} `;
  process.stderr.write(`${prefix}${NAMESPACE} deprecated ${message}${site ? ` at ${site}` : ''}\n`);
}
