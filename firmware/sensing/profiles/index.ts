/**
 * Built-in set-point profiles and the one function that turns (profile, gas, location, overrides) into the
 * settings a gas channel runs with, validating every number (GasError names the field and the value).
 */

import { deepFreeze } from "../../../protocol/freeze.js";
import { GasError } from "../errors.js";
import { KZ_RU_COAL } from "./kz-ru-coal.js";
import type { Ch4Trip, GasName, GasProfile, GasSettings, SetPoint } from "./types.js";
import { GAS_NAMES } from "./types.js";
import { US_MSHA_COAL } from "./us-msha-coal.js";

export const GAS_PROFILES: readonly GasProfile[] = [KZ_RU_COAL, US_MSHA_COAL];
export const DEFAULT_GAS_PROFILE = KZ_RU_COAL.name;

export function gasProfileNamed(name: string): GasProfile {
  for (const p of GAS_PROFILES) if (p.name === name) return p;
  throw new GasError(
    "unknown-profile",
    `unknown gas profile "${name}" (known: ${GAS_PROFILES.map((p) => p.name).join(", ")})`,
    name,
  );
}

function checkNumber(field: string, v: unknown, min: number, max: number): void {
  if (typeof v !== "number" || !(v >= min && v <= max))
    throw new GasError("bad-config", `${field} is ${String(v)}, expected a number in ${min}..${max}`, v);
}

function checkSetPoint(field: string, sp: SetPoint | null | undefined): void {
  if (sp === null) return;
  if (typeof sp !== "object" || sp === undefined)
    throw new GasError("bad-config", `${field} is ${String(sp)}, expected { value, hysteresis } or null`, sp);
  checkNumber(`${field}.value`, sp.value, -1e9, 1e9);
  checkNumber(`${field}.hysteresis`, sp.hysteresis, 0, 1e9);
}

/** Checks a complete settings record; throws GasError("bad-config") naming the first bad field. */
export function validateGasSettings(s: GasSettings, where: string): void {
  if (s.unit !== "pct_vol" && s.unit !== "ppm")
    throw new GasError("bad-config", `${where}.unit is ${String(s.unit)}`, s.unit);
  if (s.direction !== "rising" && s.direction !== "falling")
    throw new GasError("bad-config", `${where}.direction is ${String(s.direction)}`, s.direction);
  checkNumber(`${where}.rangeMin`, s.rangeMin, -1e9, 1e9);
  checkNumber(`${where}.rangeMax`, s.rangeMax, s.rangeMin + Number.MIN_VALUE, 1e9);
  checkNumber(`${where}.underRangeTolerance`, s.underRangeTolerance, 0, 1e9);
  for (const k of ["a1", "a2", "enrichment", "stel", "twa", "rorPerMin"] as const)
    checkSetPoint(`${where}.${k}`, s[k]);
  checkNumber(`${where}.rorWindowMs`, s.rorWindowMs, 1, 86_400_000);
  checkNumber(`${where}.filterTauMs`, s.filterTauMs, 0, 3_600_000);
  checkNumber(`${where}.stuckWindowMs`, s.stuckWindowMs, 1, 30 * 86_400_000);
  checkNumber(`${where}.stuckBand`, s.stuckBand, 0, 1e9);
  checkNumber(`${where}.stuckExemptAtOrBelow`, s.stuckExemptAtOrBelow, -Infinity, 1e9);
  checkNumber(`${where}.warmUpMs`, s.warmUpMs, 0, 86_400_000);
  checkNumber(`${where}.calIntervalMs`, s.calIntervalMs, 1, 3650 * 86_400_000);
  checkNumber(`${where}.noDataPeriods`, s.noDataPeriods, 1, 1e6);
}

/**
 * The settings one channel runs with: the profile's gas entry, CH4 set-points from the location class,
 * then the overrides. Throws GasError: unknown-profile, unknown-gas, unknown-location, bad-config.
 */
export function resolveGasSettings(
  profile: GasProfile | string,
  gas: GasName,
  location: string,
  overrides?: Partial<GasSettings>,
): GasSettings {
  const p = typeof profile === "string" ? gasProfileNamed(profile) : profile;
  if (!GAS_NAMES.includes(gas))
    throw new GasError("unknown-gas", `unknown gas "${String(gas)}" (known: ${GAS_NAMES.join(", ")})`, gas);
  if (!p.locations.includes(location))
    throw new GasError(
      "unknown-location",
      `profile ${p.name} has no location "${String(location)}" (known: ${p.locations.join(", ")})`,
      location,
    );
  const base = p.gases[gas];
  const s: GasSettings = { ...base };
  if (gas === "ch4") {
    const limits = p.ch4ByLocation[location];
    if (!limits)
      throw new GasError(
        "unknown-location",
        `profile ${p.name} has no CH4 limits for "${location}"`,
        location,
      );
    s.a1 = limits.a1;
    s.a2 = limits.a2;
  }
  if (overrides) {
    for (const k of Object.keys(overrides) as (keyof GasSettings)[]) {
      if (!(k in base)) throw new GasError("bad-config", `unknown setting "${k}"`, k);
      (s as unknown as Record<string, unknown>)[k] = overrides[k];
    }
  }
  validateGasSettings(s, `${p.name}.${gas}`);
  return s;
}

/** The interlock settings of one location class: trip and reset levels (%vol) and the trip on sensor fault. */
export interface ResolvedCh4Trip extends Ch4Trip {
  tripOnSensorFault: boolean;
}

/**
 * The methane interlock levels of a profile at a location class, validated. Throws GasError:
 * unknown-profile, unknown-location, bad-config (the profile defines no interlock, a level outside
 * the CH4 range, or a reset point above the trip level, which would re-arm with the gas still at the trip).
 */
export function resolveCh4Trip(profile: GasProfile | string, location: string): ResolvedCh4Trip {
  const p = typeof profile === "string" ? gasProfileNamed(profile) : profile;
  if (!p.locations.includes(location))
    throw new GasError(
      "unknown-location",
      `profile ${p.name} has no location "${String(location)}" (known: ${p.locations.join(", ")})`,
      location,
    );
  const il = p.ch4Interlock;
  if (!il) throw new GasError("bad-config", `profile ${p.name} defines no CH4 interlock levels`, p.name);
  const t = il.byLocation[location];
  if (!t)
    throw new GasError("bad-config", `profile ${p.name} has no CH4 trip level for "${location}"`, location);
  const where = `${p.name}.ch4Interlock.${location}`;
  const ch4 = p.gases.ch4;
  checkNumber(`${where}.tripPctVol`, t.tripPctVol, Number.MIN_VALUE, ch4.rangeMax);
  checkNumber(`${where}.resetBelowPctVol`, t.resetBelowPctVol, Number.MIN_VALUE, t.tripPctVol);
  if (typeof il.tripOnSensorFault !== "boolean")
    throw new GasError(
      "bad-config",
      `${p.name}.ch4Interlock.tripOnSensorFault is ${String(il.tripOnSensorFault)}`,
      il.tripOnSensorFault,
    );
  return {
    tripPctVol: t.tripPctVol,
    resetBelowPctVol: t.resetBelowPctVol,
    tripOnSensorFault: il.tripOnSensorFault,
  };
}

export { KZ_RU_COAL, US_MSHA_COAL };

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(GAS_PROFILES);
