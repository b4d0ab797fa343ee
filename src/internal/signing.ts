import { createHmac, KeyObject, timingSafeEqual } from 'node:crypto';
import { sign } from 'cookie-signature';
import type { SessionOptions } from '../options';

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
 * The MACs of ids one middleware has verified, with the secret that made each, so a returning
 * visitor's cookie is checked without computing the HMAC again: on Node 24 that is about 2 µs of
 * the ~13 µs the layer costs a returning reader (bench/signing.bench.mjs). A MAC is remembered,
 * never a verdict: every cookie is still compared in constant time, and only correctly signed
 * ids get in, so forged cookies cannot fill it.
 */
export type VerifiedMacs = Map<string, { readonly mac: string; readonly secret: string }>;

/**
 * Most ids a {@link VerifiedMacs} holds: well under 1 MB. Emptied when full rather than evicting
 * the oldest: deleting from the front of a Map leaves holes that later iteration must skip, which
 * made every miss cost 1.8× a plain check once more ids than this were in use.
 */
const MAX_REMEMBERED = 4096;

/**
 * The session id inside a signed value (`<id>.<mac>`, without the `s:`), or `undefined` when no
 * secret produced that exact MAC, and the index of the secret that did.
 *
 * The MAC is compared in constant time: an early exit would tell an attacker how much of a
 * forged signature was right. Anything but the exact 43 characters we write (padding, bytes
 * appended, a case flip, a multi-byte character) fails the length check or the comparison.
 *
 * With `remembered`, a MAC found there is used while its secret is still in `secrets` (the
 * option's array may be changed at runtime to revoke one). Only string secrets are remembered:
 * a Buffer can change in place.
 */
export function unsignSessionId(
  signed: string,
  secrets: readonly SecretKey[],
  remembered?: VerifiedMacs,
): { id: string; secretIndex: number } | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot === -1) return undefined;
  const presented = Buffer.from(signed.slice(dot + 1), 'utf8');
  if (presented.length !== MAC_LENGTH) return undefined;
  const id = signed.slice(0, dot);
  const known = remembered?.get(id);
  if (known !== undefined && sameMac(known.mac, presented)) {
    const secretIndex = secrets.indexOf(known.secret);
    if (secretIndex !== -1) return { id, secretIndex };
  }
  for (let i = 0; i < secrets.length; i++) {
    const secret = secrets[i]!;
    const mac = macOf(id, secret);
    if (sameMac(mac, presented)) {
      if (remembered !== undefined && typeof secret === 'string') {
        if (remembered.size >= MAX_REMEMBERED) remembered.clear();
        remembered.set(id, { mac, secret });
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

/**
 * The `secret` option as a list, checked at startup; undefined when none is given (the middleware
 * then falls back to `req.secret`). An array is kept, not copied, so changing it at runtime
 * rotates or revokes secrets, as with express-session.
 */
export function normalizeSecrets(secret: SessionOptions['secret']): SecretKey[] | undefined {
  if (Array.isArray(secret)) {
    if (secret.length === 0) throw new TypeError('secret option array must contain one or more strings');
    if (!secret.every(isSecretKey)) {
      throw new TypeError('secret option array must contain only non-empty strings, Buffers, TypedArrays, DataViews or KeyObjects');
    }
    return secret;
  }
  if (secret === undefined || secret === null || secret === '') return undefined;
  if (!isSecretKey(secret)) {
    throw new TypeError('secret option must be a string, Buffer, TypedArray, DataView, KeyObject or an array of them');
  }
  return [secret];
}
