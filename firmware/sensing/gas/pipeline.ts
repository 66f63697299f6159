/**
 * One gas channel: calibrate -> (smooth, rate of rise) -> STEL/TWA -> set-points -> faults, in one push().
 * See index.ts for the public API and its contract.
 */

import { deepFreeze } from "../../../protocol/freeze.js";
import { GasError } from "../errors.js";
import { resolveGasSettings } from "../profiles/index.js";
import type { GasName, GasProfile, GasSettings, GasUnit } from "../profiles/types.js";
import { GasAlarm, GasFault, GasState, type GasStateCode } from "./bits.js";
import { type Calibration, type TemperatureCompensation, TwoPointCalibration } from "./calibrate.js";
import { RollingExposure } from "./exposure.js";
import { FaultMonitor } from "./faults.js";
import { EmaFilter } from "./filter.js";
import { RateOfRise, Threshold } from "./setpoints.js";

export interface GasChannelOptions {
  gas: GasName;
  /** A profile object or the name of a built-in one (GAS_PROFILES). */
  profile: GasProfile | string;
  /** A location class of the profile (CH4 limits depend on it), e.g. "face". */
  location: string;
  calibration: Calibration;
  /** Nominal sample period: the no-data fault fires after `noDataPeriods` of these without a valid sample. */
  periodMs: number;
  /** Power-on time of the sensor, same time base as the samples: warm-up counts from here. */
  startMs: number;
  temperatureCompensation?: TemperatureCompensation | null;
  /** Per-node overrides from provisioning (validated like the profile's own numbers). */
  settings?: Partial<GasSettings>;
}

const STATE_VERSION = 1;
const STATE_HEADER = 6;
const STEL_WINDOW_MS = 15 * 60_000;
const STEL_BUCKETS = 15;
const TWA_WINDOW_MS = 8 * 3_600_000;
const TWA_BUCKETS = 32;
/**
 * Calibrated readings kept for a zero/span calibration (the last 5 samples: 5 s at the 1 s nominal period).
 * Calibration averages these unsmoothed readings and refuses while they spread: the smoothing filter
 * (filter.ts) lags a step by T90 = 2.3 tau, so a span taken on `filtered` while it still rises gives a wrong
 * gain (measured 8.9 % high on CO in the simulator); the raw readings are at the gas as soon as the cell is.
 */
export const RECENT_SAMPLES = 5;

export class GasChannelPipeline {
  readonly gas: GasName;
  readonly unit: GasUnit;
  readonly location: string;
  readonly settings: Readonly<GasSettings>;
  readonly periodMs: number;
  /** Calibrated reading of the last push, in `unit` (NaN when that sample had no data). */
  value = Number.NaN;
  /** Smoothed reading for telemetry (filter.ts: adds T90 = 2.303 x filterTauMs to this value only). */
  filtered = Number.NaN;
  /** Rolling 15-min and 8-h means, in `unit` (0 for gases without STEL/TWA limits). */
  stel = 0;
  twa = 0;
  /** CH4 rate of rise, unit per minute (0 when the profile does not watch it). */
  ratePerMin = 0;
  /** GasAlarm bits on after the last push. */
  alarms = 0;
  /** GasFault bits on after the last push. */
  faults = 0;
  /** Bits that changed in the last push / check / acknowledge (0 = nothing to report). */
  alarmsChanged = 0;
  faultsChanged = 0;
  state: GasStateCode = GasState.Normal;
  /** Time of the last push or check. */
  lastMs = Number.NaN;
  /** Sensor power-on time (warm-up counts from here) and the calibration's time, same time base. */
  readonly startMs: number;
  readonly calibratedAtMs: number;

