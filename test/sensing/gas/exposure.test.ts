/**
 * STEL / TWA against hand-computed values (exposure.ts documents the rules: backward-held samples, gaps at
 * the last valid value, pre-history zero, restart as a gap).
 */
import { describe, expect, it } from "vitest";
import { RollingExposure } from "../../../firmware/sensing/gas/index.js";

const MIN = 60_000;
const STEL = () => new RollingExposure(15 * MIN, 15);
const TWA = () => new RollingExposure(8 * 60 * MIN, 32);

function feed(e: RollingExposure, fromMs: number, toMs: number, stepMs: number, value: number, gapMs = 3000) {
  let avg = 0;
  for (let t = fromMs; t <= toMs; t += stepMs) avg = e.add(t, value, gapMs);
  return avg;
}

describe("RollingExposure", () => {
  it("STEL of a steady 40 ppm for exactly 15 min is 40 ppm; before that it is pro-rated over 15 min", () => {
    const e = STEL();
    e.add(0, 0, 3000);
    expect(feed(e, 1000, 5 * MIN, 1000, 40)).toBeCloseTo((40 * 5) / 15, 9);
    expect(feed(e, 5 * MIN + 1000, 15 * MIN, 1000, 40)).toBeCloseTo(40, 9);
    // It stays at 40 while the window slides over steady air.
    expect(feed(e, 15 * MIN + 1000, 40 * MIN, 1000, 40)).toBeCloseTo(40, 9);
  });

  it("STEL of a 10-minute 30 ppm pulse: 20 ppm at its end, 0 fifteen minutes after", () => {
    const e = STEL();
    feed(e, 0, 60 * MIN, 1000, 0);
    const atEnd = feed(e, 60 * MIN + 1000, 70 * MIN, 1000, 30); // 30 ppm x 10 min / 15 min
    expect(atEnd).toBeCloseTo(20, 9);
    // 5 min later the window [60, 75] still holds all 10 min of the pulse.
    expect(feed(e, 70 * MIN + 1000, 75 * MIN, 1000, 0)).toBeCloseTo(20, 9);
    expect(feed(e, 75 * MIN + 1000, 85 * MIN, 1000, 0)).toBeCloseTo(0, 9);
  });

  it("TWA is the OSHA sum C*T / 8 h: 2 h at 100 ppm then 6 h at 0 -> 25 ppm", () => {
    const e = TWA();
    e.add(0, 0, 3000);
    // Samples every 10 s (gap threshold 30 s: no gaps here).
    feed(e, 10_000, 2 * 60 * MIN, 10_000, 100, 30_000);
    expect(feed(e, 2 * 60 * MIN + 10_000, 8 * 60 * MIN, 10_000, 0, 30_000)).toBeCloseTo(25, 9);
  });

  it("a gap counts at the last valid value, not zero (the conservative choice)", () => {
    const e = STEL();
    feed(e, 0, 5 * MIN, 1000, 10);
    // 10 min without data (NaN samples): held at 10 ppm -> the window holds 15 min of 10 ppm.
    feed(e, 5 * MIN + 1000, 15 * MIN, 1000, Number.NaN);
    expect(e.average).toBeCloseTo(10, 9);
    // The same gap with no samples at all (a dead link), then data at 0: the gap still counts at 10.
    const f = STEL();
    feed(f, 0, 5 * MIN, 1000, 10);
    expect(f.add(15 * MIN, 0, 3000)).toBeCloseTo(10, 9);
  });

  it("after a gap, the gap counts at the higher of the last and the new value", () => {
    const e = STEL();
    e.add(0, 0, 3000);
    // Ten minutes of silence, then 60 ppm: the silence counts at max(0, 60) = 60.
    expect(e.add(10 * MIN, 60, 3000)).toBeCloseTo((60 * 10) / 15, 9);
  });

  it("a gap longer than the window fills the whole window with the held value", () => {
    const e = TWA();
    feed(e, 0, 60_000, 10_000, 5);
    expect(e.add(3 * 24 * 60 * MIN, 5, 30_000)).toBeCloseTo(5, 9);
  });

  it("negative readings (zero drift) count as zero exposure", () => {
    const e = STEL();
    feed(e, 0, 15 * MIN, 1000, 30);
    expect(feed(e, 15 * MIN + 1000, 30 * MIN, 1000, -5)).toBeCloseTo(0, 9);
  });

  it("export / import: a restart continues the same averages; the down time is a gap at the last value", () => {
    const a = STEL();
    feed(a, 0, 7 * MIN, 1000, 20);
    const state = new Float64Array(a.stateLength);
    a.exportState(state, 0);
    expect(state.length).toBe(7 + 15);
    const b = STEL();
    b.importState(state, 0);
    expect(b.average).toBeCloseTo(a.average, 12);
    // Both continue identically.
    expect(feed(b, 7 * MIN + 1000, 12 * MIN, 1000, 20)).toBeCloseTo(
      feed(a, 7 * MIN + 1000, 12 * MIN, 1000, 20),
      9,
    );
    // A 3-minute outage, then 0 ppm: the outage counted at 20 ppm -> (12 + 3) min at 20 over 15 min = 20.
    expect(b.add(15 * MIN, 0, 3000)).toBeCloseTo(20, 9);
  });

  it("rejects a state for another window or with impossible numbers", () => {
    const a = STEL();
    feed(a, 0, MIN, 1000, 1);
    const s = new Float64Array(a.stateLength);
    a.exportState(s, 0);
    expect(() => TWA().importState(s, 0)).toThrow(/needs 39 numbers|another window/);
    const bad = s.slice();
    bad[7] = -1;
    expect(() => STEL().importState(bad, 0)).toThrow(/integral -1/);
  });
});
