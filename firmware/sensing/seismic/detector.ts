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
 * The hot state lives in locals for a whole block; only rare paths (sub-block end, period end, gap, the
 * event path) leave the loop's arithmetic.
 *
 * Events: the trigger going on opens an event and queues an Onset record at once (the node can raise the
 * alarm within the sample period). The event stays open while triggered and for `postEventMs` after the
 * trigger goes off; a re-trigger inside that window extends the same event (`retriggers`), so the post
 * window is also the minimum gap between two events. A trigger longer than `maxEventMs` is cut (Truncated).
 * The Final record carries onset, duration, PGA/PPV per axis, dominant frequency, STA/LTA peak, class.
 */
import { type ResolvedSeismicConfig, resolveSeismicConfig, type SeismicConfig } from "./config.js";
import { SeismicError } from "./errors.js";
import {
  AXIS_BEFORE,
  AXIS_HALF,
  AXIS_LAST_ZC,
  AXIS_OPEN,
  AXIS_PPV2,
  AXIS_STRIDE,
  EventTracker,
} from "./event-tracker.js";
import { PeakHistory } from "./peak-history.js";
import { OutQueue } from "./queue.js";
import { EventFlag, SeismicEvent, SeismicSummary } from "./records.js";
import { ClassicStaLta, DOUBLE_TINY, type StaLta } from "./stalta.js";

/** Bits returned by `push`, `pushBlock` and `flush`. */
export const PushResult = Object.freeze({
  None: 0,
  /** An Onset record was queued (the trigger went on). */
  Onset: 1,
  /** A Final event record was queued. */
  EventFinal: 2,
  /** A telemetry summary was queued. */
  Summary: 4,
});

const IDLE = 0;
const TRIGGERED = 1;
const POST = 2;
/** After a cut at maxEventMs: waiting for the ratio to drop below `on` before a new trigger may start. */
const DISARMED = 3;

/** Outbox sizes: more records than this between two reads are counted as dropped. */
export const EVENT_QUEUE_CAPACITY = 16;
export const SUMMARY_QUEUE_CAPACITY = 4;

export class SeismicDetector {
  readonly config: ResolvedSeismicConfig;
  /** Classic STA/LTA (null when the recursive one runs inline). */
  #classic: StaLta | null;
  #csta: number;
  #clta: number;
  #nlta: number;
  #tracker: EventTracker;
  #events: OutQueue<SeismicEvent>;
  #summaries: OutQueue<SeismicSummary>;

  // State carried between blocks (the loop keeps these in locals).
  #fresh = true;
  #inX = 0;
  #inY = 0;
  #inZ = 0;
  #ax = 0;
  #ay = 0;
  #az = 0;
  #vx = 0;
  #vy = 0;
  #vz = 0;
  #sta = 0;
  #lta = DOUBLE_TINY;
  #nRec = 0;
  #lastT = Number.NEGATIVE_INFINITY;
  #index = -1;
  #ratio = 0;
  #state = IDLE;
  #eventSeq = 0;

  // Current sub-block (peaks as squares: a^2 in (m/s^2)^2, v^2 in (m/s)^2); finished ones go to #history.
  #sbStartT = 0;
  #sbN = 0;
  #cax = 0;
  #cay = 0;
  #caz = 0;
  #cvx = 0;
  #cvy = 0;
  #cvz = 0;
  #history = new PeakHistory();

  // Telemetry period sums (its peaks are in #history).
  #sStart = 0;
  #sEnd = 0;
  #sN = 0;
  #sxx = 0;
  #syy = 0;
  #szz = 0;
  #sWarm = 0;

  // One-sample scratch for push().
  #t1 = new Float64Array(1);
  #xyz1 = new Float64Array(3);

