/**
 * Independent check of the characteristic functions and the trigger: the firmware's streaming STA/LTA
 * (the classes and the detector's inline recursive form) against float64 references written from ObsPy's
 * published definitions (reference.ts), on the real IU.COLA LHZ trace and on seeded synthetic data.
 *
 * Stated tolerance: |cf_firmware - cf_reference| <= 1e-9 x max(1, |cf_reference|) at every sample (the
 * recursive form does the same operations in the same order and in fact agrees exactly; the classic form
 * uses running sums where the reference differences a cumulative sum, so the two round differently).
 */
import { describe, expect, it } from "vitest";
import {
  ClassicStaLta,
  RecursiveStaLta,
  SeismicDetector,
  SeismicEvent,
} from "../../../firmware/sensing/seismic/index.js";
import { Prng } from "../../../host-sim/prng.js";
import { loadColaTrace } from "./real-trace.js";
import { classicStaLtaRef, recursiveStaLtaRef, triggerOnsetRef } from "./reference.js";

const TOLERANCE = 1e-9;

function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    if (!(e <= worst)) worst = e; // NaN counts as worst
  }
  return worst;
}

function runClass(cls: { push(e: number): number }, a: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = cls.push(a[i]! * a[i]!);
  return out;
}

/** A seeded synthetic trace: gaussian noise with a few decaying bursts, as an accelerometer might see. */
function synthetic(seed: number, n: number, rateHz: number): Float64Array {
  const p = new Prng(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = p.gaussian(0, 0.002);
  for (let b = 0; b < 6; b++) {
    const start = p.int(Math.floor(n / 10), n - rateHz);
    const amp = 0.01 + p.next() * 0.5;
    const f = 5 + p.next() * 80;
    for (let i = 0; start + i < n && i < rateHz; i++) {
      const t = i / rateHz;
      a[start + i]! += amp * Math.exp(-6 * t) * Math.sin(2 * Math.PI * f * t);
    }
  }
  return a;
}

/** Feeds x = a[i] (y = z = 0) at 1 sample per period with no high-pass; returns the detector's ratio per sample. */
function detectorCf(
  a: ArrayLike<number>,
  rateHz: number,
  nsta: number,
  nlta: number,
  method: "recursive" | "classic",
) {
  const det = new SeismicDetector({
    sampleRateHz: rateHz,
    staS: nsta / rateHz,
    ltaS: nlta / rateHz,
    method,
    onThreshold: 1e6,
    offThreshold: 1e6,
    highPassHz: 0,
  });
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    det.push((i * 1000) / rateHz, a[i]!, 0, 0);
    out[i] = det.lastRatio;
  }
  return out;
}

