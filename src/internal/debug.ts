import { createHash } from 'node:crypto';
import createDebug from 'debug';

/** The `debug` logger, under the same namespace as express-session so `DEBUG=express-session` keeps working. */
export const log = createDebug('express-session');

/**
 * A short, non-reversible stand-in for a session id in log lines.
 *
 * Debug output ends up in log aggregators that many people can read; a raw id (or its signed
 * cookie) there is enough to hijack the session, a hash prefix is not.
 */
export function idTag(id: unknown): string {
  if (typeof id !== 'string') return `<${typeof id}>`;
  return 'sid#' + createHash('sha256').update(id).digest('hex').slice(0, 6);
}
