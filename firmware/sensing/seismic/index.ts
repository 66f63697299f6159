/**
 * Seismic / vibration sensing: the public API (keep it stable; the `detect` CLI and the node runtime use it).
 *
 *   const det = new SeismicDetector({
 *     sampleRateHz: 1000, staS: 0.05, ltaS: 5, onThreshold: 4, offThreshold: 1.5,
 *     preEventMs: 500, postEventMs: 1000, ppvProfile: "din4150-3-line1",
 *   });
 *   const bits = det.push(tMs, xMPerS2, yMPerS2, zMPerS2);    // or det.pushBlock(tMs[], xyz[], count)
 *   if (bits & PushResult.Onset) ...                          // the trigger went on at this sample
 *   const ev = new SeismicEvent();                            // allocate once, reuse
 *   while (det.takeEvent(ev)) ...                             // ev.phase: EventPhase.Onset / Final
 *   const sum = new SeismicSummary();
 *   while (det.takeSummary(sum)) ...                          // RMS and peak per axis per period
 *   det.flush();                                              // end of data: close the open event
 *
 * Inputs: time in ms (strictly increasing; a step longer than maxGapMs is a gap), acceleration in m/s^2 on
 * three axes (gravity included or not: the high-pass removes it). Outputs carry their units in their names.
 * Bad config or input throws `SeismicError` (code + value) before any state changes.
 * The characteristic functions are also exported on their own (`RecursiveStaLta`, `ClassicStaLta`): they
 * reproduce ObsPy's `recursive_sta_lta` / `classic_sta_lta` given the squared trace.
 */
export {
  MAX_CLASSIC_LTA_SAMPLES,
  type ResolvedSeismicConfig,
  resolveSeismicConfig,
  type SeismicConfig,
} from "./config.js";
export { EVENT_QUEUE_CAPACITY, PushResult, SeismicDetector, SUMMARY_QUEUE_CAPACITY } from "./detector.js";
export { isSeismicError, SeismicError, type SeismicErrorCode } from "./errors.js";
export {
  DEFAULT_PPV_PROFILE,
  PPV_PROFILES,
  PpvClass,
  type PpvClassCode,
  type PpvLimitProfile,
  ppvClassName,
  ppvLimitMmPerS,
  ppvProfileNamed,
  validatePpvProfile,
} from "./ppv-limits.js";
export { EventFlag, EventPhase, SeismicEvent, SeismicSummary } from "./records.js";
export { ClassicStaLta, DOUBLE_TINY, RecursiveStaLta, type StaLta } from "./stalta.js";
