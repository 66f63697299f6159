/**
 * Recovery against damaged flash images that the power-cut test's tear model makes too rare to meet by
 * chance: a reclaimed sector whose erase was cut so that its old records read back intact with their acks
 * undone (the floor must keep them dead), two copies of one record (the newest copy decides), and an
 * unfinished reclamation (no free sector: the newest sector is dropped and the originals count).
 */
import { describe, expect, it } from "vitest";
import { RECORD_HEADER_BYTES, recordBytes, SECTOR_HEADER_BYTES } from "../../firmware/node/outbox/layout.js";
import { type FlashRegion, NONE, Outbox, Priority } from "../../firmware/node/outbox.js";
import { FlashModel } from "../../host-sim/flash.js";
import { crc32 } from "../../protocol/checksums.js";

const BLOCK = 256;
const OPTIONS = { maxPayloadBytes: 48 };

/** Test-only wrapper: remembers each sector's bytes just before it is erased. */
class EraseRecorder implements FlashRegion {
  readonly erased: { sector: number; before: Uint8Array }[] = [];
  constructor(readonly inner: FlashModel) {}
  get byteLength() {
    return this.inner.byteLength;
  }
  get blockSize() {
    return this.inner.blockSize;
  }
  erase(sector: number): void {
    this.erased.push({ sector, before: this.inner.peek(sector * BLOCK, BLOCK) });
    this.inner.erase(sector);
  }
  read(offset: number, byteLength: number): ArrayBuffer {
    return this.inner.read(offset, byteLength);
  }
  write(offset: number, byteLength: number, buffer: ArrayBuffer): void {
    this.inner.write(offset, byteLength, buffer);
  }
}

function counters(box: Outbox): number[] {
  return box.waitingIds().map((id) => box.counterOf(id));
}

/** A sector image: header with `seq`, then records [seq, counter, state, text]. */
function sectorImage(seq: number, records: [number, number, number, string][]): Uint8Array {
  const b = new Uint8Array(BLOCK).fill(0xff);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x314f574d, true);
  v.setUint32(4, seq, true);
  v.setUint32(8, crc32(b, 0, 8), true);
  let off = SECTOR_HEADER_BYTES;
  for (const [rseq, counter, state, text] of records) {
    const frame = new TextEncoder().encode(text);
    b[off] = 0xa7;
    b[off + 2] = Priority.Event;
    v.setUint16(off + 4, frame.length, true);
    v.setUint32(off + 8, rseq, true);
    v.setUint32(off + 12, counter, true);
    const h = crc32(b, off + 2, off + 16, crc32(b, off, off + 1));
    v.setUint32(off + 16, h, true);
    b.set(frame, off + RECORD_HEADER_BYTES);
    v.setUint32(off + RECORD_HEADER_BYTES + frame.length, crc32(frame, 0, frame.length, h), true);
    b[off + 1] = state;
    off += recordBytes(frame.length);
  }
  return b;
}

describe("outbox recovery of damaged images", () => {
  it("a reclaimed sector that reads back with its acks undone stays dead (the floor)", () => {
    const model = new FlashModel({ byteLength: 4 * BLOCK, blockSize: BLOCK, strict: true });
    const flash = new EraseRecorder(model);
    const box = new Outbox(flash, OPTIONS);
    const kept = box.append(new TextEncoder().encode("kept, waiting"), Priority.Alarm, 1);
    let counter = 2;
    while (flash.erased.length === 0) {
      const id = box.append(new Uint8Array(40).fill(counter), Priority.Telemetry, counter++);
      box.ack(id);
    }
    expect(box.copiedRecords).toBe(1); // "kept" moved out of the reclaimed sector
    const { sector, before } = flash.erased[0]!;
    // The erase "failed" in the worst way: every record intact, every state byte back to 0xFF.
    const damaged = before.slice();
    for (let off = SECTOR_HEADER_BYTES; off + RECORD_HEADER_BYTES <= BLOCK; ) {
      if (damaged[off] !== 0xa7) break;
      damaged[off + 1] = 0xff;
      off += recordBytes(new DataView(damaged.buffer).getUint16(off + 4, true));
    }
    model.poke(sector * BLOCK, damaged);
    const again = new Outbox(model, OPTIONS);
    expect(counters(again)).toEqual([1]);
    expect(again.counterOf(again.next())).toBe(box.counterOf(kept));
  });

  it("of two copies of one record, the newest decides", () => {
    const model = new FlashModel({ byteLength: 4 * BLOCK, blockSize: BLOCK });
    model.poke(
      0,
      sectorImage(7, [
        [40, 400, 0xff, "copied then acked"],
        [41, 410, 0xff, "waiting"],
      ]),
    );
    model.poke(BLOCK, sectorImage(8, [[40, 400, 0x00, "copied then acked"]]));
    expect(counters(new Outbox(model, OPTIONS))).toEqual([410]);
    model.poke(2 * BLOCK, sectorImage(9, [[41, 410, 0xff, "waiting"]]));
    const box = new Outbox(model, OPTIONS);
    expect(counters(box)).toEqual([410]);
    expect(box.depth).toBe(1);
  });

  it("no free sector: the newest is an unfinished copy, dropped; appends then go on", () => {
    const model = new FlashModel({ byteLength: 3 * BLOCK, blockSize: BLOCK, strict: true });
    model.poke(
      0,
      sectorImage(1, [
        [1, 10, 0xff, "a"],
        [2, 20, 0x00, "b"],
        [3, 30, 0xff, "c"],
      ]),
    );
    model.poke(BLOCK, sectorImage(2, [[4, 40, 0xff, "d"]]));
    model.poke(2 * BLOCK, sectorImage(3, [[1, 10, 0xff, "a"]])); // the copy of sector 0 got this far
    const box = new Outbox(model, OPTIONS);
    expect(box.droppedSector).toBe(2);
    expect(counters(box)).toEqual([10, 30, 40]);
    for (let i = 0; i < 30; i++) box.ack(box.append(new Uint8Array(30).fill(i), Priority.Telemetry, 100 + i));
    const again = new Outbox(model, OPTIONS);
    expect(again.droppedSector).toBe(-1);
    expect(counters(again)).toEqual([10, 30, 40]);
    for (let id = again.next(); id !== NONE; id = again.next()) again.ack(id);
    expect(new Outbox(model, OPTIONS).depth).toBe(0);
  });
});
