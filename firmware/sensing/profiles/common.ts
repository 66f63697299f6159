/**
 * Defaults shared by the built-in profiles: sensor ranges and the numbers of the watching stages. None of
 * these is a rule; each is a DEFAULT (design choice) with its reason, and a node overrides them at
 * provisioning to match its own sensor (GasChannelOptions.settings).
 */

import { deepFreeze } from "../../../protocol/freeze.js";
import { DAY_MS, type GasSettings, MINUTE_MS } from "./types.js";

/** Fields every gas shares; set-points are filled in by each profile. */
export type GasDefaults = Omit<GasSettings, "a1" | "a2" | "enrichment" | "stel" | "twa" | "rorPerMin">;

export const CH4_DEFAULTS: GasDefaults = {
  unit: "pct_vol",
  // DEFAULT: MIPEX-02 NDIR reads 0..100 %vol (firmware/drivers/mipex02.ts header); a 0..5 % pellistor
  // head must override rangeMax = 5.
  rangeMin: 0,
  rangeMax: 100,
  // DEFAULT: readings down to -0.2 %vol are zero drift, not a broken head (twice a 0.1 %vol zero tolerance).
  underRangeTolerance: 0.2,
  direction: "rising",
  // DEFAULT: window of the rate-of-rise estimate (setpoints.ts RateOfRise).
  rorWindowMs: MINUTE_MS,
  // DEFAULT: 2 s smoothing of the reported value: adds T90 = 4.6 s to `filtered` only, not to alarms.
  filterTauMs: 2000,
  // DEFAULT: an NDIR reading that does not move by one count (0.01 %vol) in 30 min is frozen; a flat
  // 0.00 (clean intake air) is exempt.
  stuckWindowMs: 30 * MINUTE_MS,
  stuckBand: 0,
  stuckExemptAtOrBelow: 0,
  // DEFAULT: 60 s warm-up reported as a state after power-on (the MIPEX status word also flags it).
  warmUpMs: MINUTE_MS,
  // DEFAULT: 7 days between calibrations; profiles replace it where a rule gives one.
  calIntervalMs: 7 * DAY_MS,
  // DEFAULT: three missed periods (a single lost UART reply is not yet a fault).
  noDataPeriods: 3,
};

const TOXIC_COMMON = {
  unit: "ppm",
  rangeMin: 0,
  direction: "rising",
  rorWindowMs: MINUTE_MS,
  // DEFAULT: 2 s smoothing of the reported value only (see CH4).
  filterTauMs: 2000,
  // DEFAULT: electrochemical cells read a flat 0 in clean air (zero suppression), which is exempt; any
  // other value that does not move at all for 60 min is a frozen cell or ADC.
  stuckWindowMs: 60 * MINUTE_MS,
  stuckBand: 0,
  stuckExemptAtOrBelow: 0,
  // DEFAULT: electrochemical cells settle within minutes of bias being applied: 5 min reported as warm-up.
  warmUpMs: 5 * MINUTE_MS,
  // DEFAULT: 30 days between calibrations.
  calIntervalMs: 30 * DAY_MS,
  noDataPeriods: 3,
} as const;

export const CO_DEFAULTS: GasDefaults = {
  ...TOXIC_COMMON,
  // DEFAULT: 0..500 ppm, the usual range of a mine CO cell.
  rangeMax: 500,
  // DEFAULT: -5 ppm is zero drift of an electrochemical cell, below is a fault.
  underRangeTolerance: 5,
};

export const H2S_DEFAULTS: GasDefaults = {
  ...TOXIC_COMMON,
  // DEFAULT: 0..100 ppm, the usual range of an H2S cell.
  rangeMax: 100,
  underRangeTolerance: 2,
};

/**
 * Oxygen in normal air, %vol (dry air holds 20.946 %; 20.9 is the figure gas-detection practice uses: an O2
 * cell's span gas, calibrate.ts). Not a set-point: the line an O2 deficiency alarm must sit below and an
 * enrichment alarm above, or the alarm is on in clean air all the time.
 */
export const O2_NORMAL_AIR_PCT_VOL = 20.9;

export const O2_DEFAULTS: GasDefaults = {
  unit: "pct_vol",
  rangeMin: 0,
  // DEFAULT: 0..25 %vol, the usual range of an O2 cell; at full scale the cell is saturated.
  rangeMax: 25,
  underRangeTolerance: 0.5,
  direction: "falling",
  rorWindowMs: MINUTE_MS,
  filterTauMs: 2000,
  // DEFAULT: O2 in moving air always wanders by a count (0.01 %vol); 30 min without one is a frozen cell.
  // No exemption: a flat reading is never the normal state of an O2 cell.
  stuckWindowMs: 30 * MINUTE_MS,
  stuckBand: 0,
  stuckExemptAtOrBelow: Number.NEGATIVE_INFINITY,
  warmUpMs: 5 * MINUTE_MS,
  calIntervalMs: 30 * DAY_MS,
  noDataPeriods: 3,
};

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(CH4_DEFAULTS);
deepFreeze(CO_DEFAULTS);
deepFreeze(H2S_DEFAULTS);
deepFreeze(O2_DEFAULTS);
deepFreeze(TOXIC_COMMON);