  constructor(config: SeismicConfig) {
    const c = resolveSeismicConfig(config);
    this.config = c;
    this.#classic = c.method === "classic" ? new ClassicStaLta(c.nsta, c.nlta) : null;
    this.#csta = 1 / c.nsta;
    this.#clta = 1 / c.nlta;
    this.#nlta = c.nlta;
    this.#tracker = new EventTracker(c.sampleRateHz, c.ppvProfile, c.warnFraction);
    this.#events = new OutQueue(EVENT_QUEUE_CAPACITY, () => new SeismicEvent());
    this.#summaries = new OutQueue(SUMMARY_QUEUE_CAPACITY, () => new SeismicSummary());
  }

  /** True while an event is open (triggered or in its post-event window). */
  get triggered(): boolean {
    return this.#state === TRIGGERED || this.#state === POST;
  }

  /** True until the LTA window has filled since start or since the last gap (no trigger is possible). */
  get warmingUp(): boolean {
    return this.#classic ? this.#classic.warmingUp : this.#nRec < this.#nlta;
  }

  /** The characteristic function (STA/LTA ratio) at the last sample; 0 while warming up. */
  get lastRatio(): number {
    return this.#ratio;
  }

  /** Records lost because the caller did not read them in time (never silent: reported here). */
  get droppedEvents(): number {
    return this.#events.dropped;
  }

  get droppedSummaries(): number {
    return this.#summaries.dropped;
  }

  get pendingEvents(): number {
    return this.#events.count;
  }

  get pendingSummaries(): number {
    return this.#summaries.count;
  }

  /** Copies the oldest queued event record into `out`; false when none is queued. */
  takeEvent(out: SeismicEvent): boolean {
    return this.#events.take(out);
  }

  /** Copies the oldest queued telemetry summary into `out`; false when none is queued. */
  takeSummary(out: SeismicSummary): boolean {
    return this.#summaries.take(out);
  }

  /** Adds one 3-axis sample at time tMs (ms, caller's clock), acceleration in m/s^2. Returns PushResult bits. */
  push(tMs: number, x: number, y: number, z: number): number {
    this.#t1[0] = tMs;
    const xyz = this.#xyz1;
    xyz[0] = x;
    xyz[1] = y;
    xyz[2] = z;
    return this.#run(this.#t1, xyz, 1);
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
    return this.#run(tMs, xyz, count);
  }

  /** End of data: closes an open event (Flushed) and queues the partial telemetry period. */
  flush(): number {
    let result = 0;
    if (this.#state === TRIGGERED || this.#state === POST) {
      this.#close(EventFlag.Flushed, this.#index, this.#lastT);
      result |= PushResult.EventFinal;
    }
    this.#state = IDLE;
    if (this.#sN > 0) {
      this.#history.store(this.#sbStartT, this.#cax, this.#cay, this.#caz, this.#cvx, this.#cvy, this.#cvz);
      this.#cax = this.#cay = this.#caz = this.#cvx = this.#cvy = this.#cvz = 0;
      this.#sbN = 0;
      this.#sbStartT = this.#sEnd + this.config.periodMs;
      this.#emitSummary();
      result |= PushResult.Summary;
    }
    return result;
  }

