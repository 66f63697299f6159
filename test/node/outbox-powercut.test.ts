/**
 * The power-cut test (issue 5): a deterministic workload of appends of mixed priority, sends, acks, lost
 * acks and an outage (so the ring wraps, sectors are reclaimed and telemetry is shed) runs over the
 * simulator's NOR flash; for EVERY mutating flash operation k of that run, a fresh run is cut at k (the
 * tear shaped by a seeded PRNG), the node reboots (a new Outbox over the same flash) and we prove:
 *
 * - every frame whose ack had been recorded (ack() returned) is gone and is never delivered again;
 * - every frame that was stored (append() returned an id) and neither acknowledged nor shed is still
 *   waiting, with its bytes, priority and counter intact; only the append or ack cut mid-way may go either
 *   way, and a frame being shed may stay;
 * - nothing unknown appears, waiting frames come out in priority then age order, and a frame delivered
 *   twice (sent before the cut, not yet acknowledged) has the same counter and bytes both times, so the
 *   collector can drop the second copy;
 * - the outbox keeps working: the workload goes on after recovery (every fifth run is cut a second time
 *   and recovers again), then everything is drained, and every stored, unshed frame reached the collector.
 *
 * A failure names the cut index and the seed, which replay the exact run.
 */
import { describe, expect, it } from "vitest";
import { NONE, Outbox, type OutboxOptions, Priority, REFUSED } from "../../firmware/node/outbox.js";
import { FlashModel, isPowerLost } from "../../host-sim/flash.js";
import { Prng } from "../../host-sim/prng.js";

const OPTIONS: OutboxOptions = { maxRecords: 24, maxPayloadBytes: 48 };
const RUN_STEPS = 420;
const AFTER_STEPS = 120;

interface Stored {
  bytes: Uint8Array;
  priority: number;
}

