import { describe, expect, it } from "vitest";
import { recordBytes, SECTOR_HEADER_BYTES } from "../../firmware/node/outbox/layout.js";
import { NONE, Outbox, OutboxError, Priority, REFUSED } from "../../firmware/node/outbox.js";
import { FlashModel } from "../../host-sim/flash.js";
import { crc32 } from "../../protocol/checksums.js";

const enc = new TextEncoder();
const frame = (text: string) => enc.encode(text);

function flash(sectors = 6, blockSize = 256): FlashModel {
  return new FlashModel({ byteLength: sectors * blockSize, blockSize, strict: true });
}

function errorOf(f: () => unknown): OutboxError {
  try {
    f();
  } catch (e) {
    if (e instanceof OutboxError) return e;
    throw e;
  }
  throw new Error("expected an OutboxError");
}

/** Sends everything in order: returns [counter, text] pairs and acks each. */
function drain(box: Outbox): [number, string][] {
  const out: [number, string][] = [];
  const dec = new TextDecoder();
  for (let id = box.next(); id !== NONE; id = box.next()) {
    out.push([box.counterOf(id), dec.decode(box.frameBytes(id))]);
    expect(box.ack(id)).toBe(true);
  }
  return out;
}

describe("crc32", () => {
  it("matches the CRC-32/ISO-HDLC check value and chains", () => {
    const b = enc.encode("123456789");
    expect(crc32(b)).toBe(0xcbf43926);
    expect(crc32(b, 4, 9, crc32(b, 0, 4))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe("outbox: order, acknowledgement, persistence", () => {
  it("sends the most urgent class first, oldest first within a class", () => {
    const box = new Outbox(flash(), { maxPayloadBytes: 64 });
    box.append(frame("t1"), Priority.Telemetry, 1);
    box.append(frame("s1"), Priority.Status, 2);
    box.append(frame("a1"), Priority.Alarm, 3);
    box.append(frame("t2"), Priority.Telemetry, 4);
    box.append(frame("b1"), Priority.Birth, 5);
    box.append(frame("e1"), Priority.Event, 6);
    box.append(frame("a2"), Priority.Alarm, 7);
    expect(box.depth).toBe(7);
    expect(box.depthOf(Priority.Alarm)).toBe(2);
    expect(drain(box).map(([, t]) => t)).toEqual(["a1", "a2", "e1", "s1", "b1", "t1", "t2"]);
    expect(box.depth).toBe(0);
    expect(box.liveBytes).toBe(0);
    expect(box.next()).toBe(NONE);
  });

  it("keeps waiting frames across a reboot and forgets acknowledged ones", () => {
    const f = flash();
    const box = new Outbox(f, { maxPayloadBytes: 64 });
    const ids = [0, 1, 2, 3, 4].map((i) =>
      box.append(frame(`frame ${i}`), i % 2 ? Priority.Event : Priority.Telemetry, 100 + i),
    );
    expect(box.ack(ids[1]!)).toBe(true);
    expect(box.ack(ids[4]!)).toBe(true);
    expect(box.ack(ids[4]!)).toBe(false); // duplicate PUBACK: harmless
    const again = new Outbox(f, { maxPayloadBytes: 64 });
    expect(again.recoveredRecords).toBe(3);
    expect(again.tornRecords).toBe(0);
    expect(drain(again)).toEqual([
      [103, "frame 3"],
      [100, "frame 0"],
      [102, "frame 2"],
    ]);
    expect(new Outbox(f, { maxPayloadBytes: 64 }).depth).toBe(0);
  });

  it("in-flight frames are skipped by next() until acknowledged or requeued", () => {
    const box = new Outbox(flash(), { maxPayloadBytes: 64 });
    const a = box.append(frame("a"), Priority.Alarm, 1);
    const t = box.append(frame("t"), Priority.Telemetry, 2);
    expect(box.next()).toBe(a);
    expect(box.markSent(a)).toBe(true);
    expect(box.markSent(a)).toBe(false);
    expect(box.inFlight).toBe(1);
    expect(box.next()).toBe(t);
    box.markSent(t);
    expect(box.next()).toBe(NONE);
    expect(box.requeue(a)).toBe(true);
    expect(box.next()).toBe(a);
    box.markSent(a);
    box.requeueAll();
    expect(box.inFlight).toBe(0);
    box.markSent(a);
    expect(box.ack(a)).toBe(true);
    expect(box.inFlight).toBe(0);
    expect(box.has(a)).toBe(false);
    expect(box.next()).toBe(t);
  });

  it("writes the documented layout: sector header, record header, frame, CRC, 4-byte padding", () => {
    const f = flash(4, 256);
    const box = new Outbox(f, { maxPayloadBytes: 64 });
    const id = box.append(frame("hello"), Priority.Event, 0x01020304);
    const mem = f.peek(0, 256);
    const v = new DataView(mem.buffer);
    expect(v.getUint32(0, true)).toBe(0x314f574d);
    expect(v.getUint32(8, true)).toBe(crc32(mem, 0, 8));
    expect(v.getUint32(12, true)).toBe(0xffffffff); // no floor yet
    const r = SECTOR_HEADER_BYTES;
    expect([mem[r], mem[r + 1], mem[r + 2]]).toEqual([0xa7, 0xff, Priority.Event]);
    expect(v.getUint16(r + 4, true)).toBe(5);
    expect(v.getUint32(r + 8, true)).toBe(box.seqOf(id));
    expect(v.getUint32(r + 12, true)).toBe(0x01020304);
    const hcrc = crc32(mem, r + 2, r + 16, crc32(mem, r, r + 1));
    expect(v.getUint32(r + 16, true)).toBe(hcrc);
    expect(new TextDecoder().decode(mem.subarray(r + 20, r + 25))).toBe("hello");
    expect(v.getUint32(r + 25, true)).toBe(crc32(mem, r + 20, r + 25, hcrc));
    expect(recordBytes(5)).toBe(32); // 20 + 5 + 4, padded to 4
    expect([...mem.subarray(r + 29, r + 40)].every((b) => b === 0xff)).toBe(true);
    box.ack(id);
    expect(f.peek(r + 1, 1)[0]).toBe(0x00);
  });
});

describe("outbox: bad input", () => {
  const box = new Outbox(flash(), { maxPayloadBytes: 64 });
  it("refuses frames that can never be stored, naming the value", () => {
    const big = errorOf(() => box.append(new Uint8Array(65), Priority.Alarm, 1));
    expect(big.code).toBe("frame-too-large");
    expect(big.value).toBe(65);
    expect(big.message).toContain("65");
    expect(errorOf(() => box.append(new Uint8Array(0), Priority.Alarm, 1)).code).toBe("bad-frame");
    expect(errorOf(() => box.append([1, 2] as unknown as Uint8Array, Priority.Alarm, 1)).code).toBe(
      "bad-frame",
    );
  });
  it("refuses bad priorities, counters and ids", () => {
    const p = errorOf(() => box.append(frame("x"), 5 as Priority, 1));
    expect([p.code, p.value]).toEqual(["bad-priority", 5]);
    const c = errorOf(() => box.append(frame("x"), Priority.Alarm, -1));
    expect([c.code, c.value]).toEqual(["bad-counter", -1]);
    expect(errorOf(() => box.append(frame("x"), Priority.Alarm, 2 ** 32)).code).toBe("bad-counter");
    expect(errorOf(() => box.ack(1.5)).code).toBe("bad-id");
    expect(errorOf(() => box.counterOf(12345)).code).toBe("bad-id");
    expect(box.ack(12345)).toBe(false);
    expect(box.depth).toBe(0);
  });
  it("refuses a region too small for a ring or for the largest frame", () => {
    const two = errorOf(() => new Outbox(flash(2, 256)));
    expect([two.code, two.value]).toEqual(["bad-geometry", 512]);
    const g = errorOf(() => new Outbox(flash(4, 256), { maxPayloadBytes: 200 }));
    expect([g.code, g.value]).toEqual(["bad-geometry", 200]);
    expect(errorOf(() => new Outbox(flash(), { maxRecords: 0 })).code).toBe("bad-option");
  });
});

describe("outbox: flash failures", () => {
  it("after a failed flash operation it refuses to go on until rebuilt from flash", () => {
    const f = flash();
    const box = new Outbox(f, { maxPayloadBytes: 64 });
    const a = box.append(frame("a"), Priority.Alarm, 1);
    f.cutAtWrite(f.writeCount, { mode: "none" });
    expect(() => box.append(frame("b"), Priority.Alarm, 2)).toThrow(/power lost/);
    expect(box.failed).toBe(true);
    f.reboot();
    const e = errorOf(() => box.ack(a));
    expect(e.code).toBe("flash-failed");
    expect((e.value as Error).name).toBe("PowerLostError");
    expect(errorOf(() => box.append(frame("c"), Priority.Alarm, 3)).code).toBe("flash-failed");
    const again = new Outbox(f, { maxPayloadBytes: 64 });
    expect(again.failed).toBe(false);
    expect(drain(again)).toEqual([[1, "a"]]);
  });

  it("sheds down to the slots it has when rebuilt with fewer, by the same policy", () => {
    const f = flash();
    const box = new Outbox(f, { maxPayloadBytes: 64 });
    const kinds = "ttatatetta";
    for (let i = 0; i < kinds.length; i++) {
      const p = { t: Priority.Telemetry, a: Priority.Alarm, e: Priority.Event }[kinds[i] as "t" | "a" | "e"];
      box.append(frame(`${kinds[i]}${i}`), p, i);
    }
    const small = new Outbox(f, { maxRecords: 4, maxPayloadBytes: 64 });
    expect(small.overflow(Priority.Telemetry)).toBe(6);
    expect(drain(small).map(([, t]) => t)).toEqual(["a2", "a4", "a9", "e6"]);
  });
});

describe("outbox: capacity policy", () => {
  it("sheds the oldest telemetry first and reports it; never an alarm while anything else can go", () => {
    const shed: [number, number][] = [];
    const f = flash();
    const box = new Outbox(f, { maxRecords: 6, maxPayloadBytes: 64, onShed: (c, p) => shed.push([c, p]) });
    box.append(frame("a1"), Priority.Alarm, 1);
    box.append(frame("t1"), Priority.Telemetry, 2);
    box.append(frame("e1"), Priority.Event, 3);
    box.append(frame("t2"), Priority.Telemetry, 4);
    box.append(frame("s1"), Priority.Status, 5);
    box.append(frame("t3"), Priority.Telemetry, 6);
    // Full (6 slots): a new alarm sheds t1, then t2, then t3, then s1, then e1.
    for (let i = 0; i < 5; i++) expect(box.append(frame(`A${i}`), Priority.Alarm, 10 + i)).not.toBe(REFUSED);
    expect(shed).toEqual([
      [2, Priority.Telemetry],
      [4, Priority.Telemetry],
      [6, Priority.Telemetry],
      [5, Priority.Status],
      [3, Priority.Event],
    ]);
    expect(box.overflow(Priority.Telemetry)).toBe(3);
    expect(box.overflow(Priority.Alarm)).toBe(0);
    expect(box.depthOf(Priority.Alarm)).toBe(6);
    // Only alarms left: a telemetry frame is refused, not an alarm shed.
    expect(box.append(frame("t4"), Priority.Telemetry, 20)).toBe(REFUSED);
    expect(box.refused).toBe(1);
    expect(box.overflow(Priority.Telemetry)).toBe(4);
    expect(box.depthOf(Priority.Alarm)).toBe(6);
    // A new alarm when only alarms wait replaces the oldest alarm (the newest state matters most).
    box.append(frame("A9"), Priority.Alarm, 30);
    expect(shed.at(-1)).toEqual([1, Priority.Alarm]);
    expect(box.overflowTotal).toBe(7); // 3 telemetry, status, event, refused telemetry, alarm
    // Shedding is durable.
    const counters = drain(new Outbox(f, { maxRecords: 6, maxPayloadBytes: 64 })).map(([c]) => c);
    expect(counters).toEqual([10, 11, 12, 13, 14, 30]);
  });

  it("holds the byte budget: a long outage of telemetry keeps the newest and every alarm", () => {
    const f = flash(6, 256);
    const box = new Outbox(f, { maxRecords: 200, maxPayloadBytes: 64 });
    const alarms: number[] = [];
    for (let i = 0; i < 400; i++) {
      const isAlarm = i % 50 === 7;
      if (isAlarm) alarms.push(i);
      box.append(
        new Uint8Array(20 + (i % 30)).fill(i & 0xff),
        isAlarm ? Priority.Alarm : Priority.Telemetry,
        i,
      );
      expect(box.liveBytes).toBeLessThanOrEqual(box.capacityBytes);
    }
    expect(box.overflow(Priority.Alarm)).toBe(0);
    expect(box.overflow(Priority.Telemetry)).toBeGreaterThan(300);
    const counters = drain(new Outbox(f, { maxRecords: 200, maxPayloadBytes: 64 })).map(([c]) => c);
    expect(counters.slice(0, alarms.length)).toEqual(alarms);
    const tele = counters.slice(alarms.length);
    expect(tele.at(-1)).toBe(399);
    expect(tele).toEqual([...tele].sort((a, b) => a - b));
    expect(tele.length).toBe(box.depthOf(Priority.Telemetry));
  });
});

describe("outbox: ring, reclamation, torn records", () => {
  it("wraps the ring many times, copying long-waiting frames forward, and loses nothing", () => {
    const f = flash(4, 256);
    const box = new Outbox(f, { maxPayloadBytes: 48 });
    const keep = [
      box.append(frame("alarm kept"), Priority.Alarm, 1),
      box.append(frame("event kept"), Priority.Event, 2),
    ];
    let counter = 10;
    for (let i = 0; i < 300; i++) {
      const id = box.append(new Uint8Array(10 + (i % 37)).fill(i & 0xff), Priority.Telemetry, counter++);
      if (i % 3 !== 0) box.ack(id); // a third stay waiting for a while
      if (i % 3 === 0 && box.depthOf(Priority.Telemetry) > 3) box.ack(box.waitingIds().at(-2)!);
    }
    expect(f.eraseCount).toBeGreaterThan(20);
    expect(box.copiedRecords).toBeGreaterThan(10);
    expect(box.overflowTotal).toBe(0);
    expect(f.overwriteAttempts).toBe(0);
    const before = box.waitingIds().map((id) => [box.counterOf(id), [...box.frameBytes(id)]]);
    const again = new Outbox(f, { maxPayloadBytes: 48 });
    expect(again.waitingIds().map((id) => [again.counterOf(id), [...again.frameBytes(id)]])).toEqual(before);
    expect(again.counterOf(again.waitingIds()[0]!)).toBe(1);
    expect(keep.every((id) => box.has(id))).toBe(true);
  });

  it("skips a record whose frame CRC fails and keeps the ones after it", () => {
    const f = flash(4, 256);
    const box = new Outbox(f, { maxPayloadBytes: 48 });
    box.append(frame("first"), Priority.Event, 1);
    box.append(frame("second"), Priority.Event, 2);
    box.append(frame("third"), Priority.Event, 3);
    // Clear one bit of "second" (a write can clear bits): its frame CRC no longer matches.
    const at = SECTOR_HEADER_BYTES + recordBytes(5) + 20;
    f.write(at, 1, new Uint8Array([f.peek(at, 1)[0]! & 0xfe]).buffer);
    const again = new Outbox(f, { maxPayloadBytes: 48 });
    expect(again.tornRecords).toBe(1);
    expect(drain(again)).toEqual([
      [1, "first"],
      [3, "third"],
    ]);
  });

  it("closes a sector whose record header is torn and appends in a fresh one", () => {
    const f = flash(4, 256);
    const box = new Outbox(f, { maxPayloadBytes: 48 });
    box.append(frame("first"), Priority.Event, 1);
    // A header torn mid-write: only its first bytes landed.
    const at = SECTOR_HEADER_BYTES + recordBytes(5);
    f.write(at, 3, new Uint8Array([0xa7, 0xff, 0x01]).buffer);
    const again = new Outbox(f, { maxPayloadBytes: 48 });
    expect(again.tornRecords).toBe(1);
    again.append(frame("after"), Priority.Event, 2);
    expect(f.peek(256 + SECTOR_HEADER_BYTES + 12, 1)[0]).toBe(2); // counter's low byte in sector 1
    expect(drain(new Outbox(f, { maxPayloadBytes: 48 }))).toEqual([
      [1, "first"],
      [2, "after"],
    ]);
  });

  it("a partly written state byte counts as gone (the ack had arrived)", () => {
    const f = flash(4, 256);
    const box = new Outbox(f, { maxPayloadBytes: 48 });
    box.append(frame("acked, torn"), Priority.Event, 1);
    box.append(frame("waiting"), Priority.Event, 2);
    f.write(SECTOR_HEADER_BYTES + 1, 1, new Uint8Array([0xf7]).buffer);
    expect(drain(new Outbox(f, { maxPayloadBytes: 48 }))).toEqual([[2, "waiting"]]);
  });
});
