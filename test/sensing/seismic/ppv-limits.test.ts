import { describe, expect, it } from "vitest";
import {
  PPV_PROFILES,
  type PpvLimitProfile,
  ppvLimitMmPerS,
  ppvProfileNamed,
  SeismicError,
  validatePpvProfile,
} from "../../../firmware/sensing/seismic/index.js";

const IN = 25.4;
const limit = (name: string, f: number) => ppvLimitMmPerS(ppvProfileNamed(name), f);

describe("USBM RI 8507 Appendix B curves", () => {
  it("plaster: 0.030 in displacement, 0.50 in/s plateau, 0.008 in displacement, 2.0 in/s", () => {
    expect(limit("usbm-ri8507-plaster", 1)).toBeCloseTo(2 * Math.PI * 1 * 0.03 * IN, 9);
    expect(limit("usbm-ri8507-plaster", 2)).toBeCloseTo(2 * Math.PI * 2 * 0.03 * IN, 9);
    expect(limit("usbm-ri8507-plaster", 2.7)).toBeCloseTo(0.5 * IN, 9);
    expect(limit("usbm-ri8507-plaster", 8)).toBeCloseTo(0.5 * IN, 9);
    expect(limit("usbm-ri8507-plaster", 20)).toBeCloseTo(2 * Math.PI * 20 * 0.008 * IN, 9);
    // The Rhode Island rule's statement of the same curve: 0.05 f in/s above 10 Hz (2 pi x 0.008 = 0.0503).
    expect(limit("usbm-ri8507-plaster", 30) / IN).toBeCloseTo(0.05 * 30, 1);
    expect(limit("usbm-ri8507-plaster", 45)).toBeCloseTo(2 * IN, 9);
    expect(limit("usbm-ri8507-plaster", 500)).toBeCloseTo(2 * IN, 9);
  });

  it("drywall: 0.75 in/s plateau from about 4 Hz to about 15 Hz", () => {
    expect(limit("usbm-ri8507-drywall", 3)).toBeCloseTo(2 * Math.PI * 3 * 0.03 * IN, 9);
    expect(limit("usbm-ri8507-drywall", 4.1)).toBeCloseTo(0.75 * IN, 9);
    expect(limit("usbm-ri8507-drywall", 14.8)).toBeCloseTo(0.75 * IN, 9);
    expect(limit("usbm-ri8507-drywall", 16)).toBeCloseTo(2 * Math.PI * 16 * 0.008 * IN, 9);
  });
});

describe("DIN 4150-3:1999 Table 1 (foundation)", () => {
  it("lines 1 to 3 at band edges, inside bands (linear) and above 100 Hz", () => {
    for (const [name, v10, v50, v100] of [
      ["din4150-3-line1", 20, 40, 50],
      ["din4150-3-line2", 5, 15, 20],
      ["din4150-3-line3", 3, 8, 10],
    ] as const) {
      expect(limit(name, 0.5)).toBe(v10);
      expect(limit(name, 1)).toBe(v10);
      expect(limit(name, 10)).toBe(v10);
      expect(limit(name, 30)).toBeCloseTo((v10 + v50) / 2, 12);
      expect(limit(name, 50)).toBe(v50);
      expect(limit(name, 75)).toBeCloseTo((v50 + v100) / 2, 12);
      expect(limit(name, 100)).toBe(v100);
      expect(limit(name, 400)).toBe(v100);
    }
  });
});

describe("profiles as data", () => {
  it("every named profile names its source and passes validation", () => {
    for (const p of Object.values(PPV_PROFILES)) {
      expect(p.source.length).toBeGreaterThan(10);
      expect(validatePpvProfile(p)).toBe(p);
    }
  });

  it("an unknown name is a clear error naming it", () => {
    expect(() => ppvProfileNamed("din-4150")).toThrowError(/unknown PPV limit profile "din-4150"/);
    try {
      ppvProfileNamed("din-4150");
    } catch (e) {
      expect((e as SeismicError).code).toBe("unknown-profile");
      expect((e as SeismicError).value).toBe("din-4150");
    }
  });

  it("custom profiles with bad numbers are refused with the offending value", () => {
    const bad: Array<[PpvLimitProfile, unknown]> = [
      [{ name: "a", source: "x", freqHz: [1, 1], ppvMmPerS: [1, 2] }, 1],
      [{ name: "b", source: "x", freqHz: [1, 2], ppvMmPerS: [1, -2] }, -2],
      [{ name: "c", source: "x", freqHz: [1, 2], ppvMmPerS: [1] }, 2],
      [{ name: "d", source: "x", freqHz: [Number.NaN], ppvMmPerS: [1] }, Number.NaN],
    ];
    for (const [p, value] of bad) {
      try {
        validatePpvProfile(p);
        expect.unreachable(`profile ${p.name} accepted`);
      } catch (e) {
        expect(e).toBeInstanceOf(SeismicError);
        expect((e as SeismicError).code).toBe("bad-config");
        expect((e as SeismicError).value).toEqual(value);
      }
    }
  });
});