  #run(tArr: Float64Array, xyz: Float64Array, count: number): number {
    const c = this.config;
    const hpA = c.highPassA;
    const leak = c.velocityLeak;
    const dt = 1 / c.sampleRateHz;
    const maxGapMs = c.maxGapMs;
    const periodMs = c.summaryPeriodMs;
    const sbSamples = c.subBlockSamples;
    const on = c.onThreshold;
    const off = c.offThreshold;
    const postSamples = c.postEventSamples;
    const maxEventSamples = c.maxEventSamples;
    const classic = this.#classic;
    const tr = this.#tracker;
    const ev = tr.ev;
    const za = tr.axes;
    const X = 0;
    const Y = AXIS_STRIDE;
    const Z = 2 * AXIS_STRIDE;
    const csta = this.#csta;
    const icsta = 1 - csta;
    const clta = this.#clta;
    const iclta = 1 - clta;
    const nlta = this.#nlta;
    let inX = this.#inX;
    let inY = this.#inY;
    let inZ = this.#inZ;
    let ax = this.#ax;
    let ay = this.#ay;
    let az = this.#az;
    let vx = this.#vx;
    let vy = this.#vy;
    let vz = this.#vz;
    let sta = this.#sta;
    let lta = this.#lta;
    let nRec = this.#nRec;
    let lastT = this.#lastT;
    let j = this.#index;
    let cf = this.#ratio;
    let state = this.#state;
    let cax = this.#cax;
    let cay = this.#cay;
    let caz = this.#caz;
    let cvx = this.#cvx;
    let cvy = this.#cvy;
    let cvz = this.#cvz;
    let sbN = this.#sbN;
    let sbStartT = this.#sbStartT;
    let sN = this.#sN;
    let sxx = this.#sxx;
    let syy = this.#syy;
    let szz = this.#szz;
    let sWarm = this.#sWarm;
    let sStart = this.#sStart;
    let fresh = this.#fresh;
    // The open event's per-sample figures (squared PGA and PPV per axis, STA/LTA peak, on/off).
    let epx = tr.pga2X;
    let epy = tr.pga2Y;
    let epz = tr.pga2Z;
    let evx = za[X + AXIS_PPV2]!;
    let evy = za[Y + AXIS_PPV2]!;
    let evz = za[Z + AXIS_PPV2]!;
    let epk = ev.staLtaPeak;
    let evOn = ev.onIndex;
    let evOff = ev.offIndex;
    let evOffT = ev.offMs;
    let result = 0;
    let bad = -1;
    for (let i = 0, k = 0; i < count; i++, k += 3) {
      const t = tArr[i]!;
      const x = xyz[k]!;
      const y = xyz[k + 1]!;
      const z = xyz[k + 2]!;
      // One check for all four: NaN or +-Infinity anywhere makes the sum's difference with itself NaN.
      const chk = t + x + y + z;
      if (chk - chk !== 0 || !(t > lastT)) {
        bad = i;
        break;
      }
      if (t - lastT > maxGapMs && j >= 0) {
        // A gap: the open event closes, filters and STA/LTA restart (the LTA warms up again).
        if (state === TRIGGERED || state === POST) {
          tr.pga2X = epx;
          tr.pga2Y = epy;
          tr.pga2Z = epz;
          ev.staLtaPeak = epk;
          ev.offIndex = evOff;
          ev.offMs = evOffT;
          this.#close(EventFlag.Gap, j, lastT);
          result |= PushResult.EventFinal;
        }
        state = IDLE;
        this.#history.gaps++;
        this.#history.fold(cax, cay, caz, cvx, cvy, cvz);
        this.#history.clearRing();
        cax = cay = caz = cvx = cvy = cvz = 0;
        sbN = 0;
        fresh = true;
        sta = 0;
        lta = DOUBLE_TINY;
        nRec = 0;
        if (classic) classic.reset();
      }
      const prevT = lastT;
      lastT = t;
      j++;
      // Telemetry period boundary: a period ends before the first sample at or past its length.
      if (sN === 0) sStart = t;
      else if (t - sStart >= periodMs) {
        this.#history.store(sbStartT, cax, cay, caz, cvx, cvy, cvz);
        cax = cay = caz = cvx = cvy = cvz = 0;
        sbN = 0;
        sbStartT = t;
        this.#sN = sN;
        this.#sxx = sxx;
        this.#syy = syy;
        this.#szz = szz;
        this.#sWarm = sWarm;
        this.#sStart = sStart;
        this.#sEnd = prevT;
        this.#emitSummary();
        sN = sxx = syy = szz = sWarm = 0;
        sStart = t;
        result |= PushResult.Summary;
      }
      // Previous velocities, for the zero crossings of an open event.
      const pvx = vx;
      const pvy = vy;
      const pvz = vz;
      if (fresh) {
        // Start the high-pass from the first sample so that gravity does not enter as a step.
        fresh = false;
        ax = ay = az = vx = vy = vz = 0;
        sbStartT = t;
      } else {
        ax = hpA * (ax + x - inX);
        ay = hpA * (ay + y - inY);
        az = hpA * (az + z - inZ);
        vx = leak * vx + ax * dt;
        vy = leak * vy + ay * dt;
        vz = leak * vz + az * dt;
      }
      inX = x;
      inY = y;
      inZ = z;
      const exx = ax * ax;
      const eyy = ay * ay;
      const ezz = az * az;
      sxx += exx;
      syy += eyy;
      szz += ezz;
      sN++;
      // Peaks kept as squares: comparing the squares already computed is the cheapest max of |a| on XS;
      // the square roots are taken only when a summary or an event reads them.
      if (exx > cax) cax = exx;
      if (eyy > cay) cay = eyy;
      if (ezz > caz) caz = ezz;
      const wx = vx * vx;
      const wy = vy * vy;
      const wz = vz * vz;
      if (wx > cvx) cvx = wx;
      if (wy > cvy) cvy = wy;
      if (wz > cvz) cvz = wz;
      if (++sbN === sbSamples) {
        this.#history.store(sbStartT, cax, cay, caz, cvx, cvy, cvz);
        cax = cay = caz = cvx = cvy = cvz = 0;
        sbN = 0;
        sbStartT = t + c.periodMs;
      }
      // Characteristic function: ObsPy recursive_sta_lta inline (stalta.ts has the same as a class).
      const e = exx + eyy + ezz;
      const prevCf = cf;
      if (classic) {
        cf = classic.push(e);
        // Counted here rather than through the getter: a call per sample costs on XS.
        if (nRec < nlta - 1) {
          nRec++;
          sWarm++;
        }
      } else if (nRec === 0) {
        nRec = 1;
        cf = 0;
        sWarm++;
      } else {
        sta = csta * e + icsta * sta;
        lta = clta * e + iclta * lta;
        if (nRec < nlta) {
          nRec++;
          cf = 0;
          sWarm++;
        } else cf = sta / lta;
      }
      // Trigger: the common cases inline (state negated = "no transition"), transitions in #trigger.
      if (state === IDLE) {
        if (cf < on) continue;
      } else if (state === TRIGGERED) {
        if (cf >= off && j - evOn <= maxEventSamples) {
          evOff = j;
          evOffT = t;
          state = -TRIGGERED;
        }
      } else if (state === POST) {
        if (cf < on && j - evOff <= postSamples) state = -POST;
      } else {
        // DISARMED after a cut: re-arms when the ratio drops below `on`.
        if (cf < on) state = IDLE;
        continue;
      }
      if (state >= 0) {
        // A transition: hand over what the rare path reads, then read back what it set.
        this.#cax = cax;
        this.#cay = cay;
        this.#caz = caz;
        this.#cvx = cvx;
        this.#cvy = cvy;
        this.#cvz = cvz;
        this.#sbStartT = sbStartT;
        this.#state = state;
        tr.pga2X = epx;
        tr.pga2Y = epy;
        tr.pga2Z = epz;
        ev.staLtaPeak = epk;
        ev.offIndex = evOff;
        ev.offMs = evOffT;
        result |= this.#trigger(j, t, prevT, cf, prevCf);
        state = this.#state;
        if (state !== TRIGGERED && state !== POST) continue;
        epx = tr.pga2X;
        epy = tr.pga2Y;
        epz = tr.pga2Z;
        evx = za[X + AXIS_PPV2]!;
        evy = za[Y + AXIS_PPV2]!;
        evz = za[Z + AXIS_PPV2]!;
        epk = ev.staLtaPeak;
        evOn = ev.onIndex;
        evOff = ev.offIndex;
        evOffT = ev.offMs;
      } else state = -state;
      // The open event: squared PGA, STA/LTA peak, and per axis the zero crossings (interpolated) and new
      // PPV peaks that give the half period around the peak (event-tracker.ts explains the bookkeeping).
      if (exx > epx) epx = exx;
      if (eyy > epy) epy = eyy;
      if (ezz > epz) epz = ezz;
      if (cf > epk) epk = cf;
      if (pvx < 0 !== vx < 0) {
        const zc = j - 1 + pvx / (pvx - vx);
        if (za[X + AXIS_OPEN] === 1) {
          if (za[X + AXIS_BEFORE]! >= 0) {
            za[X + AXIS_HALF] = zc - za[X + AXIS_BEFORE]!;
            za[X + AXIS_OPEN] = 0;
          } else za[X + AXIS_BEFORE] = zc;
        }
        za[X + AXIS_LAST_ZC] = zc;
      }
      if (wx > evx) {
        za[X + AXIS_PPV2] = evx = wx;
        za[X + AXIS_BEFORE] = za[X + AXIS_LAST_ZC]!;
        za[X + AXIS_OPEN] = 1;
        za[X + AXIS_HALF] = -1;
      }
      if (pvy < 0 !== vy < 0) {
        const zc = j - 1 + pvy / (pvy - vy);
        if (za[Y + AXIS_OPEN] === 1) {
          if (za[Y + AXIS_BEFORE]! >= 0) {
            za[Y + AXIS_HALF] = zc - za[Y + AXIS_BEFORE]!;
            za[Y + AXIS_OPEN] = 0;
          } else za[Y + AXIS_BEFORE] = zc;
        }
        za[Y + AXIS_LAST_ZC] = zc;
      }
      if (wy > evy) {
        za[Y + AXIS_PPV2] = evy = wy;
        za[Y + AXIS_BEFORE] = za[Y + AXIS_LAST_ZC]!;
        za[Y + AXIS_OPEN] = 1;
        za[Y + AXIS_HALF] = -1;
      }
      if (pvz < 0 !== vz < 0) {
        const zc = j - 1 + pvz / (pvz - vz);
        if (za[Z + AXIS_OPEN] === 1) {
          if (za[Z + AXIS_BEFORE]! >= 0) {
            za[Z + AXIS_HALF] = zc - za[Z + AXIS_BEFORE]!;
            za[Z + AXIS_OPEN] = 0;
          } else za[Z + AXIS_BEFORE] = zc;
        }
        za[Z + AXIS_LAST_ZC] = zc;
      }
      if (wz > evz) {
        za[Z + AXIS_PPV2] = evz = wz;
        za[Z + AXIS_BEFORE] = za[Z + AXIS_LAST_ZC]!;
        za[Z + AXIS_OPEN] = 1;
        za[Z + AXIS_HALF] = -1;
      }
    }
    this.#inX = inX;
    this.#inY = inY;
    this.#inZ = inZ;
    this.#ax = ax;
    this.#ay = ay;
    this.#az = az;
    this.#vx = vx;
    this.#vy = vy;
    this.#vz = vz;
    this.#sta = sta;
    this.#lta = lta;
    this.#nRec = nRec;
    this.#lastT = lastT;
    this.#index = j;
    this.#ratio = cf;
    this.#state = state;
    this.#cax = cax;
    this.#cay = cay;
    this.#caz = caz;
    this.#cvx = cvx;
    this.#cvy = cvy;
    this.#cvz = cvz;
    this.#sbN = sbN;
    this.#sbStartT = sbStartT;
    this.#sN = sN;
    this.#sEnd = lastT;
    this.#sxx = sxx;
    this.#syy = syy;
    this.#szz = szz;
    this.#sWarm = sWarm;
    this.#sStart = sStart;
    this.#fresh = fresh;
    tr.pga2X = epx;
    tr.pga2Y = epy;
    tr.pga2Z = epz;
    ev.staLtaPeak = epk;
    ev.offIndex = evOff;
    ev.offMs = evOffT;
    if (bad >= 0) this.#reject(tArr[bad]!, xyz[3 * bad]!, xyz[3 * bad + 1]!, xyz[3 * bad + 2]!);
    return result;
  }

  /**
   * The trigger's transitions for sample j (time t; previous sample at prevT with ratio prevCf): opening,
   * re-trigger, going off, the end of the post window, the cut at maxEventMs. Returns PushResult bits.
   */
  #trigger(j: number, t: number, prevT: number, cf: number, prevCf: number): number {
    const c = this.config;
    const ev = this.#tracker.ev;
    const state = this.#state;
    let result = 0;
    if (state === IDLE) {
      this.#open(j, t, cf);
      return PushResult.Onset;
    }
    if (state === POST) {
      if (j - ev.offIndex > c.postEventSamples) {
        this.#close(0, j - 1, prevT);
        result |= PushResult.EventFinal;
        if (cf < c.onThreshold) return result;
        this.#open(j, t, cf);
        return result | PushResult.Onset;
      }
      // Re-trigger inside the post-event window: the same event goes on.
      this.#state = TRIGGERED;
      ev.retriggers++;
      ev.offIndex = j;
      ev.offMs = t;
      return result;
    }
    // TRIGGERED, and either the ratio fell below `off` or the event reached maxEventSamples.
    if (cf >= c.offThreshold) {
      // ObsPy max_len: the event ends at on + max_len; a new one needs the ratio to rise through `on` again.
      this.#close(EventFlag.Truncated, j - 1, prevT);
      result |= PushResult.EventFinal;
      if (cf >= c.onThreshold && prevCf < c.onThreshold) {
        // This very sample is a fresh rise through `on`: ObsPy starts the next trigger here.
        this.#open(j, t, cf);
        return result | PushResult.Onset;
      }
      this.#state = cf < c.onThreshold ? IDLE : DISARMED;
      return result;
    }
    if (c.postEventSamples === 0) {
      this.#close(0, j - 1, prevT);
      return PushResult.EventFinal;
    }
    this.#state = POST;
    return result;
  }

  #reject(tMs: number, x: number, y: number, z: number): never {
    if (!Number.isFinite(tMs) || !(tMs > this.#lastT)) {
      throw new SeismicError(
        "time-not-increasing",
        `seismic sample time ${tMs} ms is not after the previous sample's ${this.#lastT} ms`,
        tMs,
      );
    }
    const axis = !Number.isFinite(x) ? "x" : !Number.isFinite(y) ? "y" : "z";
    const v = axis === "x" ? x : axis === "y" ? y : z;
    throw new SeismicError("sample-not-finite", `seismic sample at ${tMs} ms: ${axis} = ${v} m/s^2`, v);
  }

  /**
   * Opens an event at sample j and queues its Onset record; the pre-event window's peaks (which include
   * sample j) come from the current sub-block and the ring.
   */
  #open(j: number, t: number, cf: number): void {
    const c = this.config;
    const h = this.#history;
    h.lookBack(
      t - c.preEventMs,
      this.#sbStartT,
      this.#cax,
      this.#cay,
      this.#caz,
      this.#cvx,
      this.#cvy,
      this.#cvz,
    );
    const startIndex = j - Math.round((t - h.startMs) / c.periodMs);
    const tr = this.#tracker;
    tr.open(++this.#eventSeq, j, t, cf, h.startMs, startIndex, !h.covered && c.preEventMs > 0);
    tr.initAxis(0, h.a2x, h.v2x);
    tr.initAxis(1, h.a2y, h.v2y);
    tr.initAxis(2, h.a2z, h.v2z);
    this.#state = TRIGGERED;
    h.events++;
    tr.fillPeaks();
    this.#events.put(tr.ev);
  }

  /** Closes the open event, whose window ends at sample endIndex (time endMs), and queues its Final record. */
  #close(flags: number, endIndex: number, endMs: number): void {
    this.#tracker.close(flags, endIndex, endMs);
    this.#state = IDLE;
    this.#events.put(this.#tracker.ev);
  }

  #emitSummary(): void {
    this.#history.emit(
      this.#summaries.slot(),
      this.#sStart,
      this.#sEnd,
      this.#sN,
      this.#sxx,
      this.#syy,
      this.#szz,
      this.#sWarm,
    );
    this.#sN = 0;
    this.#sxx = this.#syy = this.#szz = 0;
    this.#sWarm = 0;
  }
}
