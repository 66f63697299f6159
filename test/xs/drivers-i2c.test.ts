import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handle as nodeHandle } from "./entries/drivers-i2c.js";
import { XsWorker } from "./harness.js";

const req = (mode: number, n: number) => Uint8Array.of(mode, n >> 8, n & 0xff);
const ADS = 0;
const SHT = 1;

describe("ADS1115 and SHT3x drivers + host I2C + chip models on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start("test/xs/entries/drivers-i2c.ts");
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("gives the same bytes as Node for the same requests", async () => {
    for (const r of [
      req(ADS, 1),
      req(SHT, 1),
      req(ADS, 20),
      req(SHT, 20),
      req(2, 3),
      req(ADS, 5),
      req(3, 2),
      req(SHT, 5),
    ]) {
      const x = await xs.call(r);
      expect(Array.from(x.reply)).toEqual(Array.from(nodeHandle(r)));
    }
    // All driver samples after the first were good on XS too (the reply counts them; fault 0 = None).
    const last = await xs.call(req(ADS, 10));
    expect(new DataView(last.reply.buffer).getUint32(8)).toBe(10);
    expect(last.reply[12]).toBe(0);
  });

  for (const [name, mode] of [
    ["ADS1115", ADS],
    ["SHT3x", SHT],
  ] as const) {
    it(`${name}: sample() allocates nothing: the heap delta per call does not grow with the samples in it`, async () => {
      await xs.call(req(mode, 5));
      await xs.evaluate("gc()");
      const deltas: Record<number, number[]> = {};
      let prev = await xs.call(req(mode, 1));
      for (const n of [1, 50, 1, 50, 1, 50]) {
        const r = await xs.call(req(mode, n));
        expect(new DataView(r.reply.buffer).getUint32(8)).toBe(n);
        (deltas[n] ??= []).push(r.heapCount - prev.heapCount);
        prev = r;
      }
      expect(Math.max(...(deltas[50] ?? []))).toBeLessThanOrEqual(Math.max(...(deltas[1] ?? [])));
    });
  }

  it("meter cost per sample is deterministic and the driver adds a bounded cost over the bare bus", async () => {
    const perSample = async (mode: number) => {
      const one = await xs.call(req(mode, 1));
      const many = await xs.call(req(mode, 101));
      return (many.compute - one.compute) / 100;
    };
    const ads = await perSample(ADS);
    expect(await perSample(ADS)).toBe(ads);
    const bare = await perSample(2);
    expect(ads).toBeGreaterThan(bare);
    expect(ads).toBeLessThan(bare * 3);
  });
});
