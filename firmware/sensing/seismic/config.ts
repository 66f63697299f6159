/**
 * Detector configuration: what provisioning sets, its defaults, and its validation. Times are given in
 * seconds (STA/LTA, as ObsPy users write them) or milliseconds (windows, periods) and converted once to
 * whole samples here, so the per-sample path only counts.
 */
import { SeismicError } from "./errors.js";
import {
  DEFAULT_PPV_PROFILE,
  type PpvLimitProfile,
  ppvProfileNamed,
  validatePpvProfile,
} from "./ppv-limits.js";

export interface SeismicConfig {
  /** Accelerometer output data rate, Hz (the ADXL355 runs 3.9 to 4000 Hz; the product uses 100 to 1000). */
  sampleRateHz: number;
  /** Short-term average window, s (nsta = round(staS x rate) >= 1). */
  staS: number;
  /** Long-term average window, s (nlta = round(ltaS x rate) > nsta). */
  ltaS: number;
  /** Characteristic function: "recursive" (default: constant memory and cost) or "classic" (ring of nlta). */
  method?: "recursive" | "classic";
  /** Trigger on when the STA/LTA ratio is >= this (ObsPy `trigger_onset` thres1). */
  onThreshold: number;
  /** Trigger off when the ratio falls below this (thres2); must be <= onThreshold. */
  offThreshold: number;
  /** Pre-event window, ms: peaks in this span before the trigger count toward the event. Default 1000. */
  preEventMs?: number;
  /**
   * Post-event window, ms: the event stays open this long after the trigger goes off; a re-trigger inside
   * it extends the same event (it is also the minimum gap between two events). Default 2000.
   */
  postEventMs?: number;
  /** Longest event, ms; a trigger that stays on longer is cut (flag `truncated`) and must re-arm. Default 60000. */
  maxEventMs?: number;
  /**
   * Corner of the DC-removing one-pole high-pass on acceleration and of the leaky velocity integrator, Hz.
   * Default 0.2 Hz: removes gravity and offset drift (time constant 0.8 s) while passing the 1 to 100 Hz band
   * the PPV criteria cover (at 1 Hz the two stages together cost 3.8 % of amplitude; at 4 Hz 0.25 %).
   */
  highPassHz?: number;
  /** Telemetry summary period, ms. Default 60000. */
  summaryPeriodMs?: number;
  /** PPV limit profile name (see ppv-limits.ts) or a custom profile. Default "usbm-ri8507-plaster". */
  ppvProfile?: string | PpvLimitProfile;
  /** Fraction of the limit from which an event is classed "warning". Default 0.5 (a design default). */
  warnFraction?: number;
  /** A time step longer than this, ms, is a gap: the open event closes and the filters restart. Default 10 sample periods. */
  maxGapMs?: number;
}

/** Longest classic LTA window in samples: its ring costs 8 bytes a sample and the node app heap is 64 KiB. */
export const MAX_CLASSIC_LTA_SAMPLES = 4096;
/** Pre-event peaks are kept per sub-block; this many sub-blocks span the pre-event window. */
export const PRE_EVENT_SUBBLOCKS = 8;

export interface ResolvedSeismicConfig {
  readonly sampleRateHz: number;
  readonly periodMs: number;
  readonly nsta: number;
  readonly nlta: number;
  readonly method: "recursive" | "classic";
  readonly onThreshold: number;
  readonly offThreshold: number;
  readonly preEventMs: number;
  readonly postEventSamples: number;
  readonly maxEventSamples: number;
  readonly highPassHz: number;
  /** One-pole high-pass coefficient a = RC / (RC + dt), RC = 1 / (2 pi fc). */
  readonly highPassA: number;
  /** Leaky integrator retention, same form as the high-pass: v_n = leak v_{n-1} + a_n dt. */
  readonly velocityLeak: number;
  readonly summaryPeriodMs: number;
  readonly ppvProfile: PpvLimitProfile;
  readonly warnFraction: number;
  readonly maxGapMs: number;
  /** Samples per pre-event sub-block. */
  readonly subBlockSamples: number;
}

function bad(field: string, value: unknown, why: string): SeismicError {
  return new SeismicError("bad-config", `seismic config: ${field} = ${String(value)} ${why}`, value);
}

function num(c: Record<string, unknown>, field: string, dflt: number | undefined): number {
  const v = c[field];
  if (v === undefined) {
    if (dflt === undefined) throw bad(field, v, "is required");
    return dflt;
  }
  if (typeof v !== "number" || !Number.isFinite(v)) throw bad(field, v, "is not a finite number");
  return v;
}

