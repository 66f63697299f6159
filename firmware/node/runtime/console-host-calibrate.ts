/**
 * Zero and span calibration of one gas channel for the console (CAL.ZERO / CAL.SPAN): the new gain and
 * offset (value = gain x raw + offset) from the runtime's smoothed reading, or a refusal that says why.
 * Runs on XS; nothing here is per sample.
 */
import { resolveGasSettings } from "../../sensing/profiles/index.js";
import type { ConsoleRefusal } from "../console/host.js";
import type { NodeRuntime } from "../runtime.js";
import {
  checkCalibration,
  GAS_CONSOLE_NAMES,
  GASES,
  ProvisioningError,
  type ProvisioningRecord,
  UNITS,
} from "./console-host-record.js";

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
 * Fault bits that make a reading unfit to calibrate on: no data, out of range, stuck. Warm-up is judged by
 * the time since boot instead of the pipeline's bit (a config apply rebuilds the pipelines and restarts
 * that bit on every channel although the cells stayed powered); an overdue calibration is exactly why the
 * tech is calibrating, so it does not block either.
 */
const CAL_BLOCKING_FAULTS = 1 | 2 | 4;

export interface CalibrationStep {
  gain: number;
  offset: number;
  /** The reading the new calibration gives for the same raw input, in the gas's unit. */
  value: number;
}

/**
 * The calibration of protocol channel `ch` after a zero (in zero gas) or a span (with `spanValue` of span
 * gas applied, in the gas's unit), checked for plausibility against the record's profile and location.
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
  // The smoothed reading: a single sample's noise must not become the calibration.
  const reading = pipe.filtered;
  const warmLeftMs = rt.bootMs + pipe.settings.warmUpMs - nowMs;
  if (warmLeftMs > 0)
    return refusal(
      "sensor-fault",
      "gas",
      `${GAS_CONSOLE_NAMES[ch]} is still warming up: calibrate in ${Math.ceil(warmLeftMs / 1000)} s`,
    );
  if (!Number.isFinite(reading) || (pipe.faults & CAL_BLOCKING_FAULTS) !== 0)
    return refusal(
      "sensor-fault",
      "gas",
      `${GAS_CONSOLE_NAMES[ch]} has no steady reading now (faults 0x${pipe.faults.toString(16)}: no data 1, range 2, stuck 4)`,
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
    const s = resolveGasSettings(r.profile, GASES[ch]!, r.location);
    if (!(spanValue > 0 && spanValue <= s.rangeMax))
      return refusal(
        "out-of-range",
        "span",
        `span ${spanValue} ${UNITS[ch]} is outside the ${GAS_CONSOLE_NAMES[ch]} sensor's 0..${s.rangeMax} ${UNITS[ch]}`,
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
