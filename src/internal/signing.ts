import { createHmac, KeyObject, timingSafeEqual } from 'node:crypto';
import { sign } from 'cookie-signature';

/** Any key `crypto.createHmac` accepts: a string, a Buffer or other ArrayBufferView, or a KeyObject. */
export type SecretKey = string | NodeJS.ArrayBufferView | KeyObject;

/** Base64 of a SHA-256 MAC without its one `=` of padding, as cookie-signature writes it. */
const MAC_LENGTH = 43;

/** `s:<id>.<mac>`: the format express-session writes, so cookies survive the swap both ways. */
export function signSessionId(id: string, secret: SecretKey): string {
  return 's:' + sign(id, secret as string);
}

/** The MAC of an id under one secret, as the 43 characters a cookie carries. */
function macOf(id: string, secret: SecretKey): string {
  return createHmac('sha256', secret as string).update(id).digest('base64').slice(0, MAC_LENGTH);
}

/** Whether `mac` (43 ASCII characters) is the 43 bytes `presented`, compared in constant time. */
function sameMac(mac: string, presented: Buffer): boolean {
  return timingSafeEqual(Buffer.from(mac, 'latin1'), presented);
}

/**
 * Most ids whose MAC a {@link rememberVerifiedIds} cache holds: well under 1 MB when full. MACs
 * are kept as strings: a small Buffer kept for long would hold on to a whole 8 KB pool slab.
 */
const MAX_REMEMBERED = 4096;

/**
 * The MACs of ids already verified against one secrets array, so that a returning visitor's
 * cookie is checked without computing the HMAC again. What is remembered is the MAC an id has,
 * never a verdict: every cookie is still compared in constant time with its id's MAC, and only
 * ids that were correctly signed get in, so forged cookies cannot fill it.
 */
interface VerifiedIds {
  /** The secrets as they were when the MACs were computed; any change empties the cache. */
  readonly snapshot: SecretKey[];
  readonly macs: Map<string, { mac: string; secretIndex: number }>;
}

const verifiedIdCaches = new WeakMap<readonly SecretKey[], VerifiedIds>();

/**
 * Let {@link unsignSessionId} remember the MACs of ids it verified against this very array of
 * secrets (the middleware's own, fixed when `session()` is called). Only string secrets are
 * remembered: a Buffer can change in place without the array changing.
 */
export function rememberVerifiedIds(secrets: readonly SecretKey[]): void {
  if (secrets.every((secret) => typeof secret === 'string')) {
    verifiedIdCaches.set(secrets, { snapshot: [...secrets], macs: new Map() });
  }
}

/** The cache for `secrets`, emptied first if the array was changed since (a secret revoked). */
function verifiedIdsFor(secrets: readonly SecretKey[]): VerifiedIds | undefined {
  const cache = verifiedIdCaches.get(secrets);
  if (cache === undefined) return undefined;
  const { snapshot } = cache;
  let same = snapshot.length === secrets.length;
  for (let i = 0; same && i < secrets.length; i++) same = snapshot[i] === secrets[i];
  if (!same) {
    cache.macs.clear();
    snapshot.length = 0;
    for (const secret of secrets) {
      if (typeof secret !== 'string') {
        verifiedIdCaches.delete(secrets);
        return undefined;
      }
      snapshot.push(secret);
    }
  }
  return cache;
}

/**
 * The session id inside a signed value (`<id>.<mac>`, without the `s:`), or `undefined` when no
 * secret produced that exact MAC, and the index of the secret that did.
 *
 * The MAC is compared in constant time: an early exit would tell an attacker how much of a
 * forged signature was right. Anything but the exact 43 characters we write (padding, bytes
 * appended, a case flip, a multi-byte character) fails the length check or the comparison.
 */
export function unsignSessionId(
  signed: string,
  secrets: readonly SecretKey[],
): { id: string; secretIndex: number } | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot === -1) return undefined;
  const presented = Buffer.from(signed.slice(dot + 1), 'utf8');
  if (presented.length !== MAC_LENGTH) return undefined;
  const id = signed.slice(0, dot);
  const cache = verifiedIdsFor(secrets);
  const remembered = cache?.macs.get(id);
  if (remembered !== undefined && sameMac(remembered.mac, presented)) {
    return { id, secretIndex: remembered.secretIndex };
  }
  for (let i = 0; i < secrets.length; i++) {
    const expected = macOf(id, secrets[i]!);
    if (sameMac(expected, presented)) {
      if (cache !== undefined) {
        const { macs } = cache;
        if (macs.size >= MAX_REMEMBERED) macs.delete(macs.keys().next().value as string);
        macs.set(id, { mac: expected, secretIndex: i });
      }
      return { id, secretIndex: i };
    }
  }
  return undefined;
}

/** Whether `value` can key an HMAC, so a bad `secret` option fails at startup, not per request. */
export function isSecretKey(value: unknown): value is SecretKey {
  return (
    (typeof value === 'string' && value.length > 0) ||
    ArrayBuffer.isView(value) ||
    value instanceof KeyObject
  );
}