function inRange(field: string, v: number, min: number, max: number, minOpen = false): number {
  if (minOpen ? !(v > min) : !(v >= min)) throw bad(field, v, `must be ${minOpen ? ">" : ">="} ${min}`);
  if (!(v <= max)) throw bad(field, v, `must be <= ${max}`);
  return v;
}

export function resolveSeismicConfig(config: SeismicConfig): ResolvedSeismicConfig {
  if (config === null || typeof config !== "object") throw bad("config", config, "is not an object");
  const c = config as unknown as Record<string, unknown>;
  const fs = inRange("sampleRateHz", num(c, "sampleRateHz", undefined), 0.01, 10000, true);
  const staS = inRange("staS", num(c, "staS", undefined), 0, 3600, true);
  const ltaS = inRange("ltaS", num(c, "ltaS", undefined), 0, 86400, true);
  const nsta = Math.round(staS * fs);
  const nlta = Math.round(ltaS * fs);
  if (nsta < 1) throw bad("staS", staS, `is shorter than one sample at ${fs} Hz`);
  if (nlta <= nsta) throw bad("ltaS", ltaS, `must span more samples than staS (${nlta} <= ${nsta})`);
  const method = c.method === undefined ? "recursive" : c.method;
  if (method !== "recursive" && method !== "classic")
    throw bad("method", method, 'must be "recursive" or "classic"');
  if (method === "classic" && nlta > MAX_CLASSIC_LTA_SAMPLES) {
    throw bad(
      "ltaS",
      ltaS,
      `gives ${nlta} samples; classic STA/LTA keeps at most ${MAX_CLASSIC_LTA_SAMPLES}`,
    );
  }
  const onThreshold = inRange("onThreshold", num(c, "onThreshold", undefined), 0, 1e6, true);
  const offThreshold = inRange("offThreshold", num(c, "offThreshold", undefined), 0, onThreshold, true);
  const periodMs = 1000 / fs;
  const preEventMs = inRange("preEventMs", num(c, "preEventMs", 1000), 0, 600_000);
  const postEventMs = inRange("postEventMs", num(c, "postEventMs", 2000), 0, 600_000);
  const maxEventMs = inRange("maxEventMs", num(c, "maxEventMs", 60_000), periodMs, 86_400_000);
  const highPassHz = inRange("highPassHz", num(c, "highPassHz", 0.2), 0, fs / 4);
  const summaryPeriodMs = inRange("summaryPeriodMs", num(c, "summaryPeriodMs", 60_000), periodMs, 86_400_000);
  const warnFraction = inRange("warnFraction", num(c, "warnFraction", 0.5), 0, 1, true);
  const maxGapMs = inRange("maxGapMs", num(c, "maxGapMs", 10 * periodMs), periodMs, 86_400_000);
  const p = c.ppvProfile;
  let ppvProfile: PpvLimitProfile;
  if (p === undefined) ppvProfile = ppvProfileNamed(DEFAULT_PPV_PROFILE);
  else if (typeof p === "string") ppvProfile = ppvProfileNamed(p);
  else if (typeof p === "object" && p !== null) ppvProfile = validatePpvProfile(p as PpvLimitProfile);
  else throw bad("ppvProfile", p, "is neither a profile name nor a profile");
  const dtS = 1 / fs;
  const rc = highPassHz > 0 ? 1 / (2 * Math.PI * highPassHz) : Number.POSITIVE_INFINITY;
  const highPassA = highPassHz > 0 ? rc / (rc + dtS) : 1;
  const preSamples = Math.ceil((preEventMs * fs) / 1000);
  const subBlockSamples =
    preSamples > 0
      ? Math.max(1, Math.ceil(preSamples / PRE_EVENT_SUBBLOCKS))
      : Math.max(1, Math.round(fs / 10));
  return Object.freeze({
    sampleRateHz: fs,
    periodMs,
    nsta,
    nlta,
    method,
    onThreshold,
    offThreshold,
    preEventMs,
    postEventSamples: Math.round((postEventMs * fs) / 1000),
    maxEventSamples: Math.max(1, Math.round((maxEventMs * fs) / 1000)),
    highPassHz,
    highPassA,
    velocityLeak: highPassA,
    summaryPeriodMs,
    ppvProfile,
    warnFraction,
    maxGapMs,
    subBlockSamples,
  });
}
