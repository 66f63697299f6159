/**
 * XS entry for the seismic detector (test/xs/seismic.test.ts, bench/seismic.bench.ts). The same module runs
 * in Node, so both engines get identical bytes in and must give identical bytes out.
 *
 * Request: byte 0 = command.
 *   0 configure: byte 1 = preset (PRESETS below); starts a fresh detector.
 *   1 push: from byte 8, n samples of four float64 LE (tMs, x, y, z); reply = queued outputs.
 *   2 flush: reply = queued outputs.
 *   3 baseline: same payload as push, runs one bare one-pole IIR per axis (the DESIGN.md yardstick, ~29
 *     units a sample) so a bench can state the detector's cost as a ratio against it in the same run.
 *   4 decode only: same payload, only reads the samples (subtracted from 1 and 3 to get their own cost).
 * Reply (push/flush/baseline/decode): u32 result bits, u32 events, u32 summaries, u32 dropped, then per event EVENT_FIELDS
 * float64, per summary SUMMARY_FIELDS float64 (all LE).
 * Buffers are allocated once here; per call the harness allocates a constant few objects (request, views).
 */
import {
  PushResult,
  type SeismicConfig,
  SeismicDetector,
  SeismicEvent,
  SeismicSummary,
} from "../../../firmware/sensing/seismic/index.js";

export const PRESETS: readonly SeismicConfig[] = [
  // 0: product default at 1 kHz, recursive STA/LTA.
  {
    sampleRateHz: 1000,
    staS: 0.05,
    ltaS: 5,
    onThreshold: 4,
    offThreshold: 1.5,
    preEventMs: 500,
    postEventMs: 1000,
    summaryPeriodMs: 1000,
  },
  // 1: classic STA/LTA at 1 kHz (ring of 4000 samples).
  {
    sampleRateHz: 1000,
    staS: 0.05,
    ltaS: 4,
    method: "classic",
    onThreshold: 4,
    offThreshold: 1.5,
    preEventMs: 500,
    postEventMs: 1000,
    summaryPeriodMs: 1000,
  },
  // 2: 100 Hz, DIN 4150-3 line 2 limits.
  {
    sampleRateHz: 100,
    staS: 0.5,
    ltaS: 10,
    onThreshold: 3.5,
    offThreshold: 1.5,
    preEventMs: 1000,
    postEventMs: 2000,
    summaryPeriodMs: 5000,
    ppvProfile: "din4150-3-line2",
  },
  // 3: 1 sample/s broadband (the real IU.COLA LHZ trace), as in test/sensing/seismic/real-detection.test.ts.
  {
    sampleRateHz: 1,
    staS: 5,
    ltaS: 100,
    onThreshold: 4,
    offThreshold: 1.5,
    highPassHz: 0.01,
    preEventMs: 10_000,
    postEventMs: 20_000,
    maxEventMs: 600_000,
    summaryPeriodMs: 600_000,
  },
];

export const EVENT_FIELDS = 28;
export const SUMMARY_FIELDS = 15;
const MAX_SAMPLES = 8192;
const MAX_REPLY = 16 + 64 * EVENT_FIELDS * 8 + 64 * SUMMARY_FIELDS * 8;

const tMs = new Float64Array(MAX_SAMPLES);
const xyz = new Float64Array(3 * MAX_SAMPLES);
const replyBytes = new Uint8Array(MAX_REPLY);
const reply = new DataView(replyBytes.buffer);
const ev = new SeismicEvent();
const su = new SeismicSummary();
let detector = new SeismicDetector(PRESETS[0]!);
let hx = 0;
let hy = 0;
let hz = 0;
let px = 0;
let py = 0;
let pz = 0;

let w = 0;

function put(v: number): void {
  reply.setFloat64(w, v, true);
  w += 8;
}

/** Field by field (no temporary array), so the heap check sees only what the detector allocates. */
function writeEvent(e: SeismicEvent): void {
  put(e.phase);
  put(e.id);
  put(e.onsetMs);
  put(e.offMs);
  put(e.durationMs);
  put(e.onIndex);
  put(e.offIndex);
  put(e.windowStartMs);
  put(e.windowEndMs);
  put(e.pgaXMPerS2);
  put(e.pgaYMPerS2);
  put(e.pgaZMPerS2);
  put(e.pgaMPerS2);
  put(e.ppvXMmPerS);
  put(e.ppvYMmPerS);
  put(e.ppvZMmPerS);
  put(e.ppvMmPerS);
  put(e.ppvAxis);
  put(e.freqXHz);
  put(e.freqYHz);
  put(e.freqZHz);
  put(e.dominantFreqHz);
  put(e.staLtaPeak);
  put(e.retriggers);
  put(e.flags);
  put(e.ppvLimitMmPerS);
  put(e.ppvRatio);
  put(e.ppvClass);
}

function writeSummary(s: SeismicSummary): void {
  put(s.startMs);
  put(s.endMs);
  put(s.samples);
  put(s.rmsXMPerS2);
  put(s.rmsYMPerS2);
  put(s.rmsZMPerS2);
  put(s.peakXMPerS2);
  put(s.peakYMPerS2);
  put(s.peakZMPerS2);
  put(s.ppvXMmPerS);
  put(s.ppvYMmPerS);
  put(s.ppvZMmPerS);
  put(s.events);
  put(s.gaps);
  put(s.warmupSamples);
}

/** Writes the queued outputs. */
function drain(bits: number): Uint8Array {
  w = 16;
  let events = 0;
  let summaries = 0;
  while (detector.takeEvent(ev)) {
    writeEvent(ev);
    events++;
  }
  while (detector.takeSummary(su)) {
    writeSummary(su);
    summaries++;
  }
  reply.setUint32(0, bits, true);
  reply.setUint32(4, events, true);
  reply.setUint32(8, summaries, true);
  reply.setUint32(12, detector.droppedEvents + detector.droppedSummaries, true);
  return replyBytes.subarray(0, w);
}

function readSamples(req: Uint8Array): number {
  const view = new DataView(req.buffer, req.byteOffset, req.byteLength);
  const n = (req.byteLength - 8) >> 5;
  for (let i = 0, o = 8; i < n; i++, o += 32) {
    tMs[i] = view.getFloat64(o, true);
    xyz[3 * i] = view.getFloat64(o + 8, true);
    xyz[3 * i + 1] = view.getFloat64(o + 16, true);
    xyz[3 * i + 2] = view.getFloat64(o + 24, true);
  }
  return n;
}

export function handle(req: Uint8Array): Uint8Array {
  const cmd = req[0];
  if (cmd === 0) {
    detector = new SeismicDetector(PRESETS[req[1]!]!);
    return drain(0);
  }
  if (cmd === 1) {
    const n = readSamples(req);
    return drain(detector.pushBlock(tMs, xyz, n));
  }
  if (cmd === 2) return drain(detector.flush());
  if (cmd === 3) {
    const n = readSamples(req);
    const a = 0.9987;
    for (let i = 0, k = 0; i < n; i++, k += 3) {
      const x = xyz[k]!;
      const y = xyz[k + 1]!;
      const z = xyz[k + 2]!;
      hx = a * (hx + x - px);
      hy = a * (hy + y - py);
      hz = a * (hz + z - pz);
      px = x;
      py = y;
      pz = z;
    }
    return drain(PushResult.None);
  }
  if (cmd === 4) {
    readSamples(req);
    return drain(PushResult.None);
  }
  throw new Error(`seismic entry: unknown command ${cmd}`);
}
