import type { Clock, TimerId } from "../firmware/node/clock.js";

/**
 * Discrete-event virtual clock. Time only moves when the simulator advances it, jumping from one event to
 * the next, so a node-day replays in seconds and a run is deterministic: events at the same instant run in
 * the order they were scheduled (a sequence number breaks ties).
 */
interface Entry {
  at: number;
  seq: number;
  id: TimerId;
  repeatMs: number;
  callback: () => void;
}

export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #nextId = 1;
  #heap: Entry[] = [];
  #live = new Map<TimerId, Entry>();

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number, repeatMs?: number): TimerId {
    if (!(delayMs >= 0) || !Number.isFinite(delayMs)) {
      throw new RangeError(`timer delay must be a finite number >= 0 ms, got ${delayMs}`);
    }
    if (repeatMs !== undefined && !(repeatMs > 0)) {
      throw new RangeError(`timer repeat must be > 0 ms, got ${repeatMs}`);
    }
    const id = this.#nextId++;
    const entry: Entry = { at: this.#now + delayMs, seq: this.#seq++, id, repeatMs: repeatMs ?? 0, callback };
    this.#live.set(id, entry);
    this.#push(entry);
    return id;
  }

  /** Schedules at an absolute time (clamped to now). */
  at(timeMs: number, callback: () => void): TimerId {
    return this.setTimer(callback, Math.max(0, timeMs - this.#now));
  }

  clearTimer(id: TimerId): void {
    this.#live.delete(id);
  }

  /** Time of the next pending event, or undefined when idle. */
  peek(): number | undefined {
    this.#dropDead();
    return this.#heap[0]?.at;
  }

  get pending(): number {
    return this.#live.size;
  }

  /** Runs the next event; returns false when there is none. */
  step(): boolean {
    this.#dropDead();
    const entry = this.#pop();
    if (!entry) return false;
    this.#now = entry.at;
    if (entry.repeatMs > 0) {
      entry.at += entry.repeatMs;
      entry.seq = this.#seq++;
      this.#push(entry);
    } else {
      this.#live.delete(entry.id);
    }
    entry.callback();
    return true;
  }

  /** Runs every event due at or before `timeMs`, then sets the clock to `timeMs`. */
  runUntil(timeMs: number): void {
    for (;;) {
      const next = this.peek();
      if (next === undefined || next > timeMs) break;
      this.step();
    }
    if (timeMs > this.#now) this.#now = timeMs;
  }

  /** Advances by `ms` (runs everything due in between). */
  advance(ms: number): void {
    this.runUntil(this.#now + ms);
  }

  #dropDead(): void {
    while (this.#heap.length > 0 && this.#live.get(this.#heap[0]!.id) !== this.#heap[0]) this.#pop();
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      const t = h[i]!;
      h[i] = h[p]!;
      h[p] = t;
      i = p;
    }
  }

  #pop(): Entry | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        const t = h[i]!;
        h[i] = h[m]!;
        h[m] = t;
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
