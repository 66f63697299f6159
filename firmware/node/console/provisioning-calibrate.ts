/**
 * Zero and span calibration of one gas channel for the console (CAL.ZERO / CAL.SPAN): the new gain and
 * offset (value = gain x raw + offset) from the mean of the recent unsmoothed readings, or a refusal that
 * says why.
 * Runs on XS; nothing here is per sample.
 */
import { ProvisioningError, type ProvisioningRecord } from "../../../protocol/provisioning-record.js";
import { GasFault, RECENT_SAMPLES } from "../../sensing/gas/index.js";
import { resolveGasSettings } from "../../sensing/profiles/index.js";
import type { NodeRuntime } from "../runtime.js";
import type { ConsoleRefusal } from "./host.js";
import { checkCalibration, GAS_CONSOLE_NAMES, GASES, UNITS } from "./provisioning-check.js";

export function refusal(error: string, field: string, reason: string): ConsoleRefusal {
  return { error, field, reason };
}

export function refusalOf(e: unknown): ConsoleRefusal {
  if (e instanceof ProvisioningError) return refusal(e.code, e.field, e.message);
  return refusal("out-of-range", "config", (e as Error)?.message ?? String(e));
}

/** Six decimals: what the console's reply number prints without noise digits. */
export function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x;
}

/**
 * Fault bits that make a reading unfit to calibrate on: no data, out of range, stuck, warm-up. An overdue
 * calibration is exactly why the tech is calibrating, so it does not block.
 */
const CAL_BLOCKING_FAULTS = GasFault.NO_DATA | GasFault.OUT_OF_RANGE | GasFault.STUCK;

/**
 * Stability of the calibration window (RECENT_SAMPLES unsmoothed readings, firmware/sensing/gas/pipeline.ts):
 * their spread (max - min) must be at most 2 % of their mean or 1 % of the measuring range, whichever is
 * larger (DEFAULT design limits, not from a standard: 2 % is a fifth of the +-10 % span accuracy EN 45544-1 /
 * EN 60079-29-1 ask of a calibrated instrument, 1 % of range covers the cell's noise at zero). A wider spread
 * means the gas is still rising (the cell's own T90) or the flow is not steady: refused as `unstable`.
 */
export const CAL_STABLE_FRACTION_OF_READING = 0.02;
export const CAL_STABLE_FRACTION_OF_RANGE = 0.01;

export interface CalibrationStep {
  gain: number;
  offset: number;
  /** The reading the new calibration gives for the same raw input, in the gas's unit. */
  value: number;
}

/**
 * The calibration of protocol channel `ch` after a zero (in zero gas) or a span (with `spanValue` of span
 * gas applied, in the gas's unit), checked for plausibility against the record's profile and location.
 * Taken on the mean of the last RECENT_SAMPLES unsmoothed readings (what READ shows), not on the smoothed
 * reading, which lags a step by the filter's T90; refused while those readings are not stable.
 */
export function newCalibration(
  rt: NodeRuntime,
  r: ProvisioningRecord,
  ch: number,
  kind: "zero" | "span",
  spanValue: number,
  nowMs: number,
): CalibrationStep | ConsoleRefusal {
  const g = rt.gas!;
  if (g.setup.profile !== r.profile || g.setup.location !== r.location)
    return refusal("missing", "config", "a new profile or location was committed: REBOOT before calibrating");
  const pipe = g.pipelines[ch]!;
  const name = GAS_CONSOLE_NAMES[ch]!;
  // Warm-up counts from the sensor's power-on (the pipeline's startMs), which a config apply keeps.
  const warmLeftMs = pipe.startMs + pipe.settings.warmUpMs - nowMs;
  if (warmLeftMs > 0)
    return refusal(
      "sensor-fault",
      "gas",
      `${name} is still warming up: calibrate in ${Math.ceil(warmLeftMs / 1000)} s`,
    );
  if ((pipe.faults & CAL_BLOCKING_FAULTS) !== 0)
    return refusal(
      "sensor-fault",
      "gas",
      `${name} has no steady reading now (faults 0x${pipe.faults.toString(16)}: no data 1, range 2, stuck 4)`,
    );
  // Made per command (rare, off the sample path): a module-level buffer is in flash on the board.
  const calWindow = new Float64Array(RECENT_SAMPLES);
  pipe.recentValues(calWindow);
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < RECENT_SAMPLES; i++) {
    const v = calWindow[i]!;
    if (!Number.isFinite(v))
      return refusal(
        "unstable",
        "gas",
        `${name} has fewer than ${RECENT_SAMPLES} valid readings in a row: wait ${RECENT_SAMPLES} s with the gas flowing`,
      );
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const reading = sum / RECENT_SAMPLES;
  const s = pipe.settings;
  const tolerance = Math.max(
    CAL_STABLE_FRACTION_OF_READING * Math.abs(reading),
    CAL_STABLE_FRACTION_OF_RANGE * (s.rangeMax - s.rangeMin),
  );
  if (max - min > tolerance)
    return refusal(
      "unstable",
      "gas",
      `${name} readings spread ${round(max - min)} ${UNITS[ch]} (${round(min)}..${round(max)}) over the last ${RECENT_SAMPLES} samples, more than ${round(tolerance)} ${UNITS[ch]}: wait until the reading is steady`,
    );
  // The calibration the pipeline runs with now (value = gain0 x raw + offset0) gives the raw reading back.
  const c = g.setup.calibrations?.[ch];
  const gain0 = c ? (c.spanValue - c.zeroValue) / (c.spanRaw - c.zeroRaw) : 1;
  const offset0 = c ? c.zeroValue - gain0 * c.zeroRaw : 0;
  const raw = (reading - offset0) / gain0;
  let gain = gain0;
  let offset = offset0;
  if (kind === "zero") offset = -gain0 * raw;
  else {
    const rs = resolveGasSettings(r.profile, GASES[ch]!, r.location);
    if (!(spanValue > 0 && spanValue <= rs.rangeMax))
      return refusal(
        "out-of-range",
        "span",
        `span ${spanValue} ${UNITS[ch]} is outside the ${GAS_CONSOLE_NAMES[ch]} sensor's 0..${rs.rangeMax} ${UNITS[ch]}`,
      );
    const zeroRaw = -offset0 / gain0;
    if (!(raw - zeroRaw > 0))
      return refusal(
        "sensor-fault",
        "span",
        `${GAS_CONSOLE_NAMES[ch]} reads ${round(reading)} ${UNITS[ch]}, no rise above zero: is span gas flowing?`,
      );
    gain = spanValue / (raw - zeroRaw);
    offset = -gain * zeroRaw;
  }
  try {
    checkCalibration(r.profile, r.location, ch, gain, offset);
  } catch (e) {
    return refusalOf(e);
  }
  return { gain, offset, value: round(gain * raw + offset) };
}