describe("STA/LTA characteristic functions match ObsPy's definitions", () => {
  const trace = loadColaTrace();
  // With highPassHz 0 the detector's "acceleration" is x - x[0]; give the references the same series.
  const counts = trace.counts;
  const fromFirst = counts.map((v) => v - counts[0]!);

  it("decodes the real trace: 4200 samples at 1 sample/s from 2010-02-27 06:50:00 UTC", () => {
    expect(counts.length).toBe(4200);
    expect(trace.sampleRateHz).toBe(1);
    expect(new Date(trace.startMs).toISOString().slice(0, 19)).toBe("2010-02-27T06:50:00");
  });

  for (const [nsta, nlta] of [
    [5, 100],
    [10, 300],
    [3, 30],
  ] as const) {
    it(`recursive, real data, nsta ${nsta} nlta ${nlta}: class and detector within ${TOLERANCE}`, () => {
      const ref = recursiveStaLtaRef(counts, nsta, nlta);
      expect(maxRelError(runClass(new RecursiveStaLta(nsta, nlta), counts), ref)).toBeLessThanOrEqual(
        TOLERANCE,
      );
      const refDet = recursiveStaLtaRef(fromFirst, nsta, nlta);
      expect(maxRelError(detectorCf(counts, 1, nsta, nlta, "recursive"), refDet)).toBeLessThanOrEqual(
        TOLERANCE,
      );
      // The check has teeth: the reference is not flat, and an off-by-one in the window is caught.
      expect(Math.max(...ref)).toBeGreaterThan(3);
      expect(maxRelError(runClass(new RecursiveStaLta(nsta, nlta + 1), counts), ref)).toBeGreaterThan(1e-3);
    });

    it(`classic, real data, nsta ${nsta} nlta ${nlta}: class and detector within ${TOLERANCE}`, () => {
      const ref = classicStaLtaRef(counts, nsta, nlta);
      expect(maxRelError(runClass(new ClassicStaLta(nsta, nlta), counts), ref)).toBeLessThanOrEqual(
        TOLERANCE,
      );
      const refDet = classicStaLtaRef(fromFirst, nsta, nlta);
      expect(maxRelError(detectorCf(counts, 1, nsta, nlta, "classic"), refDet)).toBeLessThanOrEqual(
        TOLERANCE,
      );
      expect(maxRelError(runClass(new ClassicStaLta(nsta + 1, nlta), counts), ref)).toBeGreaterThan(1e-3);
    });
  }

  for (const seed of [1, 2, 3]) {
    it(`synthetic 1 kHz noise and bursts (seed ${seed}): both forms within ${TOLERANCE}`, () => {
      const a = synthetic(seed, 20_000, 1000);
      const rec = recursiveStaLtaRef(a, 50, 2000);
      const cla = classicStaLtaRef(a, 50, 2000);
      expect(maxRelError(runClass(new RecursiveStaLta(50, 2000), a), rec)).toBeLessThanOrEqual(TOLERANCE);
      expect(maxRelError(runClass(new ClassicStaLta(50, 2000), a), cla)).toBeLessThanOrEqual(TOLERANCE);
      const shifted = a.map((v) => v - a[0]!);
      const recD = recursiveStaLtaRef(shifted, 50, 2000);
      expect(maxRelError(detectorCf(a, 1000, 50, 2000, "recursive"), recD)).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it("classic running sums stay on the reference over many window lengths (drift control)", () => {
    const a = synthetic(9, 200_000, 1000);
    const cls = new ClassicStaLta(40, 400);
    const got = runClass(cls, a);
    const ref = classicStaLtaRef(a, 40, 400);
    expect(maxRelError(got.subarray(190_000), ref.subarray(190_000))).toBeLessThanOrEqual(TOLERANCE);
  });

  it("reset() starts over exactly as a new instance", () => {
    const a = synthetic(4, 3000, 100);
    for (const make of [() => new RecursiveStaLta(10, 200), () => new ClassicStaLta(10, 200)]) {
      const used = make();
      runClass(used, a);
      used.reset();
      expect(Array.from(runClass(used, a))).toEqual(Array.from(runClass(make(), a)));
    }
  });
});

describe("trigger on/off matches ObsPy trigger_onset", () => {
  function detectorPairs(a: ArrayLike<number>, on: number, off: number, maxEventSamples?: number) {
    const det = new SeismicDetector({
      sampleRateHz: 1,
      staS: 5,
      ltaS: 100,
      onThreshold: on,
      offThreshold: off,
      highPassHz: 0,
      preEventMs: 0,
      postEventMs: 0,
      maxEventMs: maxEventSamples === undefined ? 86_400_000 : maxEventSamples * 1000,
    });
    const ev = new SeismicEvent();
    const pairs: Array<[number, number]> = [];
    const take = () => {
      while (det.takeEvent(ev)) if (ev.phase === 2) pairs.push([ev.onIndex, ev.offIndex]);
    };
    for (let i = 0; i < a.length; i++) {
      det.push(i * 1000, a[i]!, 0, 0);
      take();
    }
    det.flush();
    take();
    return pairs;
  }

  const counts = loadColaTrace().counts;
  const fromFirst = counts.map((v) => v - counts[0]!);
  const cf = recursiveStaLtaRef(fromFirst, 5, 100);

  for (const [on, off] of [
    [4, 1.5],
    [3, 1],
    [2.5, 2.5],
    [6, 0.8],
  ] as const) {
    it(`real data, on ${on} off ${off}: same [on, off] sample pairs`, () => {
      const want = triggerOnsetRef(cf, on, off);
      expect(want.length).toBeGreaterThan(0);
      expect(detectorPairs(counts, on, off)).toEqual(want);
    });
  }

  it("max_len: long triggers are cut at on + max_len and re-arm only on a new rise through `on`", () => {
    const want = triggerOnsetRef(cf, 2, 0.5, 20);
    expect(want.some(([a, b]) => b - a === 20)).toBe(true);
    expect(detectorPairs(counts, 2, 0.5, 20)).toEqual(want);
  });
});
