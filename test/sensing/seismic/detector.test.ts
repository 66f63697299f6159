/**
 * The detector's behaviour on seeded synthetic 3-axis data whose true PPV, PGA and frequency are known in
 * closed form (signals.ts): event measurements, pre/post windows, re-trigger, truncation, gaps, telemetry.
 */
import { describe, expect, it } from "vitest";
import {
  EventFlag,
  EventPhase,
  PpvClass,
  PushResult,
  type SeismicConfig,
  SeismicDetector,
  SeismicEvent,
  SeismicSummary,
} from "../../../firmware/sensing/seismic/index.js";
import { type Burst, highPass, makeTrace, type Trace, truePpv } from "./signals.js";

const BASE: SeismicConfig = {
  sampleRateHz: 1000,
  staS: 0.05,
  ltaS: 5,
  onThreshold: 4,
  offThreshold: 1.5,
  preEventMs: 500,
  postEventMs: 1000,
  summaryPeriodMs: 10_000,
};

interface Run {
  events: SeismicEvent[];
  finals: SeismicEvent[];
  summaries: SeismicSummary[];
  /** Index of the sample whose push returned Onset, per onset in order. */
  onsetPushIndex: number[];
  det: SeismicDetector;
}

function run(trace: Trace, config: SeismicConfig = BASE, block = 0): Run {
  const det = new SeismicDetector(config);
  const r: Run = { events: [], finals: [], summaries: [], onsetPushIndex: [], det };
  const drain = () => {
    for (let ev = new SeismicEvent(); det.takeEvent(ev); ev = new SeismicEvent()) {
      r.events.push(ev);
      if (ev.phase === EventPhase.Final) r.finals.push(ev);
    }
    for (let s = new SeismicSummary(); det.takeSummary(s); s = new SeismicSummary()) r.summaries.push(s);
  };
  if (block > 0) {
    for (let i = 0; i < trace.count; i += block) {
      const n = Math.min(block, trace.count - i);
      det.pushBlock(trace.tMs.subarray(i), trace.xyz.subarray(3 * i), n);
      drain();
    }
  } else {
    for (let i = 0; i < trace.count; i++) {
      const bits = det.push(trace.tMs[i]!, trace.xyz[3 * i]!, trace.xyz[3 * i + 1]!, trace.xyz[3 * i + 2]!);
      if (bits & PushResult.Onset) r.onsetPushIndex.push(i);
      drain();
    }
  }
  det.flush();
  drain();
  return r;
}

const within = (got: number, want: number, rel: number) => Math.abs(got - want) <= rel * Math.abs(want);

