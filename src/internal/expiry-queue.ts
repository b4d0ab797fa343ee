/**
 * A binary min-heap of (expiry time, session id), so the sessions that have expired can be found
 * at a cost proportional to their number instead of scanning every session.
 *
 * Entries are hints, not the truth: the store checks each popped id against its record, so an
 * entry made stale by a destroy or a later expiry is harmless. Times and ids sit in two parallel
 * arrays (8 bytes each per entry, the times unboxed) rather than in an object per entry.
 */
export class ExpiryQueue {
  #times: number[] = [];
  #ids: string[] = [];
  /** Longest the arrays have been since they were last reallocated. */
  #highWater = 0;

  get size(): number {
    return this.#times.length;
  }

  /** Earliest time in the queue, or Infinity when it is empty. */
  peekTime(): number {
    return this.#times.length === 0 ? Infinity : this.#times[0]!;
  }

  push(time: number, id: string): void {
    const times = this.#times;
    const ids = this.#ids;
    let index = times.length;
    times.push(time);
    ids.push(id);
    if (times.length > this.#highWater) this.#highWater = times.length;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (times[parent]! <= time) break;
      times[index] = times[parent]!;
      ids[index] = ids[parent]!;
      index = parent;
    }
    times[index] = time;
    ids[index] = id;
  }

  /** Remove and return the id with the earliest time; the caller checks `peekTime()` first. */
  pop(): string {
    const times = this.#times;
    const ids = this.#ids;
    const top = ids[0]!;
    const lastTime = times.pop()!;
    const lastId = ids.pop()!;
    const length = times.length;
    if (length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= length) break;
        const right = left + 1;
        const child = right < length && times[right]! < times[left]! ? right : left;
        if (times[child]! >= lastTime) break;
        times[index] = times[child]!;
        ids[index] = ids[child]!;
        index = child;
      }
      times[index] = lastTime;
      ids[index] = lastId;
    }
    // Arrays keep the capacity of their longest length; after a flood has expired, give the
    // memory back. Copying when a quarter is left keeps the cost amortised O(1) per pop.
    if (length < this.#highWater >> 2 && this.#highWater > 1024) this.#reallocate();
    return top;
  }

  clear(): void {
    this.#times = [];
    this.#ids = [];
    this.#highWater = 0;
  }

  #reallocate(): void {
    this.#times = this.#times.slice();
    this.#ids = this.#ids.slice();
    this.#highWater = this.#times.length;
  }
}
