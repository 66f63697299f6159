/**
 * Peak bookkeeping between samples and outputs: the detector's loop keeps per-sub-block peaks (squared |a|
 * and |v| per axis); each finished sub-block is filed here, in a small ring that lets an onset look back
 * over the pre-event window without a ring of raw samples, and folded into the telemetry period's peaks.
 * Allocates nothing after construction.
 */
import { PRE_EVENT_SUBBLOCKS } from "./config.js";
import type { SeismicSummary } from "./records.js";

/** Ring entry: start time, squared |a| peaks x y z, squared |v| peaks x y z. */
const STRIDE = 7;
/** PRE_EVENT_SUBBLOCKS span the window; two more absorb the short sub-blocks cut at period boundaries. */
const ENTRIES = PRE_EVENT_SUBBLOCKS + 2;

export class PeakHistory {
  #ring = new Float64Array(ENTRIES * STRIDE);
  #pos = 0;
  #count = 0;
  // Telemetry period peaks, squared.
  #a2x = 0;
  #a2y = 0;
  #a2z = 0;
  #v2x = 0;
  #v2y = 0;
  #v2z = 0;
  /** Events that started and gaps seen in the current telemetry period. */
  events = 0;
  gaps = 0;
  // Results of lookBack().
  startMs = 0;
  covered = false;
  a2x = 0;
  a2y = 0;
  a2z = 0;
  v2x = 0;
  v2y = 0;
  v2z = 0;

  /** Adds peaks to the telemetry period's (without filing them: after a gap the ring starts over). */
  fold(a2x: number, a2y: number, a2z: number, v2x: number, v2y: number, v2z: number): void {
    if (a2x > this.#a2x) this.#a2x = a2x;
    if (a2y > this.#a2y) this.#a2y = a2y;
    if (a2z > this.#a2z) this.#a2z = a2z;
    if (v2x > this.#v2x) this.#v2x = v2x;
    if (v2y > this.#v2y) this.#v2y = v2y;
    if (v2z > this.#v2z) this.#v2z = v2z;
  }

  /** Files a finished (or cut) sub-block starting at startMs and folds it into the telemetry period. */
  store(startMs: number, a2x: number, a2y: number, a2z: number, v2x: number, v2y: number, v2z: number): void {
    this.fold(a2x, a2y, a2z, v2x, v2y, v2z);
    const r = this.#ring;
    const o = this.#pos * STRIDE;
    r[o] = startMs;
    r[o + 1] = a2x;
    r[o + 2] = a2y;
    r[o + 3] = a2z;
    r[o + 4] = v2x;
    r[o + 5] = v2y;
    r[o + 6] = v2z;
    this.#pos = this.#pos + 1 === ENTRIES ? 0 : this.#pos + 1;
    if (this.#count < ENTRIES) this.#count++;
  }

  clearRing(): void {
    this.#count = 0;
  }

  /**
   * Peaks from `fromMs` on: the current sub-block (start curStartMs, peaks given) plus filed sub-blocks back
   * until one starts at or before fromMs. Sets startMs (where the covered span begins), covered (false when
   * history ran out first) and the squared peaks a2x..v2z.
   */
  lookBack(
    fromMs: number,
    curStartMs: number,
    a2x: number,
    a2y: number,
    a2z: number,
    v2x: number,
    v2y: number,
    v2z: number,
  ) {
    const r = this.#ring;
    let startMs = curStartMs;
    let covered = startMs <= fromMs;
    for (let k = 1; k <= this.#count && !covered; k++) {
      let p = this.#pos - k;
      if (p < 0) p += ENTRIES;
      const o = p * STRIDE;
      startMs = r[o]!;
      if (r[o + 1]! > a2x) a2x = r[o + 1]!;
      if (r[o + 2]! > a2y) a2y = r[o + 2]!;
      if (r[o + 3]! > a2z) a2z = r[o + 3]!;
      if (r[o + 4]! > v2x) v2x = r[o + 4]!;
      if (r[o + 5]! > v2y) v2y = r[o + 5]!;
      if (r[o + 6]! > v2z) v2z = r[o + 6]!;
      covered = startMs <= fromMs;
    }
    this.startMs = startMs;
    this.covered = covered;
    this.a2x = a2x;
    this.a2y = a2y;
    this.a2z = a2z;
    this.v2x = v2x;
    this.v2y = v2y;
    this.v2z = v2z;
  }

  /** Writes the period's peaks, counts and the given sums into `s`, then starts a new period. */
  emit(
    s: SeismicSummary,
    startMs: number,
    endMs: number,
    n: number,
    sxx: number,
    syy: number,
    szz: number,
    warm: number,
  ) {
    s.startMs = startMs;
    s.endMs = endMs;
    s.samples = n;
    s.rmsXMPerS2 = Math.sqrt(sxx / n);
    s.rmsYMPerS2 = Math.sqrt(syy / n);
    s.rmsZMPerS2 = Math.sqrt(szz / n);
    s.peakXMPerS2 = Math.sqrt(this.#a2x);
    s.peakYMPerS2 = Math.sqrt(this.#a2y);
    s.peakZMPerS2 = Math.sqrt(this.#a2z);
    s.ppvXMmPerS = Math.sqrt(this.#v2x) * 1000;
    s.ppvYMmPerS = Math.sqrt(this.#v2y) * 1000;
    s.ppvZMmPerS = Math.sqrt(this.#v2z) * 1000;
    s.events = this.events;
    s.gaps = this.gaps;
    s.warmupSamples = warm;
    this.#a2x = this.#a2y = this.#a2z = this.#v2x = this.#v2y = this.#v2z = 0;
    this.events = this.gaps = 0;
  }

  /**
   * The period's RMS particle velocity, mm/s: sqrt(mean(vx^2 + vy^2 + vz^2)) of the same high-passed,
   * leaky-integrated velocity the PPV comes from (block.ts), from the period's sum `svv` in (m/s)^2.
   */
  emitVelocityRms(s: SeismicSummary, n: number, svv: number): void {
    s.rmsVelocityMmPerS = n > 0 ? Math.sqrt(svv / n) * 1000 : 0;
  }
}
