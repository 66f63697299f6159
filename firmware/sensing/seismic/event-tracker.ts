/**
 * The open event's measurements. The detector's loop (block.ts) does the per-sample part inline, in locals
 * (STA/LTA peak, on/off indices, the zero-crossing bookkeeping of `axes`: a method call per crossing cost
 * ~20 % of the budget on XS), and folds each finished sub-block's |a| peaks into the squared PGA; this class
 * holds that state between blocks and on close turns it into the Final record with its PPV classification.
 * Allocates nothing after construction.
 */
import { PpvClass, type PpvLimitProfile, ppvLimitMmPerS } from "./ppv-limits.js";
import { EventFlag, EventPhase, SeismicEvent } from "./records.js";

/**
 * Per-axis state in `axes` (axis k at k * AXIS_STRIDE), read and written inline by the detector's loop:
 * the dominant frequency by zero crossings at the PPV peak (the half cycle that holds the peak, the way
 * blast seismograph reports read frequency for RI 8507 / DIN 4150-3). Crossing times are sample indices
 * interpolated linearly between samples. On a new peak, the last crossing becomes the one "before" it;
 * the next crossing then closes the half period. With no crossing before the peak on record, the first
 * crossing after it stands in as "before" and the second one closes the half period after the peak.
 */
/** Squared PPV so far, (m/s)^2. */
export const AXIS_PPV2 = 0;
/** Last zero crossing; -1 = none on record. */
export const AXIS_LAST_ZC = 1;
/** The crossing that opens the half period around the peak; -1 = none yet. */
export const AXIS_BEFORE = 2;
/** 1 while the half period around the current peak is still open, else 0. */
export const AXIS_OPEN = 3;
/** Half period around the PPV peak, samples; -1 = not known yet. */
export const AXIS_HALF = 4;
export const AXIS_STRIDE = 5;

export class EventTracker {
  /** The working record; the detector copies it into its outbox. */
  readonly ev = new SeismicEvent();
  /** Squared PGA per axis, (m/s^2)^2: folded by the detector's loop from sub-block peaks, handed over before a close. */
  pga2X = 0;
  pga2Y = 0;
  pga2Z = 0;
  /** Per-axis state, layout above. */
  readonly axes = new Float64Array(3 * AXIS_STRIDE);
  #startIndex = 0;
  #sampleRateHz: number;
  #profile: PpvLimitProfile;
  #warnFraction: number;

  constructor(sampleRateHz: number, profile: PpvLimitProfile, warnFraction: number) {
    this.#sampleRateHz = sampleRateHz;
    this.#profile = profile;
    this.#warnFraction = warnFraction;
  }

  /** Opens an event at sample `j` (time tMs, ratio cf); the window starts at `windowStartMs` / `startIndex`. */
  open(
    id: number,
    j: number,
    tMs: number,
    cf: number,
    windowStartMs: number,
    startIndex: number,
    partialPre: boolean,
  ) {
    const ev = this.ev;
    ev.phase = EventPhase.Onset;
    ev.id = id;
    ev.onsetMs = tMs;
    ev.offMs = tMs;
    ev.durationMs = 0;
    ev.onIndex = j;
    ev.offIndex = j;
    ev.windowStartMs = windowStartMs;
    ev.windowEndMs = tMs;
    ev.staLtaPeak = cf;
    ev.retriggers = 0;
    ev.flags = partialPre ? EventFlag.PartialPreEvent : 0;
    ev.ppvLimitMmPerS = ev.ppvRatio = ev.ppvClass = 0;
    ev.freqXHz = ev.freqYHz = ev.freqZHz = ev.dominantFreqHz = 0;
    this.#startIndex = startIndex;
  }

  /** Starting peaks of one axis (0, 1, 2) from the pre-event window: squared |a| and squared |v|. */
  initAxis(axis: number, pga2: number, ppv2: number): void {
    if (axis === 0) this.pga2X = pga2;
    else if (axis === 1) this.pga2Y = pga2;
    else this.pga2Z = pga2;
    const s = this.axes;
    const o = axis * AXIS_STRIDE;
    s[o + AXIS_PPV2] = ppv2;
    s[o + AXIS_LAST_ZC] = -1;
    s[o + AXIS_BEFORE] = -1;
    // A pre-event peak has no crossing before it on record: its half period is read after it.
    s[o + AXIS_OPEN] = ppv2 > 0 ? 1 : 0;
    s[o + AXIS_HALF] = -1;
  }

