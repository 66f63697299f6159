/**
 * The trigger's transitions and the detector's other rare paths (opening and closing events, telemetry
 * summaries, rejecting a bad sample), as functions of the detector's state (state.ts). The per-sample loop
 * (block.ts) hands its locals over to the state before calling these and reads back what they set.
 */
import { SeismicError } from "./errors.js";
import { EventFlag } from "./records.js";
import { type DetectorState, DISARMED, IDLE, POST, PushResult, TRIGGERED } from "./state.js";

/**
 * The trigger's transitions for sample j (time t; previous sample at prevT with ratio prevCf): opening,
 * re-trigger, going off, the end of the post window, the cut at maxEventMs. Returns PushResult bits.
 */
export function trigger(
  s: DetectorState,
  j: number,
  t: number,
  prevT: number,
  cf: number,
  prevCf: number,
): number {
  const c = s.config;
  const ev = s.tracker.ev;
  const state = s.state;
  let result = 0;
  if (state === IDLE) {
    openEvent(s, j, t, cf);
    return PushResult.Onset;
  }
  if (state === POST) {
    if (j - ev.offIndex > c.postEventSamples) {
      closeEvent(s, 0, j - 1, prevT);
      result |= PushResult.EventFinal;
      if (cf < c.onThreshold) return result;
      openEvent(s, j, t, cf);
      return result | PushResult.Onset;
    }
    // Re-trigger inside the post-event window: the same event goes on.
    s.state = TRIGGERED;
    ev.retriggers++;
    ev.offIndex = j;
    ev.offMs = t;
    return result;
  }
  // TRIGGERED, and either the ratio fell below `off` or the event reached maxEventSamples.
  if (cf >= c.offThreshold) {
    // ObsPy max_len: the event ends at on + max_len; a new one needs the ratio to rise through `on` again.
    closeEvent(s, EventFlag.Truncated, j - 1, prevT);
    result |= PushResult.EventFinal;
    if (cf >= c.onThreshold && prevCf < c.onThreshold) {
      // This very sample is a fresh rise through `on`: ObsPy starts the next trigger here.
      openEvent(s, j, t, cf);
      return result | PushResult.Onset;
    }
    s.state = cf < c.onThreshold ? IDLE : DISARMED;
    return result;
  }
  if (c.postEventSamples === 0) {
    closeEvent(s, 0, j - 1, prevT);
    return PushResult.EventFinal;
  }
  s.state = POST;
  return result;
}

export function rejectSample(s: DetectorState, tMs: number, x: number, y: number, z: number): never {
  if (!Number.isFinite(tMs) || !(tMs > s.lastT)) {
    throw new SeismicError(
      "time-not-increasing",
      `seismic sample time ${tMs} ms is not after the previous sample's ${s.lastT} ms`,
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
export function openEvent(s: DetectorState, j: number, t: number, cf: number): void {
  const c = s.config;
  const h = s.history;
  h.lookBack(t - c.preEventMs, s.sbStartT, s.cax, s.cay, s.caz, s.cvx, s.cvy, s.cvz);
  const startIndex = j - Math.round((t - h.startMs) / c.periodMs);
  const tr = s.tracker;
  tr.open(++s.eventSeq, j, t, cf, h.startMs, startIndex, !h.covered && c.preEventMs > 0);
  tr.initAxis(0, h.a2x, h.v2x);
  tr.initAxis(1, h.a2y, h.v2y);
  tr.initAxis(2, h.a2z, h.v2z);
  s.state = TRIGGERED;
  h.events++;
  tr.fillPeaks();
  s.events.put(tr.ev);
}

/** Closes the open event, whose window ends at sample endIndex (time endMs), and queues its Final record. */
export function closeEvent(s: DetectorState, flags: number, endIndex: number, endMs: number): void {
  s.tracker.close(flags, endIndex, endMs);
  s.state = IDLE;
  s.events.put(s.tracker.ev);
}

export function emitSummary(s: DetectorState): void {
  const slot = s.summaries.slot();
  s.history.emit(slot, s.sStart, s.sEnd, s.sN, s.sxx, s.syy, s.szz, s.sWarm);
  s.history.emitVelocityRms(slot, s.sN, s.svv);
  s.sN = 0;
  s.sxx = s.syy = s.szz = 0;
  s.svv = 0;
  s.sWarm = 0;
  s.sStart = Number.NEGATIVE_INFINITY;
}