describe("event measurements", () => {
  const burst: Burst = { startS: 12, vx: 0.002, vy: 0.0002, vz: 0.001, freqHz: 40, k: 8 };
  const trace = makeTrace(11, 1000, 20, 0.001, [burst]);
  const r = run(trace);

  it("one event, onset queued by the very push whose sample crossed `on`", () => {
    expect(r.finals).toHaveLength(1);
    const onset = r.events[0]!;
    expect(onset.phase).toBe(EventPhase.Onset);
    expect(r.onsetPushIndex).toEqual([onset.onIndex]);
    // The STA (50 ms) reaches 4 x LTA within a few cycles of the 40 Hz burst.
    expect(onset.onsetMs).toBeGreaterThanOrEqual(12_000);
    expect(onset.onsetMs).toBeLessThan(12_040);
  });

  it("PPV per axis within 2 % of the true peak velocity; PPV axis x; frequency within 2 %", () => {
    const ev = r.finals[0]!;
    expect(within(ev.ppvXMmPerS, truePpv(burst, burst.vx) * 1000, 0.02)).toBe(true);
    expect(within(ev.ppvZMmPerS, truePpv(burst, burst.vz) * 1000, 0.02)).toBe(true);
    expect(ev.ppvAxis).toBe(0);
    expect(ev.ppvMmPerS).toBe(ev.ppvXMmPerS);
    expect(within(ev.dominantFreqHz, 40, 0.02)).toBe(true);
    expect(within(ev.freqZHz, 40, 0.02)).toBe(true);
    expect(ev.flags & EventFlag.FrequencyBound).toBe(0);
  });

  it("PGA per axis equals max |high-passed a| over the reported window (recomputed independently)", () => {
    const ev = r.finals[0]!;
    const i0 = Math.round(ev.windowStartMs);
    const i1 = Math.round(ev.windowEndMs);
    expect(ev.windowStartMs).toBeLessThanOrEqual(ev.onsetMs - 500);
    expect(ev.windowEndMs).toBe(ev.offMs + 1000);
    for (const [axis, got] of [
      [0, ev.pgaXMPerS2],
      [1, ev.pgaYMPerS2],
      [2, ev.pgaZMPerS2],
    ] as const) {
      const hp = highPass(trace.xyz, 3, axis, trace.count, 1000, 0.2);
      let peak = 0;
      for (let i = i0; i <= i1; i++) peak = Math.max(peak, Math.abs(hp[i]!));
      expect(got).toBeCloseTo(peak, 12);
    }
    expect(ev.pgaMPerS2).toBe(Math.max(ev.pgaXMPerS2, ev.pgaYMPerS2, ev.pgaZMPerS2));
  });

  it("duration from on to the last sample >= off; STA/LTA peak recorded", () => {
    const ev = r.finals[0]!;
    expect(ev.durationMs).toBe(ev.offMs - ev.onsetMs);
    expect(ev.durationMs).toBeGreaterThan(100);
    expect(ev.durationMs).toBeLessThan(2000);
    expect(ev.staLtaPeak).toBeGreaterThan(4);
  });

  it("push and pushBlock give the same records", () => {
    const byBlock = run(trace, BASE, 777);
    expect(byBlock.events).toEqual(r.events);
    expect(byBlock.summaries).toEqual(r.summaries);
  });
});

describe("classification by PPV limits", () => {
  // 10 mm/s at 40 Hz: DIN 4150-3 line 1 allows 35 mm/s at 40 Hz, line 3 allows 6.75 mm/s.
  const burst: Burst = { startS: 8, vx: 0.01, vy: 0, vz: 0, freqHz: 40, k: 8 };
  const trace = makeTrace(5, 1000, 12, 0.001, [burst]);
  it("the same event is below on line 1, exceeds on line 3, and reads the curve at its own frequency", () => {
    const l1 = run(trace, { ...BASE, ppvProfile: "din4150-3-line1" }).finals[0]!;
    const l3 = run(trace, { ...BASE, ppvProfile: "din4150-3-line3" }).finals[0]!;
    expect(l1.ppvClass).toBe(PpvClass.Below);
    expect(l3.ppvClass).toBe(PpvClass.Exceeds);
    expect(l1.ppvLimitMmPerS).toBeCloseTo(20 + (20 * (l1.dominantFreqHz - 10)) / 40, 9);
    expect(l3.ppvRatio).toBeCloseTo(l3.ppvMmPerS / l3.ppvLimitMmPerS, 12);
    const warn = run(trace, { ...BASE, ppvProfile: "din4150-3-line1", warnFraction: 0.25 }).finals[0]!;
    expect(warn.ppvClass).toBe(PpvClass.Warning);
  });
});

