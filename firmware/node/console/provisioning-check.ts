/**
 * The checks a provisioning record (protocol/provisioning-record.ts) must pass before the node stores it:
 * the profile and location the firmware knows, the runtime config's ranges, the set-points against the
 * profile's regulatory bounds, plausible calibration. The node runs them on CFG.COMMIT; the field-tech tool
 * runs the same before it writes. Runs on XS: no Node API; nothing here is per sample.
 */
import { validateConfig } from "../../../protocol/config-record.js";
import { deepFreeze } from "../../../protocol/freeze.js";
import { ProvisioningError, type ProvisioningRecord } from "../../../protocol/provisioning-record.js";
import { gasProfileNamed, resolveGasSettings } from "../../sensing/profiles/index.js";
import type { GasName } from "../../sensing/profiles/types.js";
import { AlarmLimit, alarmLimitProblems } from "../alarm-limits.js";

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

/**
 * What a record must satisfy before it is stored (the node checks this on CFG.COMMIT; the field-tech tool
 * can check the same before it writes). Throws ProvisioningError naming the field and the value.
 * - The profile and the location class must be ones the firmware knows.
 * - Runtime config: its schema ranges and set-point order (protocol/config-record.ts validateConfig).
 * - Alarm parameters: the one check of ../alarm-limits.ts (sensor range, the profile's bound at the
 *   location, O2 against normal air, A1 before A2). A looser set-point is accepted only when the record
 *   carries an override reason (recorded by the tool); the others never.
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
  const problems = alarmLimitProblems(r.profile, r.location, r.config.params, r.override.length > 0);
  if (problems.length > 0) {
    const p = problems[0]!;
    const fix = p.code === AlarmLimit.LooserThanProfile ? ": set an override reason to accept it" : "";
    throw new ProvisioningError("out-of-range", p.field, `${p.message}${fix}`, p.value);
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

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(GASES);
deepFreeze(GAS_CONSOLE_NAMES);
deepFreeze(UNITS);
