import { describe, expect, it } from "vitest";
import { EmaFilter, emaT90Ms } from "../../../firmware/sensing/gas/index.js";

describe("EmaFilter", () => {
  it("reaches 90 % of a step after T90 = tau ln 10, as documented", () => {
    const tauMs = 2000;
    const f = new EmaFilter(tauMs);
    f.update(0, 0);
    const t90 = emaT90Ms(tauMs); // 4605 ms
    let firstAt90 = Number.NaN;
    for (let t = 100; t <= 20_000; t += 100) {
      const y = f.update(t, 1);
      if (Number.isNaN(firstAt90) && y >= 0.9) firstAt90 = t;
    }
    expect(t90).toBeCloseTo(4605.17, 1);
    // Sampled every 100 ms: the first sample at or past 90 % is the one at or just after T90.
    expect(firstAt90).toBeGreaterThanOrEqual(t90 - 100);
    expect(firstAt90).toBeLessThanOrEqual(t90 + 100);
  });

  it("is exact for irregular spacing: one 2 s step equals twenty 100 ms steps", () => {
    const a = new EmaFilter(1000);
    const b = new EmaFilter(1000);
    a.update(0, 0);
    b.update(0, 0);
    a.update(2000, 1);
    for (let t = 100; t <= 2000; t += 100) b.update(t, 1);
    // Each sample weighs the time since the previous one: both cover 2 s of input at 1.
    expect(a.value).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(b.value).toBeCloseTo(a.value, 12);
  });

  it("holds through NaN and Infinity and passes through with tau = 0", () => {
    const f = new EmaFilter(1000);
    f.update(0, 3);
    expect(f.update(1000, Number.NaN)).toBe(3);
    expect(f.update(2000, Number.POSITIVE_INFINITY)).toBe(3);
    const off = new EmaFilter(0);
    off.update(0, 1);
    expect(off.update(1, 7)).toBe(7);
  });
});
