import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handle as nodeHandle } from "./entries/lorawan.js";
import { XsWorker } from "./harness.js";

const req = (mode: number, n: number) => Uint8Array.of(mode, n >> 8, n & 0xff);
const words = (b: Uint8Array) =>
  [0, 4, 8, 12, 16].map((i) => new DataView(b.buffer, b.byteOffset).getUint32(i));

describe("LoRaWAN node code (AT parser, LoRa-E5 driver, transport) on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start("test/xs/entries/lorawan.ts");
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("gives the same bytes as Node for the same requests", async () => {
    const sequence = [req(0, 1), req(1, 1), req(2, 1), req(0, 3), req(1, 4), req(2, 5), req(3, 2), req(2, 1)];
    for (const r of sequence) {
      const x = await xs.call(r);
      expect(Array.from(x.reply)).toEqual(Array.from(nodeHandle(r)));
    }
    // The transcript parse found its 10 lines per pass and the values in them (13469 + 51 - 12 + 10 port).
    const parsed = words((await xs.call(req(0, 1))).reply);
    expect(parsed.slice(0, 3)).toEqual([10, 84, 13469 + 51 - 12 + 10]);
  });

  for (const [name, mode] of [
    ["line parser", 0],
    ["driver send path", 1],
    ["transport unconfirmed uplinks", 2],
    ["transport confirmed alarms", 3],
  ] as const) {
    it(`${name}: allocates nothing in steady state (heap delta does not grow with the work in a call)`, async () => {
      await xs.call(req(mode, 5));
      await xs.evaluate("gc()");
      const deltas: Record<number, number[]> = {};
      let prev = await xs.call(req(mode, 1));
      for (const n of [1, 40, 1, 40, 1, 40]) {
        const r = await xs.call(req(mode, n));
        (deltas[n] ??= []).push(r.heapCount - prev.heapCount);
        prev = r;
      }
      expect(Math.max(...deltas[40]!)).toBeLessThanOrEqual(Math.max(...deltas[1]!));
    });
  }

  it("meter cost per operation is deterministic", async () => {
    const perOp = async (mode: number) => {
      const one = await xs.call(req(mode, 1));
      const many = await xs.call(req(mode, 21));
      return (many.compute - one.compute) / 20;
    };
    for (const mode of [0, 1, 2]) {
      const a = await perOp(mode);
      expect(a).toBeGreaterThan(0);
      expect(await perOp(mode)).toBe(a);
    }
  });
});
