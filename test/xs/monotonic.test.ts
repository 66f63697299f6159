/**
 * The monotonic tick clock (firmware/node/monotonic.ts) on the real XS engine under the target's rules: the
 * same counts as Node across the ESP32's wraps at 2^31 and 2^32 ms and many wraps after, nothing allocated
 * per read (the heap delta of a call does not grow with the number of reads in it), and its RuntimeError
 * thrown intact in a frozen realm.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handle as nodeHandle } from "./entries/monotonic.js";
import { XsWorker } from "./harness.js";

const ENTRY = "test/xs/entries/monotonic.ts";

function init(start: number): Uint8Array {
  const b = new Uint8Array(5);
  b[0] = 1;
  new DataView(b.buffer).setInt32(1, start, true);
  return b;
}

function reads(n: number, step: number): Uint8Array {
  const b = new Uint8Array(9);
  b[0] = 2;
  new DataView(b.buffer).setUint32(1, n, true);
  new DataView(b.buffer).setUint32(5, step, true);
  return b;
}

function decode(r: Uint8Array) {
  const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
  return { now: dv.getFloat64(0, true), bad: dv.getFloat64(8, true), code: dv.getUint32(16, true) };
}

describe("monotonic ticks on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start(ENTRY);
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("counts as Node does across 2^31, 2^32 and many wraps (signed 32-bit raw ticks)", async () => {
    const script = [
      init(2 ** 31 - 5_000),
      reads(10, 1_000), // across 2^31: raw turns negative
      reads(2_147_483, 1_000), // on to past 2^32: raw passes 0
      reads(200, 2 ** 31 - 1), // about 100 more wraps, in steps just under 2^31 ms
      reads(3, 2 ** 32 - 1), // gaps just under 2^32 ms
    ];
    const expected = [2 ** 31 - 5_000, 2 ** 31 + 5_000, 2 ** 31 + 5_000 + 2_147_483_000];
    for (let i = 0; i < script.length; i++) {
      const x = decode((await xs.call(script[i]!)).reply);
      const n = decode(nodeHandle(script[i]!));
      expect(x).toEqual(n);
      expect(x.code).toBe(1);
      expect(x.bad).toBe(0);
      if (i < expected.length) expect(x.now).toBe(expected[i]);
    }
    const end = 2 ** 31 + 5_000 + 2_147_483_000 + 200 * (2 ** 31 - 1) + 3 * (2 ** 32 - 1);
    expect(decode(nodeHandle(reads(0, 0))).now).toBe(end);
  });

  it("allocates nothing per read", async () => {
    await xs.call(init(-1));
    await xs.evaluate("gc()");
    const few = [];
    const many = [];
    for (let i = 0; i < 3; i++) {
      few.push((await xs.call(reads(10, 7))).heapCount);
      many.push((await xs.call(reads(20_000, 7))).heapCount);
    }
    // Each pair of calls differs by the same amount whether a call made 10 or 20,000 reads.
    expect(many[2]! - many[1]!).toBe(few[2]! - few[1]!);
    expect(many[1]! - few[1]!).toBe(many[2]! - few[2]!);
  });

  it("throws its RuntimeError intact in the frozen realm", async () => {
    const x = decode((await xs.call(Uint8Array.of(3))).reply);
    expect(x.code).toBe(2);
    expect(decode(nodeHandle(Uint8Array.of(3))).code).toBe(2);
  });
});
