import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretKey } from './signing';

/**
 * Id renewal's two artefacts, both computed from the session secret so that they need no new
 * store method and hold across processes that share a store and a secret:
 *
 * - the renewed id, derived from the old one, so that two requests racing to renew the same id
 *   (in one process or in two) both arrive at the same new id instead of forking the session;
 * - the tombstone left under the old id for the grace window, whose proof binds it to that id
 *   and its target, so session data that merely looks like one (an app that copies request
 *   fields into `req.session`) can never redirect an id to another user's session.
 */

/** The default id's length: 24 bytes as base64url, as uid-safe makes them. */
const ID_LENGTH = 32;

/** What the old id's record holds once renewed: a cookie for the store's TTL, and where to go. */
export interface Tombstone {
  cookie: Record<string, unknown>;
  __lifecycle: TombstoneMark;
}

export interface TombstoneMark {
  /** The id the session moved to. */
  renewedTo: string;
  /** When, in ms since the epoch. */
  renewedAt: number;
  /** HMAC of (old id, new id, renewedAt) under the first secret, base64url. */
  proof: string;
}

function hmac(secret: SecretKey, text: string): Buffer {
  return createHmac('sha256', secret as string).update(text).digest();
}

/**
 * The id a session renewed from `oldId` gets when ids come from the default generator: the
 * HMAC of `renew:<oldId>`, as 32 base64url characters, the alphabet and length of a default id.
 * The prefix keeps it apart from the cookie signature (an HMAC of the bare id), which anyone
 * holding a cookie sees. Unpredictable without the secret, and 192 bits like a random id.
 */
export function renewedIdOf(oldId: string, secret: SecretKey): string {
  return hmac(secret, 'renew:' + oldId).toString('base64url').slice(0, ID_LENGTH);
}

function proofText(oldId: string, renewedTo: string, renewedAt: number): string {
  return `tombstone:${oldId}:${renewedTo}:${renewedAt}`;
}

/**
 * The record that replaces the old id's session: it expires from every store `grace` ms from
 * now through its cookie (stores take their TTL from `cookie.expires`), and the middleware also
 * checks `renewedAt + grace` itself, since Redis counts TTLs in whole seconds and a `touch` by a
 * request that loaded the old session before the renewal may extend it.
 */
export function tombstoneFor(oldId: string, renewedTo: string, cookie: unknown, now: number, grace: number, secret: SecretKey): Tombstone {
  const base = cookie !== null && typeof cookie === 'object' ? (cookie as Record<string, unknown>) : {};
  return {
    cookie: { ...base, originalMaxAge: grace, expires: new Date(now + grace).toISOString() },
    __lifecycle: { renewedTo, renewedAt: now, proof: hmac(secret, proofText(oldId, renewedTo, now)).toString('base64url') },
  };
}

/** Whether a record claims to be a tombstone (it may still be forged or stale: see {@link liveTarget}). */
export function looksLikeTombstone(record: object): boolean {
  const mark = (record as { __lifecycle?: unknown }).__lifecycle;
  return mark !== null && typeof mark === 'object' && Object.prototype.hasOwnProperty.call(mark, 'renewedTo');
}

/**
 * Where the tombstone stored under `oldId` points, when it is genuine (its proof verifies under
 * one of `secrets`, compared in constant time) and its grace window is still open; otherwise
 * undefined, and the old id finds nothing.
 */
export function liveTarget(oldId: string, record: object, secrets: readonly SecretKey[], now: number, grace: number): string | undefined {
  const mark = (record as { __lifecycle?: Partial<Record<keyof TombstoneMark, unknown>> }).__lifecycle;
  if (!mark) return undefined;
  const { renewedTo, renewedAt, proof } = mark;
  if (typeof renewedTo !== 'string' || typeof renewedAt !== 'number' || typeof proof !== 'string') return undefined;
  if (!(now - renewedAt < grace)) return undefined;
  const presented = Buffer.from(proof, 'utf8');
  for (const secret of secrets) {
    const expected = Buffer.from(hmac(secret, proofText(oldId, renewedTo, renewedAt)).toString('base64url'), 'utf8');
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) return renewedTo;
  }
  return undefined;
}
