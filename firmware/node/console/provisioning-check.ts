/**
 * The checks a provisioning record (protocol/provisioning-record.ts) must pass before the node stores it:
 * the profile and location the firmware knows, the runtime config's ranges, the set-points against the
 * profile's regulatory bounds, plausible calibration. The node runs them on CFG.COMMIT; the field-tech tool
 * runs the same before it writes. Runs on XS: no Node API; nothing here is per sample.
 */
import { Param, validateConfig } from "../../../protocol/config-record.js";
import { ProvisioningError, type ProvisioningRecord } from "../../../protocol/provisioning-record.js";
import { gasProfileNamed, resolveGasSettings } from "../../sensing/profiles/index.js";
import type { GasName } from "../../sensing/profiles/types.js";

export const GAS_CONSOLE_NAMES = ["CH4", "CO", "O2", "H2S"] as const;
export const GASES: readonly GasName[] = ["ch4", "co", "o2", "h2s"];
export const UNITS = ["%vol", "ppm", "%vol", "ppm"] as const;

/**
 * Plausible calibration (DEFAULT design limits, not from a standard): a gain outside 0.5..2 of the factory
 * front end means a cell that lost half its sensitivity or a wrong span gas; a zero offset beyond 10 % of the
 * measuring range means the zero gas was not zero or the cell is faulty. Either is refused, not stored.
 */
export const CAL_GAIN_MIN = 0.5;
export const CAL_GAIN_MAX = 2;
export const CAL_OFFSET_MAX_FRACTION = 0.1;

/** [config param, gas index, profile field, scale to the gas's unit] of every set-point parameter. */
const SETPOINT_PARAMS: readonly (readonly [
  number,
  number,
  "a1" | "a2" | "stel" | "twa" | "enrichment",
  number,
])[] = [
  [Param.ch4A1CentiPctVol, 0, "a1", 100],
  [Param.ch4A2CentiPctVol, 0, "a2", 100],
  [Param.coA1Ppm, 1, "a1", 1],
  [Param.coA2Ppm, 1, "a2", 1],
  [Param.coStelPpm, 1, "stel", 1],
  [Param.coTwaPpm, 1, "twa", 1],
  [Param.o2LowA1DeciPctVol, 2, "a1", 10],
  [Param.o2LowA2DeciPctVol, 2, "a2", 10],
  [Param.o2HighDeciPctVol, 2, "enrichment", 10],
  [Param.h2sA1DeciPpm, 3, "a1", 10],
  [Param.h2sA2DeciPpm, 3, "a2", 10],
  [Param.h2sStelDeciPpm, 3, "stel", 10],
  [Param.h2sTwaDeciPpm, 3, "twa", 10],
];

/**
 * What a record must satisfy before it is stored (the node checks this on CFG.COMMIT; the field-tech tool
 * can check the same before it writes). Throws ProvisioningError naming the field and the value.
 * - The profile and the location class must be ones the firmware knows.
 * - Runtime config: its schema ranges and set-point order (protocol/config-record.ts validateConfig).
 * - Regulatory bounds: a set-point may be stricter than the profile (the rule book), never looser: for a
 *   rising alarm at or below the profile's value, for the falling O2-deficiency alarm at or above it; and
 *   always inside the sensor's measuring range (a set-point the sensor cannot reach never fires). A looser
 *   set-point is accepted only when the record carries an override reason (recorded by the tool).
 * - Calibration: finite, gain in CAL_GAIN_MIN..CAL_GAIN_MAX, |offset| <= 10 % of the measuring range.
 */
export function checkRecord(r: ProvisioningRecord): void {
  let profile: ReturnType<typeof gasProfileNamed>;
  try {
    profile = gasProfileNamed(r.profile);
  } catch (e) {
    throw new ProvisioningError("unknown-profile", "profile", (e as Error).message, r.profile);
  }
  if (!profile.locations.includes(r.location))
    throw new ProvisioningError(
      "unknown-location",
      "location",
      `profile ${profile.name} has no location class "${r.location}" (known: ${profile.locations.join(", ")})`,
      r.location,
    );
  try {
    validateConfig(r.config);
  } catch (e) {
    throw new ProvisioningError(
      "out-of-range",
      "config",
      (e as Error).message,
      (e as { value?: unknown }).value,
    );
  }
  for (const [param, g, field, scale] of SETPOINT_PARAMS) {
    const raw = r.config.params[param]!;
    if (Number.isNaN(raw)) continue;
    const gas = GASES[g]!;
    const s = resolveGasSettings(profile, gas, r.location);
    const value = raw / scale;
    const where = `setpoints.${gas}.${field}`;
    const unit = UNITS[g]!;
    if (!(value > s.rangeMin && value <= s.rangeMax))
      throw new ProvisioningError(
        "out-of-range",
        where,
        `${where} ${value} ${unit} is outside the sensor's range ${s.rangeMin}..${s.rangeMax} ${unit}`,
        value,
      );
    const limit = s[field];
    if (!limit || r.override.length > 0) continue;
    const falling = gas === "o2" && field !== "enrichment";
    if (falling ? value < limit.value : value > limit.value)
      throw new ProvisioningError(
        "out-of-range",
        where,
        `${where} ${value} ${unit} is ${falling ? "below" : "above"} profile ${profile.name}'s ${limit.value} ${unit} at ${r.location}: set an override reason to accept it`,
        value,
      );
  }
  for (let g = 0; g < 4; g++) {
    const gain = r.calGain[g]!;
    const offset = r.calOffset[g]!;
    if (Number.isNaN(gain) && Number.isNaN(offset)) continue;
    checkCalibration(profile.name, r.location, g, gain, offset);
  }
}

/** Throws ProvisioningError when a gas's (gain, offset) is not plausible (see CAL_GAIN_MIN...). */
export function checkCalibration(
  profile: string,
  location: string,
  g: number,
  gain: number,
  offset: number,
): void {
  const gas = GASES[g]!;
  const where = `calibration.${gas}`;
  if (!Number.isFinite(gain) || gain < CAL_GAIN_MIN || gain > CAL_GAIN_MAX)
    throw new ProvisioningError(
      "out-of-range",
      `${where}.gain`,
      `${where} gain ${gain} is outside ${CAL_GAIN_MIN}..${CAL_GAIN_MAX}: wrong span gas or a worn-out sensor`,
      gain,
    );
  const s = resolveGasSettings(profile, gas, location);
  const maxOffset = CAL_OFFSET_MAX_FRACTION * (s.rangeMax - s.rangeMin);
  if (!Number.isFinite(offset) || Math.abs(offset) > maxOffset)
    throw new ProvisioningError(
      "out-of-range",
      `${where}.offset`,
      `${where} zero offset ${offset} ${UNITS[g]} exceeds +-${maxOffset} ${UNITS[g]}: was the zero gas really zero?`,
      offset,
    );
}
