import { describe, expect, it } from "vitest";
import { type FaultLimits, FaultMonitor, GasFault } from "../../../firmware/sensing/gas/index.js";

const LIMITS: FaultLimits = {
  rangeMin: 0,
  rangeMax: 500,
  underRangeTolerance: 5,
  overRangeIsFault: true,
  stuckWindowMs: 60_000,
  stuckBand: 0,
  stuckExemptAtOrBelow: 0,
  warmUpMs: 10_000,
  calIntervalMs: 100_000,
  noDataMs: 3000,
};

describe("FaultMonitor", () => {
  it("warm-up is on from power-on for warmUpMs, then off", () => {
    const f = new FaultMonitor(LIMITS, 0, 0);
    expect(f.update(0, 1) & GasFault.WARM_UP).toBeTruthy();
    expect(f.update(9999, 2) & GasFault.WARM_UP).toBeTruthy();
    expect(f.update(10_000, 3) & GasFault.WARM_UP).toBe(0);
  });

  it("no data after noDataMs without a valid sample; cleared by the next valid sample", () => {
    const f = new FaultMonitor(LIMITS, 0, 0);
    f.update(20_000, 1);
    expect(f.update(21_000, Number.NaN) & GasFault.NO_DATA).toBe(0);
    expect(f.update(22_000, Number.POSITIVE_INFINITY) & GasFault.NO_DATA).toBe(0);
    expect(f.update(23_000, Number.NaN) & GasFault.NO_DATA).toBeTruthy();
    expect(f.update(24_000, 2) & GasFault.NO_DATA).toBe(0);
  });

  it("no data before the first valid sample counts from power-on", () => {
    const f = new FaultMonitor(LIMITS, 0, 0);
    expect(f.update(2000, Number.NaN) & GasFault.NO_DATA).toBe(0);
    expect(f.update(3000, Number.NaN) & GasFault.NO_DATA).toBeTruthy();
  });

  it("out of range below the zero tolerance and (for a toxic cell) at full scale", () => {
    const f = new FaultMonitor(LIMITS, 0, 0);
    expect(f.update(20_000, -5) & GasFault.OUT_OF_RANGE).toBe(0);
    expect(f.update(21_000, -5.1) & GasFault.OUT_OF_RANGE).toBeTruthy();
    expect(f.update(22_000, 100) & GasFault.OUT_OF_RANGE).toBe(0);
    expect(f.update(23_000, 500.5) & GasFault.OUT_OF_RANGE).toBeTruthy();
    const ch4 = new FaultMonitor({ ...LIMITS, overRangeIsFault: false }, 0, 0);
    expect(ch4.update(20_000, 600) & GasFault.OUT_OF_RANGE).toBe(0);
  });

  it("stuck: no movement for stuckWindowMs; any movement restarts the window; flat zero is exempt", () => {
    const f = new FaultMonitor(LIMITS, 0, 0);
    let bits = 0;
    for (let t = 20_000; t < 80_000; t += 1000) bits = f.update(t, 12.3);
    expect(bits & GasFault.STUCK).toBe(0);
    expect(f.update(80_000, 12.3) & GasFault.STUCK).toBeTruthy();
    expect(f.update(81_000, 12.4) & GasFault.STUCK).toBe(0);
    const z = new FaultMonitor(LIMITS, 0, 0);
    for (let t = 20_000; t < 200_000; t += 1000) bits = z.update(t, 0);
    expect(bits & GasFault.STUCK).toBe(0);
  });

  it("no data keeps a stuck / out-of-range verdict (it cannot clear them)", () => {
    const f = new FaultMonitor(LIMITS, 0, 0);
    f.update(20_000, -50);
    expect(f.update(21_000, Number.NaN) & GasFault.OUT_OF_RANGE).toBeTruthy();
  });

  it("calibration overdue once tMs - calibratedAtMs > calIntervalMs", () => {
    const f = new FaultMonitor(LIMITS, 0, -50_000);
    expect(f.update(50_000, 1) & GasFault.CAL_OVERDUE).toBe(0);
    expect(f.update(50_001, 1) & GasFault.CAL_OVERDUE).toBeTruthy();
  });
});
