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
  for (let i = 0; i < secrets.length; i++) {
    const expected = Buffer.from(
      createHmac('sha256', secrets[i] as string).update(id).digest('base64').slice(0, MAC_LENGTH),
      'latin1',
    );
    if (timingSafeEqual(expected, presented)) return { id, secretIndex: i };
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
