/**
 * The vibration channel: accelerometer FIFO blocks -> seismic detector (firmware/sensing/seismic) ->
 * event records and a latched vibration alarm. Allocation-free per block.
 *
 * Sample times: the FIFO holds no time stamps, so the k-th set of a block read at `nowMs` is given
 * t = previous + 1 / ODR; when that running time has drifted more than 4 sample periods from the read time
 * (an overflow lost samples, a poll came late) it restarts from the read time (the detector then sees a gap
 * only if the jump exceeds its maxGapMs).
 *
 * Alarm: an event whose peak particle velocity reaches `ppvAlarmUmPerS` (config), or, when that is unset, the
 * PPV limit profile's limit (class "exceeds"), raises the vibration channel to A2 at its onset record or its
 * final record, whichever shows it first. It is latched (a rock burst or a fall needs someone to look) until
 * an operator acknowledges it while no event is open.
 */
import {
  EventPhase,
  PpvClass,
  PushResult,
  SeismicDetector,
  SeismicEvent,
  SeismicSummary,
} from "../../sensing/seismic/index.js";
import type { AccelPort } from "./sensors.js";

export interface VibrationSetup {
  /** PPV limit profile name (default: the detector's). */
  ppvProfile?: string;
  staS?: number;
  ltaS?: number;
}

const MAX_SETS = 32;

export class VibrationChannel {
  readonly port: AccelPort;
  detector: SeismicDetector;
  readonly event = new SeismicEvent();
  readonly summary = new SeismicSummary();
  /** Vibration alarm (A2, latched). */
  alarm = false;
  /** Largest PPV seen in the summaries since the last telemetry frame, mm/s. */
  peakSinceTelemetryMmPerS = 0;
  /** Events finished since boot. */
  events = 0;
  // Mean-square velocity of the summaries since the last telemetry frame, weighted by samples, (mm/s)^2.
  #msSum = 0;
  #msSamples = 0;
  #t = new Float64Array(MAX_SETS);
  #lastT = Number.NaN;
  #periodMs: number;
  #ppvAlarmUmPerS = Number.NaN;
  #setup: VibrationSetup;

  constructor(
    port: AccelPort,
    setup: VibrationSetup,
    onX100: number,
    offX100: number,
    summaryPeriodMs: number,
    ppvAlarmUmPerS: number,
  ) {
    this.port = port;
    this.#setup = setup;
    this.#periodMs = 1000 / port.odrHz;
    this.detector = this.#make(onX100, offX100, summaryPeriodMs);
    this.#ppvAlarmUmPerS = ppvAlarmUmPerS;
  }

  #make(onX100: number, offX100: number, summaryPeriodMs: number): SeismicDetector {
    const s = this.#setup;
    return new SeismicDetector({
      sampleRateHz: this.port.odrHz,
      // DEFAULT: 50 ms / 5 s windows, the detector's documented example for a 1 kHz accelerometer.
      staS: s.staS ?? 0.05,
      ltaS: s.ltaS ?? 5,
      onThreshold: onX100 / 100,
      offThreshold: offX100 / 100,
      summaryPeriodMs,
      ...(s.ppvProfile ? { ppvProfile: s.ppvProfile } : {}),
    });
  }

  /** New thresholds: a fresh detector (its LTA warms up again). Throws SeismicError before any change. */
  reconfigure(onX100: number, offX100: number, summaryPeriodMs: number, ppvAlarmUmPerS: number): void {
    const c = this.detector.config;
    if (
      c.onThreshold === onX100 / 100 &&
      c.offThreshold === offX100 / 100 &&
      c.summaryPeriodMs === summaryPeriodMs
    ) {
      this.#ppvAlarmUmPerS = ppvAlarmUmPerS;
      return;
    }
    this.detector = this.#make(onX100, offX100, summaryPeriodMs);
    this.#ppvAlarmUmPerS = ppvAlarmUmPerS;
    this.#lastT = Number.NaN;
  }

  /** Reads the FIFO and runs the detector; returns PushResult bits (0 when nothing was read). */
  poll(nowMs: number): number {
    const n = this.port.poll();
    if (n <= 0) return 0;
    const t = this.#t;
    const p = this.#periodMs;
    let next = this.#lastT + p;
    const lastIfRunning = next + (n - 1) * p;
    if (Number.isNaN(next) || lastIfRunning - nowMs > 4 * p || nowMs - lastIfRunning > 4 * p)
      next = nowMs - (n - 1) * p;
    for (let k = 0; k < n; k++) t[k] = next + k * p;
    this.#lastT = t[n - 1]!;
    return this.detector.pushBlock(t, this.port.accelMPerS2, n);
  }

  /** Takes a detector summary into the telemetry figures: the period's peak and RMS velocity. */
  noteSummary(sum: SeismicSummary): void {
    const ppv = Math.max(sum.ppvXMmPerS, sum.ppvYMmPerS, sum.ppvZMmPerS);
    if (ppv > this.peakSinceTelemetryMmPerS) this.peakSinceTelemetryMmPerS = ppv;
    const n = sum.samples;
    if (!(n > 0)) return;
    this.#msSum += sum.rmsVelocityMmPerS * sum.rmsVelocityMmPerS * n;
    this.#msSamples += n;
  }

  /**
   * RMS particle velocity since the last telemetry frame, um/s, then starts over: the RMS of the velocity
   * vector's magnitude (one number for any orientation of the motion, as the detector's characteristic
   * function is; on a motion along one axis it is that axis' RMS). Covers the detector summaries completed
   * since the last frame (a summary closes when the next period's first sample arrives); 0 when none has.
   */
  takeRmsUmPerS(): number {
    const n = this.#msSamples;
    const rms = n > 0 ? Math.sqrt(this.#msSum / n) * 1000 : 0;
    this.#msSum = 0;
    this.#msSamples = 0;
    return rms;
  }

  /** True when this event record reaches the alarm level. */
  exceeds(ev: SeismicEvent): boolean {
    const limit = this.#ppvAlarmUmPerS;
    return !Number.isNaN(limit) ? ev.ppvMmPerS * 1000 >= limit : ev.ppvClass === PpvClass.Exceeds;
  }

  /** Operator acknowledgement: clears the latched alarm unless an event is still open. */
  acknowledge(): boolean {
    if (!this.alarm || this.detector.triggered) return false;
    this.alarm = false;
    return true;
  }
}

export { EventPhase, PushResult };
