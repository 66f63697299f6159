import { describe, expect, it } from "vitest";
import { RateOfRise, Threshold } from "../../../firmware/sensing/gas/index.js";

describe("Threshold", () => {
  it("rising: on at >= set-point, off only below set-point - hysteresis (no chatter)", () => {
    const t = new Threshold(1.0, 0.05, true, false);
    const seq = [0.9, 0.99, 1.0, 0.98, 0.96, 0.951, 0.95, 0.949, 1.0];
    const on = seq.map((v) => t.update(v));
    expect(on).toEqual([false, false, true, true, true, true, true, false, true]);
  });

  it("falling (O2 deficiency): on at <= set-point, off above set-point + hysteresis", () => {
    const t = new Threshold(19.5, 0.1, false, false);
    const on = [20.9, 19.6, 19.5, 19.55, 19.6, 19.61].map((v) => t.update(v));
    expect(on).toEqual([false, false, true, true, true, false]);
  });

  it("NaN never changes the state", () => {
    const t = new Threshold(1, 0.1, true, false);
    t.update(2);
    expect(t.update(Number.NaN)).toBe(true);
    t.update(0);
    expect(t.update(Number.NaN)).toBe(false);
  });

  it("latched: stays on after the gas clears until acknowledged; an ack while gas is present does nothing", () => {
    const t = new Threshold(1.5, 0.05, true, true);
    t.update(1.6);
    expect(t.acknowledge()).toBe(false); // still beyond: no effect
    expect(t.update(1.6)).toBe(true);
    expect(t.update(1.0)).toBe(true); // cleared, but latched
    expect(t.acknowledge()).toBe(true);
    expect(t.on).toBe(false);
    expect(t.update(1.0)).toBe(false);
    expect(t.update(1.5)).toBe(true); // a new crossing latches again
  });

  it("an ack inside the hysteresis band does not reset (the condition has not cleared yet)", () => {
    const t = new Threshold(1.5, 0.05, true, true);
    t.update(1.5);
    t.update(1.47);
    expect(t.acknowledge()).toBe(false);
    t.update(1.44);
    expect(t.acknowledge()).toBe(true);
  });
});

describe("RateOfRise", () => {
  it("settles on the true slope of a ramp (0.3 %/min) and reads ~0 on flat air", () => {
    const r = new RateOfRise(60_000);
    for (let t = 0; t <= 600_000; t += 1000) r.update(t, 0.1);
    expect(r.perMin).toBeCloseTo(0, 12);
    for (let t = 601_000; t <= 1_200_000; t += 1000) r.update(t, 0.1 + ((t - 600_000) / 60_000) * 0.3);
    expect(r.perMin).toBeCloseTo(0.3, 2);
  });

  it("a step shows at once as a large rate (an inrush trips ROR in its first sample)", () => {
    const r = new RateOfRise(60_000);
    for (let t = 0; t <= 300_000; t += 1000) r.update(t, 0.2);
    r.update(301_000, 1.2);
    // (1.2 - slow) / 60 s with slow moved by 1/60 of the step: ~0.98 %/min.
    expect(r.perMin).toBeGreaterThan(0.9);
  });
});
