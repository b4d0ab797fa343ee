import type { Request } from 'express';
import type { Store } from '../store';
import { idTag, log } from './debug';
import { liveTarget, looksLikeTombstone, renewedIdOf, tombstoneFor } from './renewal';
import { generateSessionId } from './session-id';
import type { Settings } from './settings';
import type { SecretKey } from './signing';
import { callStore } from './store-call';

/**
 * Where the opt-in lifecycle options (`absoluteTimeout`, `renewalTimeout`) keep their
 * timestamps: one key in the session's own data, because the data is the only thing every store
 * persists and hands back (a field of the cookie would be lost by stores that rebuild it). The key
 * is only ever written when one of those options is set, so by default the stored JSON is
 * exactly express-session's.
 */
export const LIFECYCLE_KEY = '__lifecycle';

/** The value under {@link LIFECYCLE_KEY}, times in ms since the epoch. */
export interface LifecycleStamp {
  /** When the session was first created; survives renewal and `regenerate({ keepData: true })`. */
  created: number;
  /** When the session got its current id; reset whenever the id changes. */
  idIssued: number;
}

/** A session record as a store hands it back. */
type Stored = Record<string, unknown>;

/** A stored session the request may use, after the lifecycle rules ran on it. */
export interface Loaded {
  /** The id the session is under now: the cookie's, or the one it was renewed or resolved to. */
  readonly id: string;
  readonly stored: Stored;
  /** The browser's id is no longer this session's: the response must carry the new cookie. */
  readonly idRenewed: boolean;
  /** The store holds exactly `stored`; false when a missing stamp was just added (save it). */
  readonly storeCurrent: boolean;
}

/**
 * How many records one request may walk through: tombstone to tombstone (an id renewed twice
 * within one grace window) and one renewal. Bounds the store calls a request can cost.
 */
const MAX_STEPS = 4;

/** The stamp in `data`, when it holds a well-formed one. */
export function readStamp(data: object): LifecycleStamp | undefined {
  const stamp = (data as { [LIFECYCLE_KEY]?: Partial<Record<keyof LifecycleStamp, unknown>> })[LIFECYCLE_KEY];
  if (stamp === null || typeof stamp !== 'object') return undefined;
  const { created, idIssued } = stamp;
  if (typeof created !== 'number' || !Number.isFinite(created) || typeof idIssued !== 'number' || !Number.isFinite(idIssued)) return undefined;
  return { created, idIssued };
}

function storeCall(store: Store, method: 'get' | 'set' | 'destroy', args: readonly unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    callStore(store, method, args, (err, value) => {
      // ENOENT from get means "no such session", as in the middleware's own load.
      if (err && !(method === 'get' && (err as { code?: unknown }).code === 'ENOENT')) reject(err);
      else resolve(err ? undefined : value);
    });
  });
}

/** The per-middleware lifecycle rules; undefined when neither option is set (nothing changes then). */
export interface Lifecycle {
  /** Stamp a brand-new session (a no-op on one that already carries a stamp). */
  stamp(session: object): void;
  /** Load the session stored under the cookie's id through tombstones, timeouts and renewal. */
  load(req: Request, sentId: string, secrets: readonly SecretKey[], callback: (err: unknown, loaded?: Loaded) => void): void;
}

