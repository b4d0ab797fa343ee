// Stores as third parties write them against @types/express-session.
import session, { Store, type SessionData } from 'express-session';
import { inherits } from 'node:util';

export class CallbackStore extends Store {
  private readonly sessions = new Map<string, string>();

  get(sid: string, callback: (err: any, session?: SessionData | null) => void): void {
    const raw = this.sessions.get(sid);
    callback(null, raw ? (JSON.parse(raw) as SessionData) : null);
  }

  set(sid: string, sess: SessionData, callback?: (err?: any) => void): void {
    this.sessions.set(sid, JSON.stringify(sess));
    callback?.();
  }

  destroy(sid: string, callback?: (err?: any) => void): void {
    this.sessions.delete(sid);
    callback?.();
  }

  touch(sid: string, sess: SessionData, callback?: () => void): void {
    this.sessions.set(sid, JSON.stringify(sess));
    callback?.();
  }

  length(callback: (err: any, length?: number) => void): void {
    callback(null, this.sessions.size);
  }
}

export class PromiseStore extends Store {
  private readonly sessions = new Map<string, SessionData>();
  async get(sid: string): Promise<SessionData | null> {
    return this.sessions.get(sid) ?? null;
  }
  async set(sid: string, sess: SessionData): Promise<void> {
    this.sessions.set(sid, sess);
  }
  async destroy(sid: string): Promise<void> {
    this.sessions.delete(sid);
  }
}

// The pre-ES2015 pattern.
interface LegacyStore extends Store {
  prefix: string;
}
function LegacyStore(this: LegacyStore, options: { prefix?: string } = {}): void {
  Store.call(this, options);
  this.prefix = options.prefix ?? 'sess:';
}
inherits(LegacyStore, Store);

const stores: Store[] = [new CallbackStore(), new PromiseStore(), new session.MemoryStore({ max: 10 })];
session({ secret: 's', store: stores[0] });
stores[0]!.on('disconnect', () => undefined);
void LegacyStore;

// A store's own tests hand it plain cookie objects, as @types/express-session allows: only
// originalMaxAge is required, and a Cookie instance fits as well.
async function plainCookies(store: PromiseStore, callbackStore: CallbackStore): Promise<void> {
  const expires = new Date(Date.now() + 60_000);
  await store.set('a', { cookie: { originalMaxAge: null } });
  await store.set('b', { cookie: { originalMaxAge: null, expires } });
  await store.set('c', { cookie: { originalMaxAge: 60_000, expires, maxAge: 60_000, path: '/', httpOnly: true, secure: false, sameSite: 'lax', domain: 'example.com' } });
  await store.set('d', { cookie: new session.Cookie({ maxAge: 1000 }) });
  callbackStore.touch('a', { cookie: { originalMaxAge: null, expires } });
  const fromJson: SessionData = JSON.parse('{"cookie":{"originalMaxAge":null}}') as SessionData;
  const stored = await store.get('b');
  const storedExpiry: Date | null | undefined = stored?.cookie.expires;
  void fromJson;
  void storedExpiry;
  // @ts-expect-error originalMaxAge is the one required cookie field
  await store.set('e', { cookie: {} });
  // @ts-expect-error a session needs its cookie
  await store.set('f', {});
  // @ts-expect-error cookie fields keep their types
  await store.set('g', { cookie: { originalMaxAge: '1h' } });
}
void plainCookies;
