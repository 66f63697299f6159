/**
 * The seismic / vibration detector: 3-axis acceleration samples in, trigger onsets, event summaries and
 * telemetry summaries out. Pure: no I/O, no clock (times come with the samples), no allocation per sample.
 *
 * Per sample (the steady-state path; budget <= 200 XS meter units per sample-axis, DESIGN.md):
 * 1. DC removal: one-pole high-pass per axis, y_n = a (y_{n-1} + x_n - x_{n-1}), corner `highPassHz`
 *    (default 0.2 Hz: removes gravity and offset drift; config.ts says what it costs in band).
 * 2. Velocity: leaky backward-rectangle integrator per axis, v_n = leak v_{n-1} + a_n dt, same corner: the
 *    leak is the drift control (an offset left in the acceleration gives a bounded velocity, not a ramp).
 *    Backward rectangle over-reads a sine by (w dt / 2) / sin(w dt / 2): +1.7 % at 100 Hz sampled at 1 kHz
 *    (trapezoid would under-read by 3.2 % and cost more).
 * 3. Characteristic function on the squared vector magnitude e = ax^2 + ay^2 + az^2. ObsPy squares its input,
 *    so this is ObsPy's STA/LTA of |a|: one detector for every orientation (an arrival polarised on any axis
 *    raises it) at a third of the cost of three per-axis detectors. Recursive by default, computed inline.
 * 4. Trigger as ObsPy `trigger_onset`: on at the first sample with ratio >= on, off after the last sample with
 *    ratio >= off; a new trigger needs the ratio to come up through `on` again.
 * 5. Telemetry: sums of squares and peak |a|, |v| per axis. Peaks are kept per sub-block (a ring of
 *    PRE_EVENT_SUBBLOCKS + 2) so an onset can look back over the pre-event window without a sample ring.
 * The hot state lives in locals for a whole block (block.ts); only rare paths (sub-block end, period end,
 * gap, trigger transitions in transitions.ts) leave the loop's arithmetic. The state between blocks is a
 * DetectorState (state.ts) that this class keeps private.
 *
 * Events: the trigger going on opens an event and queues an Onset record at once (the node can raise the
 * alarm within the sample period). The event stays open while triggered and for `postEventMs` after the
 * trigger goes off; a re-trigger inside that window extends the same event (`retriggers`), so the post
 * window is also the minimum gap between two events. A trigger longer than `maxEventMs` is cut (Truncated).
 * The Final record carries onset, duration, PGA/PPV per axis, dominant frequency, STA/LTA peak, class.
 */

import { runBlock } from "./block.js";
import { type ResolvedSeismicConfig, resolveSeismicConfig, type SeismicConfig } from "./config.js";
import { SeismicError } from "./errors.js";
import { EventFlag, type SeismicEvent, type SeismicSummary } from "./records.js";
import { DetectorState, IDLE, POST, PushResult, TRIGGERED } from "./state.js";
import { closeEvent, emitSummary } from "./transitions.js";

export { EVENT_QUEUE_CAPACITY, PushResult, SUMMARY_QUEUE_CAPACITY } from "./state.js";

export class SeismicDetector {
  readonly config: ResolvedSeismicConfig;
  #s: DetectorState;
  // One-sample scratch for push().
  #t1 = new Float64Array(1);
  #xyz1 = new Float64Array(3);

  constructor(config: SeismicConfig) {
    const c = resolveSeismicConfig(config);
    this.config = c;
    this.#s = new DetectorState(c);
  }

  /** True while an event is open (triggered or in its post-event window). */
  get triggered(): boolean {
    return this.#s.state === TRIGGERED || this.#s.state === POST;
  }

  /** True until the LTA window has filled since start or since the last gap (no trigger is possible). */
  get warmingUp(): boolean {
    const s = this.#s;
    return s.classic ? s.classic.warmingUp : s.nRec < s.nlta;
  }

  /** The characteristic function (STA/LTA ratio) at the last sample; 0 while warming up. */
  get lastRatio(): number {
    return this.#s.ratio;
  }

  /** Records lost because the caller did not read them in time (never silent: reported here). */
  get droppedEvents(): number {
    return this.#s.events.dropped;
  }

  get droppedSummaries(): number {
    return this.#s.summaries.dropped;
  }

  get pendingEvents(): number {
    return this.#s.events.count;
  }

  get pendingSummaries(): number {
    return this.#s.summaries.count;
  }

  /** Copies the oldest queued event record into `out`; false when none is queued. */
  takeEvent(out: SeismicEvent): boolean {
    return this.#s.events.take(out);
  }

  /** Copies the oldest queued telemetry summary into `out`; false when none is queued. */
  takeSummary(out: SeismicSummary): boolean {
    return this.#s.summaries.take(out);
  }

  /** Adds one 3-axis sample at time tMs (ms, caller's clock), acceleration in m/s^2. Returns PushResult bits. */
  push(tMs: number, x: number, y: number, z: number): number {
    this.#t1[0] = tMs;
    const xyz = this.#xyz1;
    xyz[0] = x;
    xyz[1] = y;
    xyz[2] = z;
    return runBlock(this.#s, this.#t1, xyz, 1);
  }

  /**
   * Adds `count` samples: `tMs[i]` with acceleration `xyz[3i]`, `xyz[3i+1]`, `xyz[3i+2]` (m/s^2). Returns the
   * OR of the per-sample PushResult bits. A bad sample throws after the samples before it were taken.
   */
  pushBlock(tMs: Float64Array, xyz: Float64Array, count: number): number {
    if (!(count >= 0 && count <= tMs.length && 3 * count <= xyz.length && count === Math.floor(count))) {
      throw new SeismicError(
        "bad-block",
        `seismic pushBlock: count ${count} does not fit ${tMs.length} times and ${xyz.length} values`,
        count,
      );
    }
    return runBlock(this.#s, tMs, xyz, count);
  }

  /** End of data: closes an open event (Flushed) and queues the partial telemetry period. */
  flush(): number {
    const s = this.#s;
    let result = 0;
    if (s.state === TRIGGERED || s.state === POST) {
      // The event's PGA is folded from sub-block peaks: the current sub-block's go in now.
      const tr = s.tracker;
      if (s.cax > tr.pga2X) tr.pga2X = s.cax;
      if (s.cay > tr.pga2Y) tr.pga2Y = s.cay;
      if (s.caz > tr.pga2Z) tr.pga2Z = s.caz;
      closeEvent(s, EventFlag.Flushed, s.index, s.lastT);
      result |= PushResult.EventFinal;
    }
    s.state = IDLE;
    if (s.sN > 0) {
      s.history.store(s.sbStartT, s.cax, s.cay, s.caz, s.cvx, s.cvy, s.cvz);
      s.cax = s.cay = s.caz = s.cvx = s.cvy = s.cvz = 0;
      s.sbN = 0;
      s.sbStartT = s.sEnd + this.config.periodMs;
      emitSummary(s);
      result |= PushResult.Summary;
    }
    return result;
  }
}