/** A cheap assertion (the test makes ~10^6 of them): the message is only built on failure. */
function check(ok: boolean, message: () => string): void {
  if (!ok) expect.fail(message());
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One node's life: the workload driver and the ground truth it can be sure of. */
class Life {
  readonly flash: FlashModel;
  readonly prng: Prng;
  box: Outbox;
  nextCounter = 1;
  step = 0;
  /** append() returned an id. */
  readonly stored = new Map<number, Stored>();
  /** ack() returned: must never be seen again. */
  readonly acked = new Set<number>();
  /** onShed was called: may be gone or waiting. */
  readonly shed = new Set<number>();
  readonly refused = new Set<number>();
  /** Collector receipts: counter -> times received. */
  readonly delivered = new Map<number, number>();
  inFlight: number[] = [];
  // The operation the cut interrupted.
  doubtAppend: { counter: number; stored: Stored } | undefined;
  doubtAck: number | undefined;
  log: string[] = [];

  constructor(
    readonly seed: number,
    sectors: number,
    blockSize: number,
  ) {
    this.flash = new FlashModel({ byteLength: sectors * blockSize, blockSize, strict: true });
    this.prng = new Prng(seed);
    this.box = this.open();
  }

  open(): Outbox {
    return new Outbox(this.flash, { ...OPTIONS, onShed: (counter) => this.shed.add(counter) });
  }

  /** One workload step; throws PowerLostError when the flash loses power. */
  runStep(outage: boolean): void {
    const p = this.prng;
    this.step++;
    const r = p.next();
    if (r < 0.45 || (outage && r < 0.9)) this.append();
    else if (r < 0.85 && !outage) this.send(p.chance(0.6));
    else if (this.inFlight.length > 0) {
      const i = p.int(0, this.inFlight.length - 1);
      const id = this.inFlight[i]!;
      this.inFlight.splice(i, 1);
      if (p.chance(0.8)) this.ack(id);
      else this.box.requeue(id); // the ack was lost: it will be sent again
    }
  }

  append(): void {
    const p = this.prng;
    const counter = this.nextCounter++;
    const u = p.next();
    const priority =
      u < 0.12
        ? Priority.Alarm
        : u < 0.27
          ? Priority.Event
          : u < 0.4
            ? Priority.Status
            : u < 0.45
              ? Priority.Birth
              : Priority.Telemetry;
    const bytes = new Uint8Array(p.int(6, 48));
    for (let i = 0; i < bytes.length; i++) bytes[i] = p.int(0, 255);
    new DataView(bytes.buffer).setUint32(0, counter, true);
    bytes[4] = priority;
    const stored = { bytes, priority };
    this.doubtAppend = { counter, stored };
    const id = this.box.append(bytes, priority, counter);
    this.doubtAppend = undefined;
    if (id === REFUSED) this.refused.add(counter);
    else this.stored.set(counter, stored);
  }

  send(ackNow: boolean): void {
    const id = this.box.next();
    if (id === NONE) return;
    const counter = this.box.counterOf(id);
    const bytes = this.box.frameBytes(id);
    this.deliver(counter, bytes);
    this.box.markSent(id);
    if (ackNow) this.ack(id);
    else this.inFlight.push(id);
  }

  ack(id: number): void {
    if (!this.box.has(id)) return; // shed while in flight (the outage): the late ack is ignored
    const counter = this.box.counterOf(id);
    this.doubtAck = counter;
    this.box.ack(id);
    this.doubtAck = undefined;
    this.acked.add(counter);
  }

  deliver(counter: number, bytes: Uint8Array): void {
    // The collector's view: the counter inside the frame is the one the outbox carried, and the same
    // counter always comes with the same bytes (so a second copy is a duplicate it can drop).
    const known =
      this.stored.get(counter) ??
      (this.doubtAppend?.counter === counter ? this.doubtAppend.stored : undefined);
    check(known !== undefined, () => `${this.where()}: unknown counter ${counter} delivered`);
    check(
      new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) === counter,
      () => `${this.where()}: counter`,
    );
    check(
      sameBytes(bytes, known!.bytes),
      () => `${this.where()}: frame ${counter} delivered with other bytes`,
    );
    check(!this.acked.has(counter), () => `${this.where()}: acknowledged frame ${counter} delivered again`);
    this.delivered.set(counter, (this.delivered.get(counter) ?? 0) + 1);
  }

  where(): string {
    return `seed ${this.seed}, ${this.log.join(", ")}, step ${this.step}`;
  }

  /** Power is back: a new outbox over the same flash; checks the invariants and settles the doubts. */
  reboot(): void {
    this.flash.reboot();
    this.box = this.open();
    this.inFlight = [];
    const w = () => this.where();
    const waiting = this.box.waitingIds().map((id) => ({
      id,
      counter: this.box.counterOf(id),
      priority: this.box.priorityOf(id),
      bytes: this.box.frameBytes(id),
    }));
    const seen = new Set<number>();
    let last: { priority: number; counter: number } | undefined;
    for (const f of waiting) {
      check(!seen.has(f.counter), () => `${w()}: counter ${f.counter} waiting twice`);
      seen.add(f.counter);
      check(!this.acked.has(f.counter), () => `${w()}: acknowledged frame ${f.counter} came back`);
      const known =
        this.stored.get(f.counter) ??
        (this.doubtAppend?.counter === f.counter ? this.doubtAppend.stored : undefined);
      check(known !== undefined, () => `${w()}: unknown frame ${f.counter} after recovery`);
      check(sameBytes(f.bytes, known!.bytes), () => `${w()}: frame ${f.counter} bytes changed`);
      check(f.priority === known!.priority, () => `${w()}: frame ${f.counter} priority changed`);
      if (last) {
        const inOrder =
          f.priority > last.priority || (f.priority === last.priority && f.counter > last.counter);
        check(inOrder, () => `${w()}: frame ${f.counter} out of order after ${last!.counter}`);
      }
      last = f;
    }
    for (const [counter] of this.stored) {
      if (this.acked.has(counter) || this.shed.has(counter) || counter === this.doubtAck) continue;
      check(seen.has(counter), () => `${w()}: stored, unacknowledged frame ${counter} lost`);
    }
    // Settle: an interrupted append that survived is stored; an interrupted ack that landed is an ack;
    // a shed frame that is still there will be sent.
    if (this.doubtAppend && seen.has(this.doubtAppend.counter)) {
      this.stored.set(this.doubtAppend.counter, this.doubtAppend.stored);
    }
    if (this.doubtAck !== undefined && !seen.has(this.doubtAck)) this.acked.add(this.doubtAck);
    for (const c of seen) this.shed.delete(c);
    this.doubtAppend = undefined;
    this.doubtAck = undefined;
    check(this.flash.overwriteAttempts === 0, () => `${w()}: a write needed an erase`);
  }

  /** Sends and acknowledges everything; then checks that every stored, unshed frame reached the collector. */
  drainAndCheck(): void {
    for (let id = this.box.next(); id !== NONE; id = this.box.next()) {
      this.deliver(this.box.counterOf(id), this.box.frameBytes(id));
      this.box.markSent(id);
      this.ack(id);
    }
    for (const id of this.inFlight) this.ack(id);
    this.inFlight = [];
    check(this.box.depth === 0, () => `${this.where()}: not drained`);
    for (const [counter] of this.stored) {
      if (this.shed.has(counter)) continue;
      check(this.delivered.has(counter), () => `${this.where()}: frame ${counter} never delivered`);
    }
    check(new Outbox(this.flash, OPTIONS).depth === 0, () => `${this.where()}: drained frames came back`);
  }
}

