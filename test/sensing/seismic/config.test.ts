/** Bad configuration and bad input: each refused with a specific code, the offending value, and no state change. */
import { describe, expect, it } from "vitest";
import {
  MAX_CLASSIC_LTA_SAMPLES,
  resolveSeismicConfig,
  type SeismicConfig,
  SeismicDetector,
  SeismicError,
  SeismicEvent,
} from "../../../firmware/sensing/seismic/index.js";
import { makeTrace } from "./signals.js";

const OK: SeismicConfig = { sampleRateHz: 100, staS: 0.5, ltaS: 10, onThreshold: 4, offThreshold: 1.5 };

function errorOf(f: () => unknown): SeismicError {
  try {
    f();
  } catch (e) {
    if (e instanceof SeismicError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

describe("configuration", () => {
  it("defaults and sample conversions", () => {
    const c = resolveSeismicConfig(OK);
    expect(c.nsta).toBe(50);
    expect(c.nlta).toBe(1000);
    expect(c.method).toBe("recursive");
    expect(c.highPassHz).toBe(0.2);
    expect(c.postEventSamples).toBe(200);
    expect(c.ppvProfile.name).toBe("usbm-ri8507-plaster");
    expect(c.maxGapMs).toBe(100);
  });

  const cases: Array<[string, Partial<Record<keyof SeismicConfig, unknown>>, unknown]> = [
    ["sampleRateHz", { sampleRateHz: 0 }, 0],
    ["sampleRateHz", { sampleRateHz: Number.NaN }, Number.NaN],
    ["staS", { staS: "0.5" }, "0.5"],
    ["staS", { staS: 0.001 }, 0.001],
    ["ltaS", { ltaS: 0.5 }, 0.5],
    ["offThreshold", { offThreshold: 5 }, 5],
    ["onThreshold", { onThreshold: -1 }, -1],
    ["method", { method: "fast" }, "fast"],
    ["preEventMs", { preEventMs: -10 }, -10],
    ["highPassHz", { highPassHz: 40 }, 40],
    ["warnFraction", { warnFraction: 1.5 }, 1.5],
    ["ppvProfile", { ppvProfile: 7 }, 7],
  ];
  for (const [field, patch, value] of cases) {
    it(`refuses ${field} = ${String(value)} naming field and value`, () => {
      const e = errorOf(() => new SeismicDetector({ ...OK, ...patch } as SeismicConfig));
      expect(e.code).toBe("bad-config");
      expect(e.value).toEqual(value);
      expect(e.message).toContain(field);
    });
  }

  it("refuses a missing required field", () => {
    const { onThreshold: _, ...rest } = OK;
    const e = errorOf(() => new SeismicDetector(rest as SeismicConfig));
    expect(e.message).toMatch(/onThreshold .* is required/);
  });

  it("caps the classic LTA ring (memory) and says why", () => {
    const e = errorOf(() => new SeismicDetector({ ...OK, method: "classic", ltaS: 60 }));
    expect(e.message).toContain(String(MAX_CLASSIC_LTA_SAMPLES));
    expect(e.value).toBe(60);
  });

  it("an unknown profile name", () => {
    expect(errorOf(() => new SeismicDetector({ ...OK, ppvProfile: "nope" })).code).toBe("unknown-profile");
  });
});

describe("bad samples", () => {
  const t = makeTrace(2, 100, 30, 0.002, [{ startS: 20, vx: 0.003, vy: 0, vz: 0, freqHz: 8, k: 4 }]);
  const feed = (d: SeismicDetector, from: number, to: number) => {
    for (let i = from; i < to; i++) d.push(t.tMs[i]!, t.xyz[3 * i]!, t.xyz[3 * i + 1]!, t.xyz[3 * i + 2]!);
  };
  const outputs = (d: SeismicDetector) => {
    d.flush();
    const out: SeismicEvent[] = [];
    for (let ev = new SeismicEvent(); d.takeEvent(ev); ev = new SeismicEvent()) out.push(ev);
    return out;
  };

  it("NaN, Infinity and time going backwards are refused and leave the detector as it was", () => {
    const clean = new SeismicDetector(OK);
    feed(clean, 0, t.count);
    const dirty = new SeismicDetector(OK);
    feed(dirty, 0, 1500);
    let e = errorOf(() => dirty.push(t.tMs[1500]!, 0, Number.NaN, 9.8));
    expect([e.code, e.message]).toEqual([
      "sample-not-finite",
      `seismic sample at ${t.tMs[1500]} ms: y = NaN m/s^2`,
    ]);
    expect(e.value).toBeNaN();
    e = errorOf(() => dirty.push(t.tMs[1500]!, 0, 0, Number.POSITIVE_INFINITY));
    expect([e.code, e.value]).toEqual(["sample-not-finite", Number.POSITIVE_INFINITY]);
    e = errorOf(() => dirty.push(t.tMs[1499]!, 0, 0, 9.8));
    expect([e.code, e.value]).toEqual(["time-not-increasing", t.tMs[1499]]);
    e = errorOf(() => dirty.push(Number.NaN, 0, 0, 9.8));
    expect(e.code).toBe("time-not-increasing");
    feed(dirty, 1500, t.count);
    const want = outputs(clean);
    expect(want.length).toBeGreaterThan(0);
    expect(outputs(dirty)).toEqual(want);
  });

  it("pushBlock takes the samples before a bad one, then throws", () => {
    const d = new SeismicDetector(OK);
    const tMs = Float64Array.from([0, 10, 20, 30]);
    const xyz = Float64Array.from([0, 0, 9.8, 0, 0, 9.8, 0, 0, Number.NaN, 0, 0, 9.8]);
    expect(errorOf(() => d.pushBlock(tMs, xyz, 4)).code).toBe("sample-not-finite");
    // Samples 0 and 10 ms were taken; the refused one at 20 ms was not.
    expect(errorOf(() => d.push(10, 0, 0, 9.8)).code).toBe("time-not-increasing");
    expect(() => d.push(20, 0, 0, 9.8)).not.toThrow();
    const e = errorOf(() => d.pushBlock(tMs, xyz, 5));
    expect([e.code, e.value]).toEqual(["bad-block", 5]);
  });
});
