/**
 * Stage 2, smoothing: a one-pole low-pass (exponential moving average) with time constant `tauMs`, exact
 * for irregular sample spacing: y += (1 - exp(-dt / tau)) * (x - y).
 *
 * Response it adds: to a step, 1 - exp(-t / tau), so T90 = tau * ln 10 = 2.303 tau (and T50 = 0.693 tau).
 * The smoothed value is the REPORTED concentration (telemetry) only. The A1/A2 set-points, over-range,
 * rate of rise and STEL/TWA act on the calibrated, unsmoothed value, so the pipeline adds nothing to the
 * alarm's T90 and an alarm is decided in the push() of the sample that crosses. Why that matters:
 * EN 60079-29-1 and EN 45544 budget the whole detector's T90 (sensor + electronics); the sensor head alone
 * uses most of it (see firmware/sensing/profiles/SOURCES.md), so the firmware must not add to it.
 * Non-finite input is ignored (the output holds), so a dropout cannot poison the state.
 */
export const LN10 = Math.log(10);

/** T90 the filter adds to a step, ms. */
export function emaT90Ms(tauMs: number): number {
  return tauMs * LN10;
}

export class EmaFilter {
  readonly tauMs: number;
  value = Number.NaN;
  #lastMs = Number.NaN;
  #cachedDtMs = -1;
  #cachedAlpha = 1;

  constructor(tauMs: number) {
    this.tauMs = tauMs;
  }

  update(tMs: number, x: number): number {
    if (!Number.isFinite(x)) return this.value; // NaN or +-Infinity: hold
    if (Number.isNaN(this.value) || this.tauMs <= 0) {
      this.value = x;
    } else {
      const dt = tMs - this.#lastMs;
      // exp() once per distinct spacing: at a steady period the weight is reused, no per-sample exp.
      if (dt !== this.#cachedDtMs) {
        this.#cachedDtMs = dt;
        this.#cachedAlpha = dt > 0 ? 1 - Math.exp(-dt / this.tauMs) : 0;
      }
      this.value += this.#cachedAlpha * (x - this.value);
    }
    this.#lastMs = tMs;
    return this.value;
  }

  /** Takes over another filter's state (same sensor, new settings): no restart from the next sample. */
  continueFrom(other: EmaFilter): void {
    this.value = other.value;
    this.#lastMs = other.#lastMs;
  }

  reset(): void {
    this.value = Number.NaN;
    this.#lastMs = Number.NaN;
  }
}
