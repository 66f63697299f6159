/**
 * The one check of gas alarm parameters (issue 14 item 1), for every way they change: the console's
 * provisioning record, a config downlink, the field-tech tool's node.yaml, a scenario file. Parameters are
 * the config record's (protocol/config-record.ts: scaled integers, NaN = unset, the profile's value holds).
 *
 * A set-point is refused when it is:
 * - outside the sensor's measuring range (rangeMin < value <= rangeMax): a set-point the sensor cannot reach
 *   never fires (CO A1 at 10000 ppm on a 0..500 ppm cell);
 * - looser than the profile allows at the node's location: a rising alarm above the profile's value, the
 *   falling O2-deficiency alarm below it (CH4 A2 at 100 %vol). Only the provisioning record may carry an
 *   override reason for this (`allowLooser`, recorded by the tool); a downlink never can;
 * - on the wrong side of normal air for O2 (O2_NORMAL_AIR_PCT_VOL): a deficiency alarm at or above it, or
 *   an enrichment alarm at or below it, would be on in clean air, or never (an O2 low alarm at 0 %vol is
 *   caught by the profile bound and the sensor range);
 * - with A1 on the unsafe side of A2 (the effective values, set or the profile's): a rising A1 above A2, a
 *   falling A1 below A2, so the early warning would come after the danger alarm.
 * Runs on XS; allocates only for the problems it returns (never per sample).
 */
import { Param } from "../../protocol/config-record.js";
import { deepFreeze } from "../../protocol/freeze.js";
import { O2_NORMAL_AIR_PCT_VOL } from "../sensing/profiles/common.js";
import { gasProfileNamed, resolveGasSettings } from "../sensing/profiles/index.js";
import type { GasName, GasSettings } from "../sensing/profiles/types.js";

/** Why a parameter was refused (small integers: they can travel in a frame). */
export const AlarmLimit = Object.freeze({
  SensorRange: 1,
  LooserThanProfile: 2,
  O2NormalAir: 3,
  A1AfterA2: 4,
  UnknownProfile: 5,
});

export interface AlarmLimitProblem {
  /** The config parameter (Param id). */
  param: number;
  /** AlarmLimit code. */
  code: number;
  /** The value in the gas's unit (%vol, ppm). */
  value: number;
  /** "setpoints.<gas>.<field>". */
  field: string;
  message: string;
  /** LooserThanProfile: the profile's value, and which side of it the set-point is. */
  limit?: number;
  side?: "above" | "below";
  unit?: string;
}

export type SetPointField = "a1" | "a2" | "stel" | "twa" | "enrichment";
type Field = SetPointField;

/** [config param, gas, profile field, scale to the gas's unit] of every set-point parameter. */
export const SETPOINT_PARAMS: readonly (readonly [number, GasName, Field, number])[] = deepFreeze([
  [Param.ch4A1CentiPctVol, "ch4", "a1", 100] as const,
  [Param.ch4A2CentiPctVol, "ch4", "a2", 100] as const,
  [Param.coA1Ppm, "co", "a1", 1] as const,
  [Param.coA2Ppm, "co", "a2", 1] as const,
  [Param.coStelPpm, "co", "stel", 1] as const,
  [Param.coTwaPpm, "co", "twa", 1] as const,
  [Param.o2LowA1DeciPctVol, "o2", "a1", 10] as const,
  [Param.o2LowA2DeciPctVol, "o2", "a2", 10] as const,
  [Param.o2HighDeciPctVol, "o2", "enrichment", 10] as const,
  [Param.h2sA1DeciPpm, "h2s", "a1", 10] as const,
  [Param.h2sA2DeciPpm, "h2s", "a2", 10] as const,
  [Param.h2sStelDeciPpm, "h2s", "stel", 10] as const,
  [Param.h2sTwaDeciPpm, "h2s", "twa", 10] as const,
]);

/** Units set-points are written in (node.yaml, console, messages). */
export const SETPOINT_UNIT: Readonly<Record<GasName, string>> = Object.freeze({
  ch4: "%vol",
  co: "ppm",
  o2: "%vol",
  h2s: "ppm",
});