/** The run: steps with an outage (no sends) in the middle, so the outbox fills and sheds. */
function runSteps(life: Life, from: number, to: number): void {
  for (let s = from; s < to; s++) life.runStep(s >= 150 && s < 230);
}

/** Runs steps until the flash loses power (returns true) or the steps end (false). */
function runUntilCut(life: Life, from: number, to: number): boolean {
  try {
    runSteps(life, from, to);
    return false;
  } catch (e) {
    if (!isPowerLost(e)) throw e;
    return true;
  }
}

describe("outbox survives a power cut at every flash write", () => {
  for (const [seed, sectors, blockSize] of [
    [11, 6, 512],
    [2024, 6, 512],
    [7, 3, 256], // the smallest ring: every new sector reclaims one, the outbox is nearly always full
  ] as const) {
    it(`seed ${seed}, ${sectors} x ${blockSize}-byte sectors: cut at every write index, reboot, check, continue, drain`, () => {
      const uncut = new Life(seed, sectors, blockSize);
      runSteps(uncut, 0, RUN_STEPS);
      const ops = uncut.flash.writeCount;
      // The run is worth cutting: it wraps the ring several times, reclaims, copies forward and sheds.
      expect(uncut.flash.eraseCount).toBeGreaterThan(3 * sectors);
      expect(uncut.box.copiedRecords).toBeGreaterThan(0);
      expect(uncut.box.overflowTotal).toBeGreaterThan(0);
      // With room for 24 frames the outage sheds only less urgent frames; the 3-sector ring holds ~3.
      if (sectors > 3) expect(uncut.box.overflow(Priority.Alarm)).toBe(0);
      uncut.reboot();
      runSteps(uncut, RUN_STEPS, RUN_STEPS + AFTER_STEPS);
      uncut.drainAndCheck();

      let tornRecordsSeen = 0;
      let droppedSectorsSeen = 0;
      for (let k = 0; k < ops; k++) {
        const life = new Life(seed, sectors, blockSize);
        life.log.push(`cut at op ${k}`);
        life.flash.cutAtWrite(k, { seed: seed * 100003 + k });
        expect(runUntilCut(life, 0, RUN_STEPS), `cut ${k} never happened`).toBe(true);
        life.reboot();
        tornRecordsSeen += life.box.tornRecords;
        if (life.box.droppedSector >= 0) droppedSectorsSeen++;
        let from = life.step;
        if (k % 5 === 0) {
          // A second cut soon after the first recovery.
          const second = life.flash.writeCount + 1 + (k % 37);
          life.log.push(`second cut at op ${second}`);
          life.flash.cutAtWrite(second, { seed: k + 1 });
          if (runUntilCut(life, from, from + AFTER_STEPS)) {
            life.reboot();
          } else {
            life.flash.cancelCut();
          }
          from = life.step;
        }
        runSteps(life, from, from + AFTER_STEPS);
        life.drainAndCheck();
      }
      // The cuts hit the interesting places: torn records and unfinished reclamations were recovered.
      expect(tornRecordsSeen).toBeGreaterThan(10);
      expect(droppedSectorsSeen).toBeGreaterThan(0);
    });
  }
});
