/**
 * Stage 1, calibration: raw sensor output -> concentration in the channel's unit.
 *
 * Two-point zero/span as done at provisioning and at every bump/calibration: the technician applies zero
 * gas (or clean air) and span gas of a known concentration and the node stores the raw reading of each.
 * value = zeroValue + (raw - zeroRaw) * (spanValue - zeroValue) / (spanRaw - zeroRaw).
 * For O2 the "zero" point is usually nitrogen (0 %) and the span clean air (20.9 %).
 *
 * Temperature compensation is a hook: an object with one method, called with the calibrated value and the
 * temperature; the linear form below (zero drift per degree, span drift in % per degree around a reference
 * temperature) is what electrochemical and NDIR datasheets state. No temperature (NaN) = no correction.
 */
import { GasError } from "../errors.js";

export interface Calibration {
  /** Raw reading on zero gas and the concentration of that gas (normally 0). */
  zeroRaw: number;
  zeroValue: number;
  /** Raw reading on span gas and the span gas concentration, in the channel's unit. */
  spanRaw: number;
  spanValue: number;
  /** When this calibration was done, in the same time base as the samples (may be negative: before boot). */
  calibratedAtMs: number;
}

/** Raw readings already in the channel's unit (a recording): gain 1, offset 0, calibrated at `tMs`. */
export function identityCalibration(calibratedAtMs: number): Calibration {
  return { zeroRaw: 0, zeroValue: 0, spanRaw: 1, spanValue: 1, calibratedAtMs };
}

export interface TemperatureCompensation {
  /** Returns the value corrected for `tempC`; must not allocate; NaN temperature must return `value`. */
  compensate(value: number, tempC: number): number;
}

/** value_true = (value - zeroDriftPerC * dT) / (1 + spanDriftPctPerC / 100 * dT), dT = tempC - referenceC. */
export class LinearTemperatureCompensation implements TemperatureCompensation {
  readonly referenceC: number;
  readonly zeroDriftPerC: number;
  readonly spanDriftPctPerC: number;

  constructor(referenceC: number, zeroDriftPerC: number, spanDriftPctPerC: number) {
    for (const [name, v] of [
      ["referenceC", referenceC],
      ["zeroDriftPerC", zeroDriftPerC],
      ["spanDriftPctPerC", spanDriftPctPerC],
    ] as const) {
      if (!Number.isFinite(v))
        throw new GasError("bad-config", `temperature compensation ${name} is ${v}`, v);
    }
    // Beyond +-5 %/degC the span would cross zero inside the sensor's -40..+60 degC rating.
    if (Math.abs(spanDriftPctPerC) > 5)
      throw new GasError(
        "bad-config",
        `spanDriftPctPerC ${spanDriftPctPerC} is outside -5..5`,
        spanDriftPctPerC,
      );
    this.referenceC = referenceC;
    this.zeroDriftPerC = zeroDriftPerC;
    this.spanDriftPctPerC = spanDriftPctPerC;
  }

  compensate(value: number, tempC: number): number {
    if (Number.isNaN(tempC)) return value;
    const dT = tempC - this.referenceC;
    return (value - this.zeroDriftPerC * dT) / (1 + (this.spanDriftPctPerC / 100) * dT);
  }
}

export function validateCalibration(c: Calibration): void {
  for (const k of ["zeroRaw", "zeroValue", "spanRaw", "spanValue", "calibratedAtMs"] as const) {
    const v = c?.[k];
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new GasError("bad-calibration", `calibration ${k} is ${String(v)}, not a finite number`, v);
  }
  if (c.spanRaw === c.zeroRaw)
    throw new GasError("bad-calibration", `calibration spanRaw equals zeroRaw (${c.spanRaw})`, c.spanRaw);
  if (c.spanValue === c.zeroValue)
    throw new GasError(
      "bad-calibration",
      `calibration spanValue equals zeroValue (${c.spanValue})`,
      c.spanValue,
    );
}

export class TwoPointCalibration {
  readonly calibratedAtMs: number;
  #gain: number;
  #offset: number;
  #temp: TemperatureCompensation | null;

  constructor(c: Calibration, temperature: TemperatureCompensation | null = null) {
    validateCalibration(c);
    this.#gain = (c.spanValue - c.zeroValue) / (c.spanRaw - c.zeroRaw);
    this.#offset = c.zeroValue - c.zeroRaw * this.#gain;
    this.calibratedAtMs = c.calibratedAtMs;
    this.#temp = temperature;
  }

  /** Concentration for a raw reading; non-finite in gives non-finite out (the caller treats it as no data). */
  apply(raw: number, tempC: number): number {
    const v = raw * this.#gain + this.#offset;
    return this.#temp === null ? v : this.#temp.compensate(v, tempC);
  }
}
