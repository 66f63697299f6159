/**
 * GasChannelPipeline's recent readings (for calibration) and continueReadings (a reconfigure of a sensor
 * that stayed powered): oldest first, NaN where no data, carried over with the filter's state.
 */
import { describe, expect, it } from "vitest";
import {
  GasChannelPipeline,
  GasFault,
  identityCalibration,
  RECENT_SAMPLES,
} from "../../../firmware/sensing/gas/index.js";

function co(startMs = 0): GasChannelPipeline {
  return new GasChannelPipeline({
    gas: "co",
    profile: "kz-ru-coal",
    location: "face",
    calibration: identityCalibration(startMs),
    periodMs: 1000,
    startMs,
  });
}

describe("GasChannelPipeline recent readings", () => {
  it("keeps the last RECENT_SAMPLES calibrated (unsmoothed) readings, oldest first, NaN for no data", () => {
    const p = co();
    const out = new Float64Array(RECENT_SAMPLES);
    p.recentValues(out);
    expect([...out].every(Number.isNaN)).toBe(true);
    for (let i = 1; i <= 7; i++) p.push(i * 1000, i === 6 ? Number.NaN : 10 * i);
    p.recentValues(out);
    expect(RECENT_SAMPLES).toBe(5);
    expect([...out.subarray(0, 3)]).toEqual([30, 40, 50]);
    expect(out[3]).toBeNaN();
    expect(out[4]).toBe(70);
    expect(p.filtered).toBeLessThan(70); // the smoothed value lags; the window does not
  });

  it("continueReadings takes over readings and filter state, keeps its own power-on time", () => {
    const old = co(0);
    for (let i = 1; i <= 10; i++) old.push(i * 1000, i < 8 ? 0 : 50);
    const next = co(0);
    next.continueReadings(old);
    expect(next.value).toBe(old.value);
    expect(next.filtered).toBe(old.filtered);
    const a = new Float64Array(RECENT_SAMPLES);
    const b = new Float64Array(RECENT_SAMPLES);
    old.recentValues(a);
    next.recentValues(b);
    expect([...b]).toEqual([...a]);
    old.push(11_000, 50);
    next.push(11_000, 50);
    expect(next.filtered).toBe(old.filtered); // the filter goes on where it was, not from the sample
    expect(next.faults & GasFault.WARM_UP).toBe(GasFault.WARM_UP); // still inside the 5 min from power-on
    expect(() => next.continueReadings(old)).toThrow(/continueReadings after samples were pushed/);
  });
});
