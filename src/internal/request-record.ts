import type { Cookie } from '../cookie';
import type { SessionSnapshot } from '../decisions';
import type { Session, SessionListener } from '../session';
import { fingerprint } from './fingerprint';
import type { SecretKey } from './signing';

/**
 * What the middleware knows about one request's session, as plain data. The flow writes it in
 * one direction (cookie read → session loaded → saves seen → end); the decisions read it.
 *
 * A class, not an object literal: V8 may decide to allocate an object literal's instances in the
 * old generation when enough of them outlive a young-generation collection, and this record (and
 * what it reaches: the request, the response) lives as long as the request does. Once that
 * happened, every request's objects waited for a full collection: on Node 24, 5 times the GC time
 * per request in the CPU profile (bench/PROFILE.md; bench/gc.mjs counts the collections).
 */
export class RequestRecord {
  /** The session's id when it was loaded or generated. */
  originalId: unknown = undefined;
  /** Fingerprint of the data (cookie excluded) when loaded or generated. */
  originalFingerprint = '';
  /** Fingerprint at the last save, or at load when `resave` is false; undefined if never. */
  savedFingerprint: string | undefined = undefined;
  /** Whether the cookie's expiry was already extended in this request (done once, when first due). */
  touched = false;
  /** With `touchAfter`: ms since the store's copy was last saved or touched, told at load; see `TouchLog.ageAtLoad`. */
  storeTouchAge: number | undefined = undefined;
  /** The session `res.end` found on req, and its fingerprint once computed: see {@link fingerprintOf}. */
  endedWith: object | undefined = undefined;
  endFingerprint: string | undefined = undefined;
  /** Whether an error of this request already went to `next`. */
  errorReported = false;
  /** The cookie's id was renewed, or resolved through its tombstone, to `originalId`. */
  idRenewed = false;
  /** The cookie of the session `destroy()` was called on in this request (for clearCookieOnDestroy). */
  destroyedCookie: Cookie | undefined = undefined;

  constructor(
    /** The id the browser sent, when its signature was valid. */
    readonly cookieId: string | undefined,
    /** The cookie value as received, when the first secret signed it: it can be sent back as is. */
    readonly signedCookie: string | undefined,
    /** The secrets of this request: the option's, or `req.secret` from cookie-parser. */
    readonly secrets: readonly SecretKey[],
  ) {}
}

/**
 * The session's fingerprint. Once `res.end` ran, the session it found is fingerprinted once and
 * that value serves every later rule (save or not, cookie or not, what the save recorded): the
 * decision is made once, on one state of the data, and JSON is not rebuilt for each rule.
 */
export function fingerprintOf(record: RequestRecord, session: object): string {
  if (record.endedWith !== session) return fingerprint(session);
  return (record.endFingerprint ??= fingerprint(session));
}

/** How the record learns what the route does with its session: explicit saves, and destroy(). A class for the reason RequestRecord is one. */
export class RecordListener implements SessionListener {
  constructor(private readonly record: RequestRecord) {}

  saving(saved: Session): void {
    const record = this.record;
    // A regenerated session (another id) can never count as saved (isSaved compares ids), so
    // what its save() wrote needs no fingerprint.
    if (saved.id !== record.originalId) return;
    try {
      record.savedFingerprint = fingerprintOf(record, saved);
    } catch (err) {
      // save() throws this to the route, which reports it; the end of the response meeting the
      // same data must not report it a second time.
      record.errorReported = true;
      throw err;
    }
  }

  destroying(destroyed: Session): void {
    this.record.destroyedCookie = destroyed.cookie;
  }
}

/** The decisions' view of a request at the moment they are made: its record and the live session. */
export class Snapshot implements SessionSnapshot {
  constructor(
    private readonly record: RequestRecord,
    readonly sessionId: unknown,
    private readonly session: Session,
  ) {}

  get cookieId(): string | undefined {
    return this.record.cookieId;
  }

  get originalId(): unknown {
    return this.record.originalId;
  }

  get originalFingerprint(): string {
    return this.record.originalFingerprint;
  }

  get savedFingerprint(): string | undefined {
    return this.record.savedFingerprint;
  }

  get currentId(): unknown {
    return this.session.id;
  }

  // A getter: user code may have put a non-session on req, and only some rules read the cookie.
  get cookieHasExpiry(): boolean {
    return this.session.cookie.expires != null;
  }

  get idRenewed(): boolean {
    return this.record.idRenewed;
  }

  get storeTouchAge(): number | undefined {
    return this.record.storeTouchAge;
  }

  currentFingerprint(): string {
    return fingerprintOf(this.record, this.session);
  }
}
