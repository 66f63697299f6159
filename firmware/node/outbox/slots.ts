/**
 * The outbox's RAM index: `size` slots in typed arrays allocated once, one doubly linked FIFO list per
 * priority class (oldest first), and a free list. Linking, unlinking and finding the next frame to send
 * allocate nothing.
 *
 * Ids: `slot + size * generation`. A slot's generation goes up each time it is freed, so a stale id (an
 * acknowledged or shed frame's) never names the frame that reuses the slot.
 */
import { OutboxError, PRIORITY_CLASSES, recordBytes } from "./layout.js";

export const NIL = -1;

export class Slots {
  readonly size: number;
  readonly seq: Uint32Array;
  /** Offset of the record in the flash region. */
  readonly loc: Uint32Array;
  /** Frame byte length; 0 = free slot. */
  readonly len: Uint16Array;
  readonly prio: Uint8Array;
  readonly counter: Uint32Array;
  readonly gen: Uint16Array;
  readonly inFlight: Uint8Array;
  readonly next: Int16Array;
  readonly prev: Int16Array;
  readonly classHead = new Int16Array(PRIORITY_CLASSES).fill(NIL);
  readonly classTail = new Int16Array(PRIORITY_CLASSES).fill(NIL);
  readonly classCount = new Uint32Array(PRIORITY_CLASSES);
  freeSlot = 0;
  depth = 0;
  /** Flash bytes of the waiting records. */
  liveBytes = 0;
  inFlightCount = 0;

  constructor(size: number) {
    this.size = size;
    this.seq = new Uint32Array(size);
    this.loc = new Uint32Array(size);
    this.len = new Uint16Array(size);
    this.prio = new Uint8Array(size);
    this.counter = new Uint32Array(size);
    this.gen = new Uint16Array(size);
    this.inFlight = new Uint8Array(size);
    this.next = new Int16Array(size);
    this.prev = new Int16Array(size);
    for (let i = 0; i < size; i++) this.next[i] = i + 1 < size ? i + 1 : NIL;
  }

  idOf(slot: number): number {
    return slot + this.size * this.gen[slot]!;
  }

  /** Slot of the waiting frame with this id, or -1 (gone, or never issued). */
  slotOf(id: number): number {
    if (!Number.isInteger(id) || id < 0) {
      throw new OutboxError("bad-id", `an outbox id is an integer >= 0, got ${id}`, id);
    }
    const slot = id % this.size;
    if ((id - slot) / this.size !== this.gen[slot] || this.len[slot] === 0) return -1;
    return slot;
  }

  mustSlot(id: number): number {
    const s = this.slotOf(id);
    if (s < 0) throw new OutboxError("bad-id", `outbox id ${id} is not waiting (acknowledged or shed)`, id);
    return s;
  }

  /** Puts a frame in the free slot at the tail of its class (callers append in seq order). Returns its id. */
  link(seq: number, loc: number, len: number, priority: number, counter: number): number {
    const slot = this.freeSlot;
    this.freeSlot = this.next[slot]!;
    this.seq[slot] = seq;
    this.loc[slot] = loc;
    this.len[slot] = len;
    this.prio[slot] = priority;
    this.counter[slot] = counter;
    this.inFlight[slot] = 0;
    const tail = this.classTail[priority]!;
    this.next[slot] = NIL;
    this.prev[slot] = tail;
    if (tail === NIL) this.classHead[priority] = slot;
    else this.next[tail] = slot;
    this.classTail[priority] = slot;
    this.classCount[priority]!++;
    this.depth++;
    this.liveBytes += recordBytes(len);
    return this.idOf(slot);
  }

  unlink(slot: number): void {
    const c = this.prio[slot]!;
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p === NIL) this.classHead[c] = n;
    else this.next[p] = n;
    if (n === NIL) this.classTail[c] = p;
    else this.prev[n] = p;
    this.classCount[c]!--;
    this.depth--;
    this.liveBytes -= recordBytes(this.len[slot]!);
    if (this.inFlight[slot]) this.inFlightCount--;
    this.inFlight[slot] = 0;
    this.len[slot] = 0;
    this.gen[slot] = (this.gen[slot]! + 1) & 0xffff;
    this.next[slot] = this.freeSlot;
    this.freeSlot = slot;
  }

  /** The oldest waiting slot of the most urgent class that is not in flight, or NIL. */
  sendable(): number {
    for (let c = 0; c < PRIORITY_CLASSES; c++) {
      for (let s = this.classHead[c]!; s !== NIL; s = this.next[s]!) {
        if (this.inFlight[s] === 0) return s;
      }
    }
    return NIL;
  }

  /** The least urgent class that has a waiting frame, or -1. */
  leastUrgentClass(): number {
    let c = PRIORITY_CLASSES - 1;
    while (c >= 0 && this.classHead[c] === NIL) c--;
    return c;
  }
}
