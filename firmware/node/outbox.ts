/**
 * The node's outbox: frames wait here, on flash, until a transport reports them acknowledged (MQTT PUBACK,
 * a LoRaWAN confirmed uplink's ack, or a collector ack downlink). It survives a power cut at any flash write:
 * after reboot every acknowledged frame is gone, every other frame is still waiting (or was shed by the
 * capacity policy, which the status frame reports), and a frame sent twice carries the same counter both
 * times, so the collector can drop the second copy.
 *
 * Flash: an append-only log of CRC-protected records in a ring of erase blocks; the layout is documented in
 * ./outbox/layout.ts, the boot scan in ./outbox/recovery.ts. RAM: a fixed index of `maxRecords` slots in
 * typed arrays, allocated once, with one FIFO list per priority class (./outbox/slots.ts).
 *
 * Reclamation. Records are appended to the newest sector (the head). When it is full the next free sector
 * becomes the head (erased first if needed, then its header is written). If that used the last free sector,
 * the oldest sector (the tail) is reclaimed at once: its waiting records are copied into the new head (same
 * bytes, same seq), then the head's floor is written ("sectors older than the tail are dead"), then the tail
 * is erased. So after every completed operation at least one sector is free, and a cut in the middle of a
 * reclamation is recognised at boot (no free sector: the newest one is an unfinished copy, dropped).
 * Copying moves each sector's waiting bytes into a fresh one; with waiting bytes capped at
 * (sectors - 2) x (sector data bytes - largest record), some sector among them has room for the largest
 * record, so an append finishes within `sectors - 1` reclamations.
 *
 * Capacity policy (applied before an append when the slots or the byte budget are used up): shed the oldest
 * frame of the least urgent class present (telemetry first, then birth, status, event, alarm last); if the
 * new frame is less urgent than every waiting frame, the new frame is refused instead (`append` returns
 * REFUSED). An alarm therefore never goes while anything else can. Shedding writes the record's state byte;
 * sheds and refusals are counted per class (`overflow`) for the status frame.
 *
 * Sending: `next()` gives the most urgent, oldest waiting frame not already in flight; `markSent(id)` puts it
 * in flight (in RAM only: after a reboot everything waiting is sent again, with its own counter), `ack(id)`
 * makes it gone for good, `requeue(id)` / `requeueAll()` make in-flight frames sendable again (lost
 * connection). Appends and acks allocate nothing; reading a frame's bytes allocates the buffer that
 * Moddable's flash.read returns.
 *
 * Observers: whoever wants to know what happens to frames (the simulator's probe, a diagnostics task)
 * builds an `ObservedOutbox` with an `OutboxListener`: told of every frame built (stored or refused), handed
 * to a transport and acknowledged, allocation-free, the listener held by the outbox (no module-level state,
 * so the module can be preloaded). A subclass, so that an outbox nobody observes pays nothing for it.
 */
import { crc32 } from "../../protocol/checksums.js";
import {
  FLOOR_AT,
  type FlashRegion,
  OutboxError,
  PRIORITY_CLASSES,
  type Priority,
  RECORD_HEADER_BYTES,
  RECORD_MAGIC,
  recordBytes,
  SECTOR_CRC_AT,
  SECTOR_HEADER_BYTES,
  SECTOR_MAGIC,
  STATE_ACKED,
  STATE_AT,
  STATE_SHED,
} from "./outbox/layout.js";
import { type Recovery, recover, SECTOR_DIRTY, SECTOR_ERASED, SECTOR_USED } from "./outbox/recovery.js";
import { NIL, Slots } from "./outbox/slots.js";

export type { FlashRegion, OutboxErrorCode } from "./outbox/layout.js";
export { OutboxError, PRIORITY_CLASSES, PRIORITY_NAMES, Priority } from "./outbox/layout.js";

/**
 * Told what happens to each frame, synchronously, in the order it happens. `frame` is the caller's buffer,
 * valid only during the call: copy what you keep. A listener must not throw nor call back into the outbox.
 */
export interface OutboxListener {
  /** `append` stored a frame under `id`, or the capacity policy refused it (`id` = REFUSED). */
  built(id: number, frame: Uint8Array, priority: Priority, counter: number): void;
  /** `markSent` put a frame in flight on the transport named `via` ("" when the caller named none). */
  sent(id: number, counter: number, via: string): void;
  /** `ack` removed a frame for good (its last moment: `counter` is still given). */
  acknowledged(id: number, counter: number): void;
}