  /** Stores one axis's state as the detector's loop kept it in locals (layout above). */
  saveAxis(axis: number, ppv2: number, lastZc: number, before: number, open: number, half: number): void {
    const s = this.axes;
    const o = axis * AXIS_STRIDE;
    s[o + AXIS_PPV2] = ppv2;
    s[o + AXIS_LAST_ZC] = lastZc;
    s[o + AXIS_BEFORE] = before;
    s[o + AXIS_OPEN] = open;
    s[o + AXIS_HALF] = half;
  }

  /** Copies the peaks so far into the record (for the Onset notice and on close). */
  fillPeaks(): void {
    const ev = this.ev;
    const s = this.axes;
    ev.pgaXMPerS2 = Math.sqrt(this.pga2X);
    ev.pgaYMPerS2 = Math.sqrt(this.pga2Y);
    ev.pgaZMPerS2 = Math.sqrt(this.pga2Z);
    ev.pgaMPerS2 = Math.max(ev.pgaXMPerS2, ev.pgaYMPerS2, ev.pgaZMPerS2);
    ev.ppvXMmPerS = Math.sqrt(s[AXIS_PPV2]!) * 1000;
    ev.ppvYMmPerS = Math.sqrt(s[AXIS_STRIDE + AXIS_PPV2]!) * 1000;
    ev.ppvZMmPerS = Math.sqrt(s[2 * AXIS_STRIDE + AXIS_PPV2]!) * 1000;
    let axis = 0;
    let ppv = ev.ppvXMmPerS;
    if (ev.ppvYMmPerS > ppv) {
      axis = 1;
      ppv = ev.ppvYMmPerS;
    }
    if (ev.ppvZMmPerS > ppv) {
      axis = 2;
      ppv = ev.ppvZMmPerS;
    }
    ev.ppvAxis = axis;
    ev.ppvMmPerS = ppv;
  }

  /** Frequency of one axis at close, Hz; sets FrequencyBound when the PPV axis's value is only a bound. */
  #freqHz(axis: number, endIndex: number): number {
    const s = this.axes;
    const o = axis * AXIS_STRIDE;
    if (s[o + AXIS_PPV2]! === 0) return 0;
    let half = s[o + AXIS_HALF]!;
    if (!(half > 0)) {
      // No full half cycle around the peak inside the window: take the longest span it could be, a bound
      // toward lower frequency, which reads a lower (stricter) limit on both the RI 8507 and DIN curves.
      const before = s[o + AXIS_BEFORE]!;
      half = before >= 0 ? endIndex - before : endIndex - this.#startIndex + 1;
      if (axis === this.ev.ppvAxis) this.ev.flags |= EventFlag.FrequencyBound;
    }
    if (!(half > 0)) half = 1;
    return this.#sampleRateHz / (2 * half);
  }

  /** Final values; the window ends at sample `endIndex`, time `endMs`. */
  close(flags: number, endIndex: number, endMs: number): void {
    const ev = this.ev;
    ev.phase = EventPhase.Final;
    ev.flags |= flags;
    ev.windowEndMs = endMs;
    ev.durationMs = ev.offMs - ev.onsetMs;
    this.fillPeaks();
    ev.freqXHz = this.#freqHz(0, endIndex);
    ev.freqYHz = this.#freqHz(1, endIndex);
    ev.freqZHz = this.#freqHz(2, endIndex);
    ev.dominantFreqHz = ev.ppvAxis === 0 ? ev.freqXHz : ev.ppvAxis === 1 ? ev.freqYHz : ev.freqZHz;
    const limit = ppvLimitMmPerS(this.#profile, ev.dominantFreqHz);
    ev.ppvLimitMmPerS = limit;
    ev.ppvRatio = limit > 0 ? ev.ppvMmPerS / limit : ev.ppvMmPerS > 0 ? Number.POSITIVE_INFINITY : 0;
    ev.ppvClass =
      ev.ppvRatio >= 1
        ? PpvClass.Exceeds
        : ev.ppvRatio >= this.#warnFraction
          ? PpvClass.Warning
          : PpvClass.Below;
  }
}
