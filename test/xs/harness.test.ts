import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsWorker } from "./harness.js";

describe("XS harness (real xsnap worker)", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start("test/xs/entries/sum.ts");
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("exchanges bytes with the bundle", async () => {
    const r = await xs.call(new Uint8Array([0, 1, 2, 250]));
    expect(new DataView(r.reply.buffer).getUint32(0)).toBe(253);
  });

  it("meter counts are deterministic for the same work", async () => {
    const a = await xs.call(new Uint8Array([0, 5, 6, 7, 8]));
    const b = await xs.call(new Uint8Array([0, 5, 6, 7, 8]));
    expect(a.compute).toBeGreaterThan(0);
    expect(b.compute).toBe(a.compute);
  });

  it("heap count stays flat for non-allocating work and grows for allocating work", async () => {
    const quiet = new Uint8Array(101).fill(3);
    quiet[0] = 0;
    const noisy = quiet.slice();
    noisy[0] = 1;
    await xs.evaluate("gc()");
    const q1 = await xs.call(quiet);
    const q2 = await xs.call(quiet);
    const q3 = await xs.call(quiet);
    expect(q3.heapCount - q2.heapCount).toBe(q2.heapCount - q1.heapCount);
    const n1 = await xs.call(noisy);
    const n2 = await xs.call(noisy);
    expect(n2.heapCount - n1.heapCount).toBeGreaterThan(q3.heapCount - q2.heapCount + 100);
  });

  it("XS errors surface as rejections", async () => {
    const bad = await XsWorker.start("test/xs/entries/sum.ts");
    await expect(bad.evaluate("throw new Error('boom')")).rejects.toThrow();
    await bad.close().catch(() => {});
  });
});