/** A1 / A2 parameters per gas, for the order check. */
const A1_A2: readonly (readonly [GasName, number, number, number])[] = deepFreeze([
  ["ch4", Param.ch4A1CentiPctVol, Param.ch4A2CentiPctVol, 100] as const,
  ["co", Param.coA1Ppm, Param.coA2Ppm, 1] as const,
  ["o2", Param.o2LowA1DeciPctVol, Param.o2LowA2DeciPctVol, 10] as const,
  ["h2s", Param.h2sA1DeciPpm, Param.h2sA2DeciPpm, 10] as const,
]);

/**
 * Every problem of the alarm parameters in `params` for a node of `profile` at `location` (empty: all
 * acceptable). `allowLooser`: the provisioning record's override reason (never for a downlink).
 */
export function alarmLimitProblems(
  profile: string,
  location: string,
  params: ArrayLike<number>,
  allowLooser = false,
): AlarmLimitProblem[] {
  const out: AlarmLimitProblem[] = [];
  let p: ReturnType<typeof gasProfileNamed>;
  try {
    p = gasProfileNamed(profile);
  } catch (e) {
    out.push({
      param: -1,
      code: AlarmLimit.UnknownProfile,
      value: Number.NaN,
      field: "profile",
      message: (e as Error).message,
    });
    return out;
  }
  const settings: Partial<Record<GasName, GasSettings>> = {};
  const settingsOf = (gas: GasName): GasSettings => {
    let s = settings[gas];
    if (!s) {
      s = resolveGasSettings(p, gas, location);
      settings[gas] = s;
    }
    return s;
  };
  for (const [param, gas, field, scale] of SETPOINT_PARAMS) {
    const raw = params[param]!;
    if (Number.isNaN(raw)) continue;
    const s = settingsOf(gas);
    const value = raw / scale;
    const where = `setpoints.${gas}.${field}`;
    const unit = SETPOINT_UNIT[gas];
    const problem = (code: number, why: string) =>
      out.push({ param, code, value, field: where, message: `${where} ${value} ${unit} ${why}` });
    if (!(value > s.rangeMin && value <= s.rangeMax)) {
      problem(AlarmLimit.SensorRange, `is outside the sensor's range ${s.rangeMin}..${s.rangeMax} ${unit}`);
      continue;
    }
    if (gas === "o2") {
      const enrichment = field === "enrichment";
      if (enrichment ? value <= O2_NORMAL_AIR_PCT_VOL : value >= O2_NORMAL_AIR_PCT_VOL) {
        problem(
          AlarmLimit.O2NormalAir,
          `is ${enrichment ? "not above" : "not below"} normal air's ${O2_NORMAL_AIR_PCT_VOL} %vol (${enrichment ? "an enrichment alarm must be above it" : "a deficiency alarm must be below it"})`,
        );
        continue;
      }
    }
    const limit = s[field];
    if (!limit || allowLooser) continue;
    const falling = gas === "o2" && field !== "enrichment";
    if (falling ? value < limit.value : value > limit.value) {
      const side = falling ? "below" : "above";
      out.push({
        param,
        code: AlarmLimit.LooserThanProfile,
        value,
        field: where,
        message: `${where} ${value} ${unit} is ${side} profile ${p.name}'s ${limit.value} ${unit} at ${location}`,
        limit: limit.value,
        side,
        unit,
      });
    }
  }
  for (const [gas, a1Param, a2Param, scale] of A1_A2) {
    const s = settingsOf(gas);
    const a1 = Number.isNaN(params[a1Param]!) ? s.a1?.value : params[a1Param]! / scale;
    const a2 = Number.isNaN(params[a2Param]!) ? s.a2?.value : params[a2Param]! / scale;
    if (a1 === undefined || a2 === undefined) continue;
    const falling = s.direction === "falling";
    if (falling ? a1 < a2 : a1 > a2) {
      const param = Number.isNaN(params[a1Param]!) ? a2Param : a1Param;
      out.push({
        param,
        code: AlarmLimit.A1AfterA2,
        value: param === a1Param ? a1 : a2,
        field: `setpoints.${gas}.${param === a1Param ? "a1" : "a2"}`,
        message: `setpoints.${gas}: A1 ${a1} ${SETPOINT_UNIT[gas]} is ${falling ? "below" : "above"} A2 ${a2} ${SETPOINT_UNIT[gas]}, so the early warning would come after the danger alarm`,
      });
    }
  }
  return out;
}
