/**
 * Set-point profiles as data. A profile is the rule book a node follows: per gas its measuring range,
 * set-points (A1, A2, STEL, TWA, rate of rise, O2 enrichment) and the defaults of the stages that watch the
 * signal (filter, stuck, warm-up, calibration interval). Methane limits depend on where the node hangs
 * (`ch4ByLocation`), so a node is configured with a profile AND a location class.
 * Every number in a profile file carries a comment naming its source or saying DEFAULT (design choice);
 * SOURCES.md lists them all with the exact clause.
 */
import { deepFreeze } from "../../../protocol/freeze.js";
export type GasName = "ch4" | "co" | "o2" | "h2s";
export const GAS_NAMES: readonly GasName[] = ["ch4", "co", "o2", "h2s"];

/** CH4 and O2 in % by volume, CO and H2S in ppm by volume. */
export type GasUnit = "pct_vol" | "ppm";
export const GAS_UNITS: Readonly<Record<GasName, GasUnit>> = {
  ch4: "pct_vol",
  co: "ppm",
  o2: "pct_vol",
  h2s: "ppm",
};

/** A threshold in the channel's unit and the distance the value must come back before it clears. */
export interface SetPoint {
  value: number;
  hysteresis: number;
}

/** A1 / A2 for methane at one location class. */
export interface Ch4Limits {
  a1: SetPoint;
  a2: SetPoint;
}

/** Everything the pipeline needs for one gas, in the gas's unit unless the name says otherwise. */
export interface GasSettings {
  unit: GasUnit;
  /** Measuring range of the sensor: below `rangeMin - underRangeTolerance` is a fault; above `rangeMax` is
   * an over-range ALARM (for CH4 only an alarm, for the others also a fault: the cell is saturated). */
  rangeMin: number;
  rangeMax: number;
  underRangeTolerance: number;
  /** "rising" for CH4, CO, H2S; "falling" for O2 (deficiency). */
  direction: "rising" | "falling";
  /** First (warning) and second (action, latched) set-points; null = none for this gas. For CH4 the
   * location's `ch4ByLocation` entry replaces these. */
  a1: SetPoint | null;
  a2: SetPoint | null;
  /** O2 enrichment (rising) set-point; null for the other gases. */
  enrichment: SetPoint | null;
  /** 15-minute short-term exposure limit and 8-hour time-weighted average; null = not watched. */
  stel: SetPoint | null;
  twa: SetPoint | null;
  /** Rate of rise, unit per minute, estimated over `rorWindowMs`; null = not watched (CH4 only). */
  rorPerMin: SetPoint | null;
  rorWindowMs: number;
  /** Time constant of the one-pole smoothing filter for the reported value and the rate of rise. */
  filterTauMs: number;
  /** A reading that moves by no more than `stuckBand` for `stuckWindowMs` is stuck, unless it sits at or
   * below `stuckExemptAtOrBelow` (a toxic cell reads a flat 0 in clean air, which is not a fault). */
  stuckWindowMs: number;
  stuckBand: number;
  stuckExemptAtOrBelow: number;
  /** Sensor warm-up after power-on, reported as a state; alarms stay live. */
  warmUpMs: number;
  /** Calibration older than this is overdue (a fault). */
  calIntervalMs: number;
  /** No valid sample for this many nominal sample periods is the no-data fault. */
  noDataPeriods: number;
}

/**
 * The methane power interlock at one location class (firmware/node/interlock): the relay drops at a reading
 * at or above `tripPctVol` and may be re-energised only by a deliberate reset once the reading is below
 * `resetBelowPctVol` (never automatically).
 */
export interface Ch4Trip {
  tripPctVol: number;
  resetBelowPctVol: number;
}

/** Methane interlock rules of a profile: the trip level per location class, and the trip on sensor fault. */
export interface Ch4Interlock {
  /** De-energise when the CH4 channel cannot be trusted (no data, out of range, stuck, driver failure). */
  tripOnSensorFault: boolean;
  byLocation: Readonly<Record<string, Ch4Trip>>;
}

export interface GasProfile {
  name: string;
  title: string;
  /** Which exposure standard the toxic TWA / STEL follow (OSHA PEL, NIOSH REL, ACGIH TLV, national MAC). */
  exposureStandard: string;
  /** The location classes the profile knows, e.g. intake, face, return, local. */
  locations: readonly string[];
  ch4ByLocation: Readonly<Record<string, Ch4Limits>>;
  /** The methane power interlock (absent: a node with this profile cannot run an interlock). */
  ch4Interlock?: Ch4Interlock;
  gases: Readonly<Record<GasName, GasSettings>>;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(GAS_NAMES);
deepFreeze(GAS_UNITS);
