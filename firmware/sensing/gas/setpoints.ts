/**
 * Stage 4, set-points: one `Threshold` per alarm level, and the CH4 rate-of-rise estimator.
 *
 * A threshold is "rising" (on at value >= setPoint: CH4, CO, H2S, O2 enrichment, STEL, TWA, rate of rise) or
 * "falling" (on at value <= setPoint: O2 deficiency). It clears only once the value is back beyond the
 * hysteresis band (rising: value < setPoint - hysteresis), so noise at the set-point cannot make it chatter.
 * A latched threshold (A2) also needs an acknowledgement: EN 60079-29-1 lets the high alarm be latching,
 * "requiring a deliberate manual action to reset", and a reset while the gas is still beyond the set-point
 * has no effect (the alarm would come straight back). No data (NaN) never changes a threshold's state: an
 * alarm that was on stays on until valid data says the air is clear.
 */
export class Threshold {
  readonly setPoint: number;
  readonly hysteresis: number;
  readonly rising: boolean;
  readonly latched: boolean;
  /** The alarm as reported. */
  on = false;
  /** The condition itself (beyond the set-point, or not yet back by the hysteresis). */
  active = false;

  constructor(setPoint: number, hysteresis: number, rising: boolean, latched: boolean) {
    this.setPoint = setPoint;
    this.hysteresis = hysteresis;
    this.rising = rising;
    this.latched = latched;
  }

  update(value: number): boolean {
    if (Number.isNaN(value)) return this.on;
    if (this.rising) {
      if (value >= this.setPoint) this.active = true;
      else if (value < this.setPoint - this.hysteresis) this.active = false;
    } else if (value <= this.setPoint) this.active = true;
    else if (value > this.setPoint + this.hysteresis) this.active = false;
    if (this.active) this.on = true;
    else if (!this.latched) this.on = false;
    return this.on;
  }

  /** Resets a latched alarm whose condition has cleared; returns true when that turned the alarm off. */
  acknowledge(): boolean {
    if (!this.on || this.active) return false;
    this.on = false;
    return true;
  }

  /** Restores a persisted alarm state (a latched A2 survives a restart). */
  restore(on: boolean, active: boolean): void {
    this.on = on || active;
    this.active = active;
  }
}

/**
 * Rate of rise from two exponential averages: for a ramp of slope r, an EMA with time constant tau lags the
 * input by r * tau; here "fast" is the calibrated value itself and "slow" its average with tau = windowMs,
 * so (fast - slow) / windowMs = r once settled (~3 windowMs),
 * and a sudden step shows at once as a large rate (an inrush trips it in the same sample). O(1) state, no
 * buffer.
 */
export class RateOfRise {
  readonly windowMs: number;
  perMin = 0;
  #slow = Number.NaN;
  #lastMs = Number.NaN;
  #tauSlowMs: number;
  #cachedDtMs = -1;
  #cachedAlpha = 1;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
    this.#tauSlowMs = windowMs;
  }

  /** `fast` = the calibrated value at `tMs`; NaN / Infinity hold. Returns the rate in unit per minute. */
  update(tMs: number, fast: number): number {
    if (!Number.isFinite(fast)) return this.perMin;
    if (Number.isNaN(this.#slow)) {
      this.#slow = fast;
    } else {
      const dt = tMs - this.#lastMs;
      if (dt !== this.#cachedDtMs) {
        this.#cachedDtMs = dt;
        this.#cachedAlpha = dt > 0 ? 1 - Math.exp(-dt / this.#tauSlowMs) : 0;
      }
      this.#slow += this.#cachedAlpha * (fast - this.#slow);
    }
    this.#lastMs = tMs;
    this.perMin = ((fast - this.#slow) / this.#tauSlowMs) * 60_000;
    return this.perMin;
  }
}