/** `append` result when the capacity policy refused the new frame (it is counted in `overflow`). */
export const REFUSED = -1;
/** `next` result when nothing is waiting. */
export const NONE = -1;

export interface OutboxOptions {
  /** RAM index slots = most frames waiting at once (default 256; 1..16384). ~20 bytes of RAM each. */
  maxRecords?: number;
  /** Largest frame accepted, in bytes (default 256). A record must fit in half a sector. */
  maxPayloadBytes?: number;
  /** Called just before a waiting frame is shed by the capacity policy (not for refused new frames). */
  onShed?: (counter: number, priority: Priority) => void;
}

export class Outbox {
  readonly sectors: number;
  readonly blockSize: number;
  readonly maxRecords: number;
  readonly maxPayloadBytes: number;
  /** Waiting bytes allowed on flash (records incl. headers), see the reclamation note above. */
  readonly capacityBytes: number;
  #flash: FlashRegion;
  #onShed: ((counter: number, priority: Priority) => void) | undefined;
  // Sectors.
  #secState: Uint8Array;
  #secSeq: Uint32Array;
  #secWrite: Uint32Array;
  #head: number;
  #nextSectorSeq: number;
  #slots: Slots;
  #nextSeq: number;
  // Counters for the status frame.
  #overflow = new Uint32Array(PRIORITY_CLASSES);
  #refused = 0;
  #erases = 0;
  #copied = 0;
  #failure: unknown;
  readonly recoveredRecords: number;
  readonly tornRecords: number;
  readonly droppedSector: number;
  // One staging buffer for every write (a record, a sector header, a floor, a state byte).
  #stage: ArrayBuffer;
  #stageBytes: Uint8Array;
  #stageView: DataView;