describe("re-trigger, truncation and gaps", () => {
  it("a second burst inside the post-event window extends the event; one beyond it is a new event", () => {
    const near = makeTrace(3, 1000, 16, 0.001, [
      { startS: 8, vx: 0.002, vy: 0, vz: 0, freqHz: 30, k: 20 },
      { startS: 8.9, vx: 0.02, vy: 0, vz: 0, freqHz: 30, k: 20 },
    ]);
    const a = run(near, { ...BASE, postEventMs: 1500 });
    expect(a.finals).toHaveLength(1);
    expect(a.finals[0]!.retriggers).toBeGreaterThanOrEqual(1);
    const b = run(near, { ...BASE, postEventMs: 100 });
    expect(b.finals).toHaveLength(2);
    expect(b.finals[1]!.onsetMs).toBeGreaterThanOrEqual(8900);
  });

  it("a trigger that stays on is cut at maxEventMs and flagged Truncated", () => {
    const t = makeTrace(4, 500, 30, 0.001, [
      { startS: 10, vx: 0.02, vy: 0.02, vz: 0.02, freqHz: 25, k: 0.05 },
    ]);
    const r = run(t, { ...BASE, sampleRateHz: 500, ltaS: 5, maxEventMs: 3000, offThreshold: 0.5 });
    const cut = r.finals.find((e) => e.flags & EventFlag.Truncated);
    expect(cut).toBeDefined();
    expect(cut!.offIndex - cut!.onIndex).toBe(1500);
  });

  it("a gap closes the open event (Gap), counts in the summary, and the LTA warms up again", () => {
    const t = makeTrace(6, 1000, 14, 0.001, [{ startS: 10, vx: 0.01, vy: 0, vz: 0, freqHz: 30, k: 2 }]);
    const det = new SeismicDetector(BASE);
    const ev = new SeismicEvent();
    let i = 0;
    for (; i < 10_300; i++) det.push(t.tMs[i]!, t.xyz[3 * i]!, t.xyz[3 * i + 1]!, t.xyz[3 * i + 2]!);
    expect(det.triggered).toBe(true);
    const bits = det.push(t.tMs[i]! + 5000, 0, 0, 9.8);
    expect(bits & PushResult.EventFinal).toBeTruthy();
    while (det.takeEvent(ev) && ev.phase !== EventPhase.Final);
    expect(ev.flags & EventFlag.Gap).toBeTruthy();
    expect(ev.windowEndMs).toBe(t.tMs[i - 1]);
    expect(det.warmingUp).toBe(true);
    expect(det.triggered).toBe(false);
    det.flush();
    const s = new SeismicSummary();
    let gaps = 0;
    while (det.takeSummary(s)) gaps += s.gaps;
    expect(gaps).toBe(1);
  });
});

describe("quiet data and telemetry", () => {
  it("ten minutes of stationary noise at 1 kHz: no trigger", () => {
    const t = makeTrace(21, 1000, 600, 0.002, []);
    const r = run(t, { ...BASE, summaryPeriodMs: 60_000 }, 4096);
    expect(r.finals).toHaveLength(0);
    expect(r.summaries).toHaveLength(10);
  });

  it("per period: RMS and peak of the high-passed acceleration per axis, recomputed independently", () => {
    const t = makeTrace(8, 200, 30, 0.003, [
      { startS: 14, vx: 0.003, vy: 0.001, vz: 0.002, freqHz: 12, k: 6 },
    ]);
    const r = run(t, { ...BASE, sampleRateHz: 200, summaryPeriodMs: 10_000 });
    expect(r.summaries.map((s) => s.samples)).toEqual([2000, 2000, 2000]);
    expect(r.summaries[1]!.events).toBe(1);
    for (let axis = 0; axis < 3; axis++) {
      const hp = highPass(t.xyz, 3, axis, t.count, 200, 0.2);
      r.summaries.forEach((s, p) => {
        let sq = 0;
        let peak = 0;
        for (let i = p * 2000; i < (p + 1) * 2000; i++) {
          sq += hp[i]! * hp[i]!;
          peak = Math.max(peak, Math.abs(hp[i]!));
        }
        const rms = [s.rmsXMPerS2, s.rmsYMPerS2, s.rmsZMPerS2][axis]!;
        const pk = [s.peakXMPerS2, s.peakYMPerS2, s.peakZMPerS2][axis]!;
        expect(rms).toBeCloseTo(Math.sqrt(sq / 2000), 12);
        expect(pk).toBeCloseTo(peak, 12);
      });
    }
    expect(r.summaries[0]!.startMs).toBe(0);
    expect(r.summaries[0]!.endMs).toBe(9995);
    expect(r.summaries[0]!.warmupSamples).toBe(1000);
  });

  it("an outbox the caller does not read loses the oldest records and says how many", () => {
    const det = new SeismicDetector({ ...BASE, sampleRateHz: 100, summaryPeriodMs: 10 });
    for (let i = 0; i < 30; i++) det.push(i * 10, 0, 0, 9.8);
    expect(det.pendingSummaries).toBe(4);
    expect(det.droppedSummaries).toBe(25);
    const s = new SeismicSummary();
    det.takeSummary(s);
    expect(s.startMs).toBe(250);
  });
});