export function createLifecycle(settings: Settings): Lifecycle | undefined {
  const { store, absoluteTimeout, renewalTimeout, renewalGrace: grace } = settings;
  if (absoluteTimeout === undefined && renewalTimeout === undefined) return undefined;
  // Only ids we generate ourselves may be derived; a custom genid's format may matter to the app.
  const derivedIds = settings.generateId === generateSessionId;
  /** Renewals in progress in this process, by old id: parallel requests share one. */
  const renewals = new Map<string, Promise<{ id: string; json: string }>>();

  function stamp(session: object): void {
    if (readStamp(session) !== undefined) return;
    const now = Date.now();
    (session as Stored)[LIFECYCLE_KEY] = { created: now, idIssued: now } satisfies LifecycleStamp;
  }

  /**
   * Move `stored` from `oldId` to a new id: write it there (unless a racing request, maybe in
   * another process, already did: with derived ids it is found under the same new id), then
   * replace the old record with a tombstone. New record first: a crash in between leaves the old
   * session whole and an orphan that expires.
   */
  async function moveToNewId(req: Request, oldId: string, stored: Stored, created: number, secret: SecretKey): Promise<{ id: string; json: string }> {
    if (!derivedIds) {
      // Ids from genid differ per request, so a racer that got here first can only be seen under
      // the old id: read it again, and follow its tombstone rather than renewing a second time.
      const current = await storeCall(store, 'get', [oldId]);
      if (current !== null && typeof current === 'object' && looksLikeTombstone(current)) return { id: oldId, json: JSON.stringify(current) };
    }
    const now = Date.now();
    const newId = derivedIds ? renewedIdOf(oldId, secret) : await Promise.resolve(settings.generateId(req));
    if (typeof newId !== 'string' || newId === '') throw new TypeError('genid returned no id to renew the session with');
    const existing = derivedIds ? await storeCall(store, 'get', [newId]) : undefined;
    let data: object;
    if (existing !== null && typeof existing === 'object' && (looksLikeTombstone(existing) || readStamp(existing)?.created === created)) {
      data = existing;
    } else {
      data = { ...stored, [LIFECYCLE_KEY]: { created, idIssued: now } satisfies LifecycleStamp };
      await storeCall(store, 'set', [newId, data]);
    }
    await storeCall(store, 'set', [oldId, tombstoneFor(oldId, newId, stored['cookie'], now, grace, secret)]);
    if (log.enabled) log('renewed %s to %s', idTag(oldId), idTag(newId));
    return { id: newId, json: JSON.stringify(data) };
  }

  function renew(req: Request, oldId: string, stored: Stored, created: number, secret: SecretKey): Promise<{ id: string; stored: Stored }> {
    let pending = renewals.get(oldId);
    if (pending === undefined) {
      pending = moveToNewId(req, oldId, stored, created, secret).finally(() => renewals.delete(oldId));
      renewals.set(oldId, pending);
    }
    // Each request gets its own copy, as it would from the store.
    return pending.then(({ id, json }) => ({ id, stored: JSON.parse(json) as Stored }));
  }

  async function resolve(req: Request, sentId: string, secrets: readonly SecretKey[]): Promise<Loaded | undefined> {
    let id = sentId;
    let record = await storeCall(store, 'get', [id]);
    let moved = false;
    let renewed = false;
    for (let step = 0; ; step++) {
      if (!record) return undefined;
      if (typeof record !== 'object') throw new TypeError('session store returned a ' + typeof record + ' instead of a session object');
      if (step === MAX_STEPS) return undefined;
      const now = Date.now();
      if (looksLikeTombstone(record)) {
        const target = liveTarget(id, record, secrets, now, grace);
        if (target === undefined) {
          log('renewed id past its grace window (or not a genuine tombstone): no session');
          return undefined;
        }
        if (log.enabled) log('%s was renewed: following it to %s', idTag(id), idTag(target));
        id = target;
        record = await storeCall(store, 'get', [id]);
        moved = true;
        continue;
      }
      const stored = record as Stored;
      let stampNow = readStamp(stored);
      const storeCurrent = stampNow !== undefined;
      // A session stored before the options were enabled: its life under them starts now.
      if (stampNow === undefined) stored[LIFECYCLE_KEY] = stampNow = { created: now, idIssued: now };
      if (absoluteTimeout !== undefined && now - stampNow.created >= absoluteTimeout) {
        if (log.enabled) log('%s reached absoluteTimeout: destroying it', idTag(id));
        await storeCall(store, 'destroy', [id]);
        return undefined;
      }
      if (!renewed && renewalTimeout !== undefined && now - stampNow.idIssued >= renewalTimeout) {
        ({ id, stored: record } = await renew(req, id, stored, stampNow.created, secrets[0]!));
        moved = renewed = true;
        continue;
      }
      return { id, stored, idRenewed: moved, storeCurrent };
    }
  }

  return {
    stamp,
    load(req, sentId, secrets, callback) {
      // Out of the promise chain before calling back, so that what the callback throws is an
      // uncaught exception, as from a store's callback, and not a lost rejection.
      resolve(req, sentId, secrets).then(
        (loaded) => process.nextTick(callback, null, loaded),
        (err: unknown) => process.nextTick(callback, err),
      );
    },
  };
}