  constructor(flash: FlashRegion, options: OutboxOptions = {}) {
    const blockSize = flash.blockSize;
    const sectors = flash.byteLength / blockSize;
    const maxRecords = options.maxRecords ?? 256;
    const maxPayloadBytes = options.maxPayloadBytes ?? 256;
    if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 16384) {
      throw new OutboxError(
        "bad-option",
        `maxRecords must be an integer in 1..16384, got ${maxRecords}`,
        maxRecords,
      );
    }
    if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 1 || maxPayloadBytes > 65535) {
      throw new OutboxError(
        "bad-option",
        `maxPayloadBytes must be an integer in 1..65535, got ${maxPayloadBytes}`,
        maxPayloadBytes,
      );
    }
    if (!Number.isInteger(blockSize) || blockSize % 4 !== 0) {
      throw new OutboxError(
        "bad-geometry",
        `the sector size must be a multiple of 4 bytes, got ${blockSize}`,
        blockSize,
      );
    }
    if (!Number.isInteger(sectors) || sectors < 3) {
      throw new OutboxError(
        "bad-geometry",
        `the outbox needs at least 3 whole sectors of ${blockSize} bytes, the region has ${flash.byteLength} bytes`,
        flash.byteLength,
      );
    }
    const dataBytes = blockSize - SECTOR_HEADER_BYTES;
    const largest = recordBytes(maxPayloadBytes);
    if (largest * 2 > dataBytes) {
      throw new OutboxError(
        "bad-geometry",
        `a ${maxPayloadBytes}-byte frame needs a ${largest}-byte record, more than half of a ${blockSize}-byte sector`,
        maxPayloadBytes,
      );
    }
    this.#flash = flash;
    this.sectors = sectors;
    this.blockSize = blockSize;
    this.maxRecords = maxRecords;
    this.maxPayloadBytes = maxPayloadBytes;
    this.capacityBytes = (sectors - 2) * (dataBytes - largest);
    this.#onShed = options.onShed;
    this.#slots = new Slots(maxRecords);
    this.#stage = new ArrayBuffer(Math.max(largest, SECTOR_HEADER_BYTES));
    this.#stageBytes = new Uint8Array(this.#stage);
    this.#stageView = new DataView(this.#stage);

    const r: Recovery = recover(flash, sectors, blockSize);
    this.#secState = r.sectorState;
    this.#secSeq = r.sectorSeq;
    this.#secWrite = r.sectorWrite;
    this.#head = r.head;
    this.#nextSectorSeq = r.nextSectorSeq;
    this.#nextSeq = r.nextSeq;
    this.tornRecords = r.tornRecords;
    this.droppedSector = r.droppedSector;
    for (const rec of r.records) {
      // More waiting records than slots (maxRecords was lowered): shed by the same policy.
      if (this.#slots.freeSlot === NIL) this.#shedOne(0);
      this.#slots.link(rec.seq, rec.offset, rec.frameBytes, rec.priority, rec.counter);
    }
    this.recoveredRecords = this.#slots.depth;
  }

  // ---- appending -------------------------------------------------------------------------------------------

  /**
   * Stores a frame durably; returns its id, or REFUSED when the capacity policy drops this new frame.
   * Throws OutboxError for a frame that can never be stored (empty, larger than maxPayloadBytes) and for a
   * bad priority or counter. Flash errors (e.g. a power loss) propagate: the frame may then or may not be
   * on flash, and the outbox must be rebuilt (reboot).
   */
  append(frame: Uint8Array, priority: Priority, counter: number): number {
    if (!(frame instanceof Uint8Array) || frame.length === 0) {
      throw new OutboxError("bad-frame", "a frame must be a non-empty Uint8Array", frame);
    }
    const n = frame.length;
    if (n > this.maxPayloadBytes) {
      throw new OutboxError(
        "frame-too-large",
        `a ${n}-byte frame exceeds the outbox's ${this.maxPayloadBytes}-byte limit`,
        n,
      );
    }
    if (!Number.isInteger(priority) || priority < 0 || priority >= PRIORITY_CLASSES) {
      throw new OutboxError(
        "bad-priority",
        `priority class must be an integer in 0..4, got ${priority}`,
        priority,
      );
    }
    if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) {
      throw new OutboxError(
        "bad-counter",
        `frame counter must be an integer in 0..4294967295, got ${counter}`,
        counter,
      );
    }
    this.#usable();
    try {
      return this.#store(frame, priority, counter);
    } catch (e) {
      this.#failure = e;
      throw e;
    }
  }

  #store(frame: Uint8Array, priority: Priority, counter: number): number {
    const n = frame.length;
    const size = recordBytes(n);
    const slots = this.#slots;
    while (slots.freeSlot === NIL || slots.liveBytes + size > this.capacityBytes) {
      if (!this.#shedOne(priority)) {
        this.#overflow[priority]!++;
        this.#refused++;
        return REFUSED;
      }
    }
    let opened = 0;
    while (this.#head < 0 || this.#secWrite[this.#head]! + size > this.blockSize) {
      if (++opened > this.sectors) {
        throw new OutboxError(
          "internal",
          "no sector could take the record after a full reclamation cycle",
          size,
        );
      }
      this.#openHead();
    }
    const seq = this.#nextSeq;
    const at = this.#head * this.blockSize + this.#secWrite[this.#head]!;
    const b = this.#stageBytes;
    const v = this.#stageView;
    b.fill(0xff, 0, size);
    b[0] = RECORD_MAGIC;
    b[2] = priority;
    v.setUint16(4, n, true);
    v.setUint32(8, seq, true);
    v.setUint32(12, counter, true);
    const hcrc = crc32(b, 2, 16, crc32(b, 0, 1));
    v.setUint32(16, hcrc, true);
    b.set(frame, RECORD_HEADER_BYTES);
    v.setUint32(RECORD_HEADER_BYTES + n, crc32(frame, 0, n, hcrc), true);
    this.#flash.write(at, size, this.#stage);
    this.#secWrite[this.#head]! += size;
    this.#nextSeq = (seq + 1) >>> 0;
    return slots.link(seq, at, n, priority, counter);
  }

  // ---- sending ---------------------------------------------------------------------------------------------

  /** Id of the most urgent, oldest waiting frame that is not in flight, or NONE. */
  next(): number {
    const s = this.#slots.sendable();
    return s === NIL ? NONE : this.#slots.idOf(s);
  }

  /**
   * Marks a frame as handed to a transport; `next()` skips it until ack, requeue or reboot. `via` names the
   * transport for an observed outbox (ObservedOutbox).
   */
  markSent(id: number, _via?: string): boolean {
    const slots = this.#slots;
    const s = slots.slotOf(id);
    if (s < 0 || slots.inFlight[s]) return false;
    slots.inFlight[s] = 1;
    slots.inFlightCount++;
    return true;
  }

  requeue(id: number): boolean {
    const slots = this.#slots;
    const s = slots.slotOf(id);
    if (s < 0 || !slots.inFlight[s]) return false;
    slots.inFlight[s] = 0;
    slots.inFlightCount--;
    return true;
  }

  requeueAll(): void {
    this.#slots.inFlight.fill(0);
    this.#slots.inFlightCount = 0;
  }

  /**
   * The frame was acknowledged: it is removed for good (durably, before this returns). Returns false for an
   * id that is no longer waiting (acknowledged already, shed): a duplicate PUBACK is harmless.
   */
  ack(id: number): boolean {
    const s = this.#slots.slotOf(id);
    if (s < 0) return false;
    this.#usable();
    try {
      this.#writeState(this.#slots.loc[s]!, STATE_ACKED);
    } catch (e) {
      this.#failure = e;
      throw e;
    }
    this.#slots.unlink(s);
    return true;
  }

  /**
   * True after a flash operation failed (a power loss, a flash error): RAM may no longer match flash, so
   * append and ack refuse ("flash-failed") until the outbox is rebuilt from flash (`new Outbox`).
   */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  #usable(): void {
    if (this.#failure !== undefined) {
      throw new OutboxError(
        "flash-failed",
        "a flash operation failed earlier; rebuild the outbox from flash (new Outbox) before using it",
        this.#failure,
      );
    }
  }

  /** True while the frame with this id is waiting (not acknowledged, not shed). */
  has(id: number): boolean {
    return this.#slots.slotOf(id) >= 0;
  }

  counterOf(id: number): number {
    return this.#slots.counter[this.#slots.mustSlot(id)]!;
  }

  priorityOf(id: number): Priority {
    return this.#slots.prio[this.#slots.mustSlot(id)]! as Priority;
  }

  byteLengthOf(id: number): number {
    return this.#slots.len[this.#slots.mustSlot(id)]!;
  }

  /** The record seq (its identity on flash, increasing with every append). */
  seqOf(id: number): number {
    return this.#slots.seq[this.#slots.mustSlot(id)]!;
  }

  /** The frame's bytes, read from flash (a fresh buffer, as Moddable's flash.read returns). */
  frameBytes(id: number): Uint8Array {
    const slots = this.#slots;
    const s = slots.mustSlot(id);
    return new Uint8Array(this.#flash.read(slots.loc[s]! + RECORD_HEADER_BYTES, slots.len[s]!));
  }

  /** Ids of all waiting frames in sending order (allocates: for the console and tests). */
  waitingIds(): number[] {
    const slots = this.#slots;
    const out: number[] = [];
    for (let c = 0; c < PRIORITY_CLASSES; c++) {
      for (let s = slots.classHead[c]!; s !== NIL; s = slots.next[s]!) out.push(slots.idOf(s));
    }
    return out;
  }

  // ---- health / status -------------------------------------------------------------------------------------

  /** Frames waiting (in flight included). */
  get depth(): number {
    return this.#slots.depth;
  }
  depthOf(priority: Priority): number {
    return this.#slots.classCount[priority] ?? 0;
  }
  get inFlight(): number {
    return this.#slots.inFlightCount;
  }
  /** Flash bytes held by waiting records. */
  get liveBytes(): number {
    return this.#slots.liveBytes;
  }
  /** Frames of this class lost to the capacity policy since boot (shed while waiting, or refused). */
  overflow(priority: Priority): number {
    return this.#overflow[priority] ?? 0;
  }
  get overflowTotal(): number {
    let t = 0;
    for (let c = 0; c < PRIORITY_CLASSES; c++) t += this.#overflow[c]!;
    return t;
  }
  /** New frames refused by the capacity policy since boot (included in overflow). */
  get refused(): number {
    return this.#refused;
  }
  /** Sector erases since boot (flash wear). */
  get erases(): number {
    return this.#erases;
  }
  /** Records copied forward by reclamation since boot. */
  get copiedRecords(): number {
    return this.#copied;
  }

  // ---- internals -------------------------------------------------------------------------------------------

  /** Sheds the oldest frame of the least urgent class, unless the incoming class is less urgent. */
  #shedOne(incoming: number): boolean {
    const slots = this.#slots;
    const c = slots.leastUrgentClass();
    if (c < incoming) return false;
    const slot = slots.classHead[c]!;
    this.#onShed?.(slots.counter[slot]!, c as Priority);
    this.#writeState(slots.loc[slot]!, STATE_SHED);
    this.#overflow[c]!++;
    slots.unlink(slot);
    return true;
  }

  #writeState(loc: number, state: number): void {
    this.#stageBytes[0] = state;
    this.#flash.write(loc + STATE_AT, 1, this.#stage);
  }

  #openHead(): void {
    const n = this.sectors;
    const from = this.#head < 0 ? n - 1 : this.#head;
    let s = -1;
    for (let i = 1; i <= n; i++) {
      const c = (from + i) % n;
      if (this.#secState[c] !== SECTOR_USED) {
        s = c;
        break;
      }
    }
    if (s < 0) throw new OutboxError("internal", "no free sector (a reclamation did not complete)", n);
    if (this.#secState[s] === SECTOR_DIRTY) this.#erase(s);
    const seq = this.#nextSectorSeq;
    const b = this.#stageBytes;
    const v = this.#stageView;
    b.fill(0xff, 0, SECTOR_HEADER_BYTES);
    v.setUint32(0, SECTOR_MAGIC, true);
    v.setUint32(4, seq, true);
    v.setUint32(SECTOR_CRC_AT, crc32(b, 0, SECTOR_CRC_AT), true);
    this.#flash.write(s * this.blockSize, SECTOR_HEADER_BYTES, this.#stage);
    this.#nextSectorSeq = (seq + 1) >>> 0;
    this.#secState[s] = SECTOR_USED;
    this.#secSeq[s] = seq;
    this.#secWrite[s] = SECTOR_HEADER_BYTES;
    this.#head = s;
    for (let i = 0; i < n; i++) if (this.#secState[i] !== SECTOR_USED) return;
    this.#reclaimTail(crc32(b, 0, SECTOR_CRC_AT));
  }

  /** Copies the oldest sector's waiting records into the (fresh) head, writes the floor, erases it. */
  #reclaimTail(headCrc: number): void {
    let tail = -1;
    for (let i = 0; i < this.sectors; i++) {
      if (i !== this.#head && this.#secState[i] === SECTOR_USED) {
        if (tail < 0 || this.#secSeq[i]! < this.#secSeq[tail]!) tail = i;
      }
    }
    const start = tail * this.blockSize;
    const end = start + this.blockSize;
    const h = this.#head;
    const slots = this.#slots;
    for (let slot = 0; slot < this.maxRecords; slot++) {
      const loc = slots.loc[slot]!;
      if (slots.len[slot] === 0 || loc < start || loc >= end) continue;
      const size = recordBytes(slots.len[slot]!);
      if (this.#secWrite[h]! + size > this.blockSize) {
        throw new OutboxError("internal", "a reclaimed sector's records do not fit in a fresh sector", size);
      }
      const to = h * this.blockSize + this.#secWrite[h]!;
      this.#flash.write(to, size, this.#flash.read(loc, size));
      this.#secWrite[h]! += size;
      slots.loc[slot] = to;
      this.#copied++;
    }
    const v = this.#stageView;
    v.setUint32(0, this.#secSeq[tail]! + 1, true);
    v.setUint32(4, crc32(this.#stageBytes, 0, 4, headCrc), true);
    this.#flash.write(h * this.blockSize + FLOOR_AT, 8, this.#stage);
    this.#erase(tail);
  }

  #erase(sector: number): void {
    this.#flash.erase(sector);
    this.#erases++;
    this.#secState[sector] = SECTOR_ERASED;
  }
}

/** An outbox that tells `listener` what happens to each frame (see the file comment). */
export class ObservedOutbox extends Outbox {
  readonly #listener: OutboxListener;

  constructor(flash: FlashRegion, options: OutboxOptions, listener: OutboxListener) {
    super(flash, options);
    this.#listener = listener;
  }

  override append(frame: Uint8Array, priority: Priority, counter: number): number {
    const id = super.append(frame, priority, counter);
    this.#listener.built(id, frame, priority, counter);
    return id;
  }

  override markSent(id: number, via = ""): boolean {
    if (!super.markSent(id, via)) return false;
    this.#listener.sent(id, this.counterOf(id), via);
    return true;
  }

  override ack(id: number): boolean {
    const counter = this.has(id) ? this.counterOf(id) : 0;
    if (!super.ack(id)) return false;
    this.#listener.acknowledged(id, counter);
    return true;
  }
}

export { SECTOR_DIRTY, SECTOR_ERASED, SECTOR_USED };