  #cal: TwoPointCalibration;
  #filter: EmaFilter;
  #ror: RateOfRise | null;
  #stelAvg: RollingExposure | null;
  #twaAvg: RollingExposure | null;
  #a1: Threshold | null;
  #a2: Threshold | null;
  #high: Threshold | null;
  #stelLimit: Threshold | null;
  #twaLimit: Threshold | null;
  #rorLimit: Threshold | null;
  #faults: FaultMonitor;
  #gapMs: number;
  /** Ring of the last RECENT_SAMPLES calibrated readings (NaN = no data), preallocated; #recentNext = next slot. */
  #recent = new Float64Array(RECENT_SAMPLES).fill(Number.NaN);
  #recentNext = 0;

  constructor(o: GasChannelOptions) {
    if (!(typeof o.periodMs === "number" && o.periodMs > 0 && Number.isFinite(o.periodMs)))
      throw new GasError("bad-config", `periodMs ${String(o.periodMs)} is not a positive number`, o.periodMs);
    if (!(typeof o.startMs === "number" && Number.isFinite(o.startMs)))
      throw new GasError("bad-config", `startMs ${String(o.startMs)} is not a finite number`, o.startMs);
    const s = resolveGasSettings(o.profile, o.gas, o.location, o.settings);
    this.gas = o.gas;
    this.unit = s.unit;
    this.location = o.location;
    this.settings = s;
    this.periodMs = o.periodMs;
    this.startMs = o.startMs;
    this.calibratedAtMs = o.calibration.calibratedAtMs;
    this.#cal = new TwoPointCalibration(o.calibration, o.temperatureCompensation ?? null);
    this.#filter = new EmaFilter(s.filterTauMs);
    const rising = s.direction === "rising";
    this.#a1 = s.a1 ? new Threshold(s.a1.value, s.a1.hysteresis, rising, false) : null;
    this.#a2 = s.a2 ? new Threshold(s.a2.value, s.a2.hysteresis, rising, true) : null;
    this.#high = s.enrichment
      ? new Threshold(s.enrichment.value, s.enrichment.hysteresis, true, false)
      : null;
    this.#stelLimit = s.stel ? new Threshold(s.stel.value, s.stel.hysteresis, true, false) : null;
    this.#twaLimit = s.twa ? new Threshold(s.twa.value, s.twa.hysteresis, true, false) : null;
    this.#rorLimit = s.rorPerMin
      ? new Threshold(s.rorPerMin.value, s.rorPerMin.hysteresis, true, false)
      : null;
    this.#ror = s.rorPerMin ? new RateOfRise(s.rorWindowMs) : null;
    this.#stelAvg = s.stel ? new RollingExposure(STEL_WINDOW_MS, STEL_BUCKETS) : null;
    this.#twaAvg = s.twa ? new RollingExposure(TWA_WINDOW_MS, TWA_BUCKETS) : null;
    const noDataMs = s.noDataPeriods * o.periodMs;
    this.#gapMs = noDataMs;
    this.#faults = new FaultMonitor(
      {
        rangeMin: s.rangeMin,
        rangeMax: s.rangeMax,
        underRangeTolerance: s.underRangeTolerance,
        overRangeIsFault: o.gas !== "ch4",
        stuckWindowMs: s.stuckWindowMs,
        stuckBand: s.stuckBand,
        stuckExemptAtOrBelow: s.stuckExemptAtOrBelow,
        warmUpMs: s.warmUpMs,
        calIntervalMs: s.calIntervalMs,
        noDataMs,
      },
      o.startMs,
      o.calibration.calibratedAtMs,
    );
  }

  /**
   * One sample: `raw` in the sensor's raw unit (NaN / Infinity = no data at `tMs`), optional temperature.
   * Every decision is made here, for this sample. Returns true when an alarm or fault bit changed.
   * Throws GasError "time-not-increasing" (before any state changes) for a non-finite or repeated time.
   */
  push(tMs: number, raw: number, tempC = Number.NaN): boolean {
    if (!Number.isFinite(tMs) || tMs <= this.lastMs)
      throw new GasError("time-not-increasing", `sample time ${tMs} ms is not after ${this.lastMs} ms`, tMs);
    this.lastMs = tMs;
    let v = this.#cal.apply(raw, tempC);
    if (!Number.isFinite(v)) v = Number.NaN;
    this.value = v;
    this.#recent[this.#recentNext] = v;
    this.#recentNext = this.#recentNext + 1 === RECENT_SAMPLES ? 0 : this.#recentNext + 1;
    this.filtered = this.#filter.update(tMs, v);
    // The rate and the averages see the reading clipped to the measuring range: beyond it the number is not
    // a concentration (OVER_RANGE / OUT_OF_RANGE say so), and 1e308 must not overflow an integral.
    const s = this.settings;
    const inRange = v > s.rangeMax ? s.rangeMax : v < s.rangeMin - s.underRangeTolerance ? s.rangeMin : v;
    let alarms = 0;
    if (this.#a1?.update(v)) alarms |= GasAlarm.A1;
    if (this.#a2?.update(v)) alarms |= GasAlarm.A2;
    if (this.#high?.update(v)) alarms |= GasAlarm.O2_HIGH;
    if (this.#ror !== null) {
      // Fed the unsmoothed value: the estimator's own slow average is the smoothing, and an inrush must show
      // in its first sample. No data: the rate holds (a gap must not read as a slope), so does the alarm.
      if (!Number.isNaN(v)) this.ratePerMin = this.#ror.update(tMs, inRange);
      if (this.#rorLimit!.update(Number.isNaN(v) ? v : this.ratePerMin)) alarms |= GasAlarm.ROR;
    }
    if (this.#stelAvg !== null) {
      this.stel = this.#stelAvg.add(tMs, inRange, this.#gapMs);
      if (this.#stelLimit!.update(this.stel)) alarms |= GasAlarm.STEL;
    }
    if (this.#twaAvg !== null) {
      this.twa = this.#twaAvg.add(tMs, inRange, this.#gapMs);
      if (this.#twaLimit!.update(this.twa)) alarms |= GasAlarm.TWA;
    }
    // Over-range: an alarm for every gas (the truth is at least full scale); held through no data.
    if (!Number.isNaN(v)) {
      if (v >= s.rangeMax) alarms |= GasAlarm.OVER_RANGE;
    } else alarms |= this.alarms & GasAlarm.OVER_RANGE;
    this.#settle(alarms, this.#faults.update(tMs, v));
    return (this.alarmsChanged | this.faultsChanged) !== 0;
  }

  /**
   * Copies the last RECENT_SAMPLES calibrated readings, oldest first, into `out` (NaN where there was no
   * data or fewer samples so far). For calibration; not per sample.
   */
  recentValues(out: Float64Array): void {
    for (let i = 0; i < RECENT_SAMPLES; i++) out[i] = this.#recent[(this.#recentNext + i) % RECENT_SAMPLES]!;
  }

  /**
   * Takes over the live readings of the pipeline this one replaces (a reconfigure of the same sensor, which
   * stayed powered): the recent readings, the last value and the smoothing filter's state, so READ and a
   * calibration right after a config apply see the gas, not "no reading yet". Before the first push.
   */
  continueReadings(from: GasChannelPipeline): void {
    if (!Number.isNaN(this.lastMs))
      throw new GasError("bad-state", "continueReadings after samples were pushed", this.lastMs);
    this.#recent.set(from.#recent);
    this.#recentNext = from.#recentNext;
    this.value = from.value;
    this.filtered = from.filtered;
    this.#filter.continueFrom(from.#filter);
  }

  /** Time passes without a sample (the runtime's timer): same as a push with no data. */
  check(tMs: number): boolean {
    return this.push(tMs, Number.NaN);
  }

  /** Operator acknowledgement: resets a latched A2 whose gas has cleared. Returns true when it did. */
  acknowledge(): boolean {
    if (this.#a2 === null || !this.#a2.acknowledge()) return false;
    this.#settle(this.alarms & ~GasAlarm.A2, this.faults);
    return true;
  }

  #settle(alarms: number, faults: number): void {
    this.alarmsChanged = alarms ^ this.alarms;
    this.faultsChanged = faults ^ this.faults;
    this.alarms = alarms;
    this.faults = faults;
    this.state =
      alarms !== 0
        ? GasState.Alarm
        : (faults & ~GasFault.WARM_UP) !== 0
          ? GasState.Fault
          : faults !== 0
            ? GasState.WarmUp
            : GasState.Normal;
  }

  /** Length of the persisted state in numbers. */
  get stateLength(): number {
    return STATE_HEADER + (this.#stelAvg?.stateLength ?? 0) + (this.#twaAvg?.stateLength ?? 0);
  }

  /**
   * Writes what must survive a restart: the A2 latch and the STEL/TWA integrals, as `stateLength` numbers
   * from `offset` (times are in this boot's time base). Returns the offset after them.
   */
  exportState(into: Float64Array, offset = 0): number {
    if (into.length < offset + this.stateLength)
      throw new GasError("bad-state", `state needs ${this.stateLength} numbers`, into.length - offset);
    into[offset] = STATE_VERSION;
    into[offset + 1] = GAS_INDEX[this.gas];
    into[offset + 2] = this.lastMs;
    into[offset + 3] = this.#a2?.on ? 1 : 0;
    into[offset + 4] = this.#a2?.active ? 1 : 0;
    into[offset + 5] = this.value;
    let at = offset + STATE_HEADER;
    if (this.#stelAvg) at = this.#stelAvg.exportState(into, at);
    if (this.#twaAvg) at = this.#twaAvg.exportState(into, at);
    return at;
  }

  /**
   * Restores a state exported before a restart, before the first push. `shiftMs` maps the old time base
   * onto this one (new = old + shiftMs); with a boot-relative clock and a persisted wall-clock time of the
   * export: shiftMs = (nowMs - (nowUtcMs - exportUtcMs)) - exportedLastMs. The down time until the next
   * push is a gap for STEL/TWA (counted at the last value, exposure.ts); a latched A2 stays latched.
   */
  importState(from: Float64Array, offset: number, shiftMs: number): number {
    if (!Number.isNaN(this.lastMs))
      throw new GasError("bad-state", "importState after samples were pushed", this.lastMs);
    if (from.length < offset + this.stateLength)
      throw new GasError("bad-state", `state needs ${this.stateLength} numbers`, from.length - offset);
    if (from[offset] !== STATE_VERSION || from[offset + 1] !== GAS_INDEX[this.gas])
      throw new GasError("bad-state", `state is not a version-1 ${this.gas} state`, from[offset + 1]);
    if (!Number.isFinite(shiftMs)) throw new GasError("bad-state", `shiftMs ${shiftMs}`, shiftMs);
    const shifted = new Float64Array(from.subarray(offset, offset + this.stateLength));
    let at = STATE_HEADER;
    for (const avg of [this.#stelAvg, this.#twaAvg]) {
      if (avg === null) continue;
      shifted[at + 3] = shifted[at + 3]! + shiftMs;
      shifted[at + 4] = shifted[at + 4]! + shiftMs;
      at = avg.importState(shifted, at);
    }
    this.#a2?.restore(from[offset + 3] === 1, from[offset + 4] === 1);
    this.stel = this.#stelAvg?.average ?? 0;
    this.twa = this.#twaAvg?.average ?? 0;
    const last = from[offset + 2]!;
    if (!Number.isNaN(last)) this.lastMs = last + shiftMs;
    let alarms = this.#a2?.on ? GasAlarm.A2 : 0;
    if (this.#stelLimit?.update(this.stel)) alarms |= GasAlarm.STEL;
    if (this.#twaLimit?.update(this.twa)) alarms |= GasAlarm.TWA;
    this.#settle(alarms, this.faults);
    return offset + this.stateLength;
  }
}

const GAS_INDEX: Readonly<Record<GasName, number>> = { ch4: 1, co: 2, o2: 3, h2s: 4 };

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(GAS_INDEX);
