/**
 * A fixed-size outbox of preallocated records. Writing copies into the next slot; reading copies into the
 * caller's record; nothing is allocated after construction. When the reader falls behind, the oldest
 * record is overwritten and counted in `dropped` (loss is reported, never silent).
 */
export interface Copyable<T> {
  copyFrom(o: T): T;
}

export class OutQueue<T extends Copyable<T>> {
  #slots: T[] = [];
  #head = 0;
  #count = 0;
  dropped = 0;

  constructor(capacity: number, make: () => T) {
    for (let i = 0; i < capacity; i++) this.#slots.push(make());
  }

  get count(): number {
    return this.#count;
  }

  get capacity(): number {
    return this.#slots.length;
  }

  /** The slot to write the next record into (already counted as queued). */
  slot(): T {
    const cap = this.#slots.length;
    if (this.#count === cap) {
      this.dropped++;
      this.#head = (this.#head + 1) % cap;
      this.#count--;
    }
    const s = this.#slots[(this.#head + this.#count) % cap]!;
    this.#count++;
    return s;
  }

  put(record: T): void {
    this.slot().copyFrom(record);
  }

  take(out: T): boolean {
    if (this.#count === 0) return false;
    out.copyFrom(this.#slots[this.#head]!);
    this.#head = (this.#head + 1) % this.#slots.length;
    this.#count--;
    return true;
  }
}
