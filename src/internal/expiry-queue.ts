/**
 * (time, session id) pairs as a binary min-heap, so that a sweep costs in proportion to what
 * expired. Entries are hints: the store checks each popped id against the session it holds.
 * Two parallel arrays, 16 bytes per entry; popping does not shrink them (see `sweep`).
 */
export class ExpiryQueue {
  private times: number[] = [];
  private ids: string[] = [];
  get size(): number { return this.times.length; }
  peekTime(): number { return this.times[0] ?? Infinity; }
  clear(): void { this.times = []; this.ids = []; }

  push(time: number, id: string): void {
    let index = this.times.length;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.times[parent]! <= time) break;
      this.times[index] = this.times[parent]!;
      this.ids[index] = this.ids[parent]!;
      index = parent;
    }
    this.times[index] = time;
    this.ids[index] = id;
  }

  /** Remove and return the id with the earliest time; check `peekTime()` first. */
  pop(): string {
    const top = this.ids[0]!;
    const time = this.times.pop()!;
    const id = this.ids.pop()!;
    const length = this.times.length;
    if (length === 0) return top;
    let index = 0;
    for (let child = 1; child < length; index = child, child = 2 * index + 1) {
      if (child + 1 < length && this.times[child + 1]! < this.times[child]!) child++;
      if (this.times[child]! >= time) break;
      this.times[index] = this.times[child]!;
      this.ids[index] = this.ids[child]!;
    }
    this.times[index] = time;
    this.ids[index] = id;
    return top;
  }
}
