import { describe, expect, it } from "vitest";
import {
  GasError,
  identityCalibration,
  LinearTemperatureCompensation,
  TwoPointCalibration,
} from "../../../firmware/sensing/gas/index.js";

describe("TwoPointCalibration", () => {
  it("maps the zero and span readings onto the zero and span gas, linearly in between", () => {
    // A CH4 head that reads 0.02 on zero air and 2.06 on 2.00 %vol span gas.
    const cal = new TwoPointCalibration({
      zeroRaw: 0.02,
      zeroValue: 0,
      spanRaw: 2.06,
      spanValue: 2,
      calibratedAtMs: 0,
    });
    expect(cal.apply(0.02, Number.NaN)).toBeCloseTo(0, 12);
    expect(cal.apply(2.06, Number.NaN)).toBeCloseTo(2, 12);
    expect(cal.apply(1.04, Number.NaN)).toBeCloseTo(1, 12);
  });

  it("handles an O2 cell calibrated on nitrogen (0 %) and fresh air (20.9 %)", () => {
    const cal = new TwoPointCalibration({
      zeroRaw: 120,
      zeroValue: 0,
      spanRaw: 2210,
      spanValue: 20.9,
      calibratedAtMs: 0,
    });
    expect(cal.apply(2210, Number.NaN)).toBeCloseTo(20.9, 12);
    expect(cal.apply(1165, Number.NaN)).toBeCloseTo(10.45, 12);
  });

  it("passes non-finite raw readings through as non-finite (no data, never a number)", () => {
    const cal = new TwoPointCalibration(identityCalibration(0));
    expect(cal.apply(Number.NaN, 20)).toBeNaN();
    expect(Number.isFinite(cal.apply(Number.POSITIVE_INFINITY, 20))).toBe(false);
  });

  it("rejects unusable calibrations with a code and the value", () => {
    const bad = { zeroRaw: 1, zeroValue: 0, spanRaw: 1, spanValue: 2, calibratedAtMs: 0 };
    expect(() => new TwoPointCalibration(bad)).toThrow(/spanRaw equals zeroRaw \(1\)/);
    try {
      new TwoPointCalibration({ ...bad, spanRaw: Number.NaN });
    } catch (e) {
      expect(e).toBeInstanceOf(GasError);
      expect((e as GasError).code).toBe("bad-calibration");
      expect((e as GasError).value).toBeNaN();
    }
    expect(() => new TwoPointCalibration({ ...bad, spanRaw: 3, spanValue: 0 })).toThrow(/spanValue equals/);
  });
});

describe("LinearTemperatureCompensation (the hook)", () => {
  it("removes zero drift and span drift around the reference temperature", () => {
    // 0.5 ppm/degC zero drift and +1 %/degC span drift, reference 20 degC.
    const tc = new LinearTemperatureCompensation(20, 0.5, 1);
    // True 50 ppm at 30 degC reads (50 * 1.1) + 5 = 60 ppm.
    expect(tc.compensate(60, 30)).toBeCloseTo(50, 12);
    expect(tc.compensate(60, 20)).toBe(60);
    expect(tc.compensate(60, Number.NaN)).toBe(60);
  });

  it("is called by the calibration stage with the sample's temperature", () => {
    const cal = new TwoPointCalibration(identityCalibration(0), new LinearTemperatureCompensation(20, 1, 0));
    expect(cal.apply(10, 25)).toBeCloseTo(5, 12);
  });

  it("rejects impossible coefficients", () => {
    expect(() => new LinearTemperatureCompensation(20, 0, 9)).toThrow(/spanDriftPctPerC 9/);
    expect(() => new LinearTemperatureCompensation(Number.NaN, 0, 0)).toThrow(/referenceC/);
  });
});
