/**
 * The interlock on the real XS engine: the same decisions as Node step by step (trip, refused and accepted
 * resets, weld detection), its CPU cost per CH4 evaluation and per 100 ms tick in XS meter units, and no
 * allocation per sample (heap delta per call does not grow with the number of samples in the call).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsWorker } from "./harness.js";
import { handle } from "./interlock-entry.js";

function req(cmd: number, a = 0, b = 0): Uint8Array {
  const r = new Uint8Array(9);
  const v = new DataView(r.buffer);
  r[0] = cmd;
  v.setUint32(1, a, true);
  v.setUint32(5, b, true);
  return r;
}

describe("interlock on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start("test/xs/interlock-entry.ts");
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("makes the same decisions as Node, byte for byte", async () => {
    const script = [
      req(0),
      req(2, 500), // boot: held, self-test sees the mirror contact closed
      req(1, 5, 20), // 0.20 %vol: energised
      req(2, 500),
      req(1, 1, 100), // 1.00 %vol: trip
      req(2, 1000),
      req(3), // reset refused: the gas is at the trip level
      req(1, 3, 50),
      req(3), // accepted
      req(2, 500),
      req(4), // weld while energised
      req(1, 1, 120),
      req(2, 300),
      req(3), // refused: relay fault
    ];
    const states: number[][] = [];
    for (const r of script) {
      const x = await xs.call(r);
      const n = handle(r);
      expect([...x.reply]).toEqual([...n]);
      const v = new DataView(n.buffer, n.byteOffset);
      states.push([v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true), v.getUint32(24, true)]);
    }
    // [relay, state, latched, relay fault] after: boot, energised, trip, reset, weld
    expect(states[1]).toEqual([0, 1, 0, 0]);
    expect(states[3]).toEqual([1, 0, 0, 0]);
    expect(states[5]).toEqual([0, 2, 1, 0]);
    expect(states[9]).toEqual([1, 0, 0, 0]);
    expect(states[13]).toEqual([0, 2, 5, 1]);
  });

  it("costs a few hundred meter units per CH4 evaluation and allocates nothing per sample", async () => {
    await xs.call(req(0));
    await xs.call(req(1, 10, 20)); // energised, steady state
    await xs.evaluate("gc()");
    const small = await xs.call(req(1, 100, 20));
    const small2 = await xs.call(req(1, 100, 20));
    const big = await xs.call(req(1, 1000, 20));
    const big2 = await xs.call(req(1, 1000, 20));
    const perSample = (big2.compute - small2.compute) / 900;
    const heapSmall = small2.heapCount - small.heapCount;
    const heapBig = big2.heapCount - big.heapCount;
    await xs.call(req(2, 1000));
    const t1 = await xs.call(req(2, 10_000)); // 100 ticks, no pattern
    const tickNone = t1.compute / 100;
    await xs.call(req(1, 1, 150)); // trip: danger pattern
    await xs.call(req(2, 1000));
    const t2 = await xs.call(req(2, 10_000));
    const tickDanger = t2.compute / 100;
    console.log(
      `interlock on XS: ${perSample.toFixed(1)} meter units per CH4 evaluation; ` +
        `${tickNone.toFixed(0)} per 100 ms tick idle, ${tickDanger.toFixed(0)} flashing (incl. clock, pins, relay model); ` +
        `heap delta per call ${heapSmall} (100 samples) vs ${heapBig} (1000 samples)`,
    );
    expect(perSample).toBeGreaterThan(0);
    expect(perSample).toBeLessThan(400);
    expect(heapBig).toBeLessThanOrEqual(heapSmall);
  });
});
