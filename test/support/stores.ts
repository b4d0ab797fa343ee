import session = require('../../src/index');

type SessionData = session.SessionData;

/** A MemoryStore that counts calls, so tests can tell a save from a touch from nothing. */
export class CountingStore extends session.MemoryStore {
  calls = { get: 0, set: 0, touch: 0, destroy: 0 };

  override get(sid: string, callback: (err: unknown, s?: SessionData | null) => void): void {
    this.calls.get++;
    super.get(sid, callback);
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    this.calls.set++;
    super.set(sid, data, callback);
  }

  override touch(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    this.calls.touch++;
    super.touch(sid, data, callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.calls.destroy++;
    super.destroy(sid, callback);
  }

  /** The stored copy, as a store client would get it. */
  read(sid: string): Promise<SessionData | null | undefined> {
    return new Promise((resolve, reject) => this.get(sid, (err, s) => (err ? reject(err) : resolve(s))));
  }

  count(): Promise<number> {
    return new Promise((resolve, reject) => this.length((err, n) => (err ? reject(err) : resolve(n ?? 0))));
  }

  reset(): void {
    this.calls = { get: 0, set: 0, touch: 0, destroy: 0 };
  }
}

/** The session id inside a `connect.sid=s%3A<id>.<mac>` pair. */
export function sessionIdOf(pair: string | undefined): string | undefined {
  if (!pair) return undefined;
  const value = decodeURIComponent(pair.slice(pair.indexOf('=') + 1));
  return value.startsWith('s:') ? value.slice(2, value.lastIndexOf('.')) : undefined;
}
