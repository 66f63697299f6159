/**
 * Stage 5, fault checks on the calibrated reading. Each check is a few comparisons; none allocates.
 * - no data: no valid (finite) sample for `noDataMs` (the pipeline uses noDataPeriods x the nominal period);
 *   before the first valid sample it counts from power-on.
 * - out of range: below rangeMin - underRangeTolerance (a broken or badly drifted cell: real air cannot read
 *   negative), or above rangeMax for gases whose over-range is a fault too (see GasSettings).
 * - stuck: the reading stayed within `stuckBand` for `stuckWindowMs` (a frozen ADC, a dead cell, a driver
 *   repeating its last value), unless it sits at or below `stuckExemptAtOrBelow`.
 * - warm-up: from power-on for `warmUpMs` (a state, not an alarm suppressor).
 * - calibration overdue: `tMs - calibratedAtMs > calIntervalMs`.
 */
import { GasFault } from "./bits.js";

export interface FaultLimits {
  rangeMin: number;
  rangeMax: number;
  underRangeTolerance: number;
  overRangeIsFault: boolean;
  stuckWindowMs: number;
  stuckBand: number;
  stuckExemptAtOrBelow: number;
  warmUpMs: number;
  calIntervalMs: number;
  noDataMs: number;
}

export class FaultMonitor {
  readonly limits: FaultLimits;
  readonly startMs: number;
  readonly calibratedAtMs: number;
  bits = 0;
  #lastValidMs: number;
  #stuckSinceMs = Number.NaN;
  #stuckMin = 0;
  #stuckMax = 0;

  constructor(limits: FaultLimits, startMs: number, calibratedAtMs: number) {
    this.limits = limits;
    this.startMs = startMs;
    this.calibratedAtMs = calibratedAtMs;
    this.#lastValidMs = startMs;
  }

  /** `value` = calibrated reading (non-finite = no data). Returns the fault bits. */
  update(tMs: number, value: number): number {
    const l = this.limits;
    let bits = 0;
    if (Number.isFinite(value)) {
      this.#lastValidMs = tMs;
      if (value < l.rangeMin - l.underRangeTolerance || (l.overRangeIsFault && value >= l.rangeMax))
        bits |= GasFault.OUT_OF_RANGE;
      if (Number.isNaN(this.#stuckSinceMs)) {
        this.#restartStuck(tMs, value);
      } else {
        if (value < this.#stuckMin) this.#stuckMin = value;
        if (value > this.#stuckMax) this.#stuckMax = value;
        if (this.#stuckMax - this.#stuckMin > l.stuckBand) this.#restartStuck(tMs, value);
      }
      if (tMs - this.#stuckSinceMs >= l.stuckWindowMs && value > l.stuckExemptAtOrBelow)
        bits |= GasFault.STUCK;
    } else {
      // Keep the last out-of-range and stuck verdicts while there is no data: no data cannot clear them.
      bits |= this.bits & (GasFault.OUT_OF_RANGE | GasFault.STUCK);
    }
    if (tMs - this.#lastValidMs >= l.noDataMs) bits |= GasFault.NO_DATA;
    if (tMs - this.startMs < l.warmUpMs) bits |= GasFault.WARM_UP;
    if (tMs - this.calibratedAtMs > l.calIntervalMs) bits |= GasFault.CAL_OVERDUE;
    this.bits = bits;
    return bits;
  }

  #restartStuck(tMs: number, value: number): void {
    this.#stuckSinceMs = tMs;
    this.#stuckMin = value;
    this.#stuckMax = value;
  }
}
