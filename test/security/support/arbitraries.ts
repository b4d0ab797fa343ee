import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { SecretKey } from '../../../src/internal/signing';

/**
 * The key HMAC actually uses: keys longer than SHA-256's 64-byte block are hashed first, and
 * shorter ones are padded with zero bytes. So "k" and "k\0" are one and the same key, a property
 * of HMAC itself (RFC 2104 §2), not of the cookie code; generators must not count them as two.
 */
export function effectiveHmacKey(secret: string | Uint8Array): string {
  let bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length > 64) bytes = createHash('sha256').update(bytes).digest();
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end).toString('hex');
}

/** Session ids: the uid-safe shape genid gives by default, or any text a custom genid may return. */
export const sessionId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{32}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
);

/** Secrets: text (Unicode included) or bytes, as the `secret` option accepts. */
export const secret: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.uint8Array({ minLength: 1, maxLength: 80 }).map((bytes) => Buffer.from(bytes)),
).filter((s) => effectiveHmacKey(s) !== '');

/** One to four secrets that are different HMAC keys, as a `secret: [...]` rotation list. */
export const secretList: fc.Arbitrary<SecretKey[]> = fc.uniqueArray(secret, {
  minLength: 1,
  maxLength: 4,
  selector: effectiveHmacKey,
});

/** A rotation list plus one secret that is not (as an HMAC key) in it. */
export const secretListAndForeignSecret = fc
  .tuple(secretList, secret)
  .filter(([list, foreign]) => !list.some((s) => effectiveHmacKey(s as string | Buffer) === effectiveHmacKey(foreign)));

/** The value of a Cookie header pair, as express-session's cookie.serialize writes it. */
export function cookieValue(value: string): string {
  return encodeURIComponent(value);
}
