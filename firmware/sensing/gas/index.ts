/**
 * Gas sensing: the public API (keep it stable; the `detect` CLI and the node runtime code against it).
 *
 * One pipeline per gas channel (CH4, CO, O2, H2S), built from a set-point profile, a location class and the
 * sensor's calibration:
 *
 *   const ch4 = new GasChannelPipeline({
 *     gas: "ch4",                         // "ch4" | "co" | "o2" | "h2s"
 *     profile: "kz-ru-coal",              // or a GasProfile object; GAS_PROFILES lists the built-in ones
 *     location: "face",                   // profile.locations: kz-ru-coal intake|face|return|local|main-return
 *     calibration: { zeroRaw: 0.02, zeroValue: 0, spanRaw: 2.03, spanValue: 2.0, calibratedAtMs: -3.6e6 },
 *                                         // or identityCalibration(tMs) for readings already in the unit
 *     periodMs: 1000,                     // nominal sample period (no-data fault after noDataPeriods of them)
 *     startMs: 0,                         // sensor power-on: warm-up is reported from here
 *     temperatureCompensation: null,      // optional hook: { compensate(value, tempC) } (calibrate.ts)
 *     settings: { filterTauMs: 2000 },    // optional per-node overrides of the profile's numbers
 *   });
 *   const changed = ch4.push(tMs, raw, tempC);  // raw NaN / Infinity = no data at tMs; tempC optional
 *   if (changed) {                               // an alarm or fault bit changed IN THIS push
 *     ch4.alarms, ch4.alarmsChanged              // GasAlarm bits: A1 A2 STEL TWA ROR OVER_RANGE O2_HIGH
 *     ch4.faults, ch4.faultsChanged              // GasFault bits: NO_DATA OUT_OF_RANGE STUCK WARM_UP CAL_OVERDUE
 *   }
 *   ch4.state                                    // GasState: Alarm > Fault > WarmUp > Normal
 *   ch4.value, ch4.filtered, ch4.stel, ch4.twa, ch4.ratePerMin   // in ch4.unit ("pct_vol" | "ppm")
 *   ch4.check(tMs)                               // no sample came: lets the no-data fault fire on time
 *   ch4.acknowledge()                            // operator reset of a latched A2 (only once the gas cleared)
 *   ch4.exportState(f64, 0) / importState(f64, 0, shiftMs)   // A2 latch + STEL/TWA across restarts
 *   ch4.recentValues(f64)                        // last RECENT_SAMPLES unsmoothed readings, oldest first (calibration)
 *   next.continueReadings(ch4)                   // new settings, same powered sensor: readings + filter carry on
 *   ch4.startMs, ch4.calibratedAtMs              // sensor power-on (warm-up) and calibration time
 *   gasAlarmNames(ch4.alarms), gasFaultNames(ch4.faults)     // ["A1", "A2"], ["stuck"] for logs / JSON
 *
 * Contract:
 * - Units: CH4 and O2 in % by volume, CO and H2S in ppm (GAS_UNITS). Time: ms, any origin, strictly
 *   increasing per channel; a non-finite or repeated time throws GasError("time-not-increasing") before any
 *   state changes. Sample values never throw.
 * - Decided in the push of the sample: A1/A2/O2-high/over-range compare the calibrated, unsmoothed value, so
 *   a crossing is alarmed in the same push() (the smoothing filter only shapes `filtered`, for telemetry).
 * - Rising gases (CH4, CO, H2S) alarm at value >= set-point; O2 deficiency at value <= A1/A2 (falling) and
 *   enrichment at value >= its set-point; each clears once back beyond its hysteresis. A2 is latched until
 *   `acknowledge()` after the gas has cleared. CH4 over-range is an alarm (OVER_RANGE), not a fault.
 * - Never silent: no data, out of range, stuck, warm-up, calibration overdue are fault bits; warm-up does not
 *   suppress alarms; no data never clears an alarm (it holds until valid data says the air is clear).
 * - STEL (15 min) / TWA (8 h): rolling time-weighted means; gaps count at the last valid value (exposure.ts).
 * - Nothing is allocated per sample; construction and importState allocate.
 * - Bad configuration throws GasError with a code (bad-config, bad-calibration, unknown-profile,
 *   unknown-location, unknown-gas, bad-state) and the offending value.
 *
 * Each stage is exported on its own and is testable alone: TwoPointCalibration, EmaFilter, RollingExposure,
 * Threshold, RateOfRise, FaultMonitor.
 */

export { GasError, type GasErrorCode, isGasError } from "../errors.js";
export {
  DEFAULT_GAS_PROFILE,
  GAS_PROFILES,
  gasProfileNamed,
  resolveGasSettings,
  validateGasSettings,
} from "../profiles/index.js";
export {
  type Ch4Limits,
  GAS_NAMES,
  GAS_UNITS,
  type GasName,
  type GasProfile,
  type GasSettings,
  type GasUnit,
  type SetPoint,
} from "../profiles/types.js";
export {
  GAS_ALARM_COUNT,
  GAS_FAULT_COUNT,
  GasAlarm,
  GasFault,
  GasState,
  type GasStateCode,
  gasAlarmName,
  gasAlarmNames,
  gasFaultName,
  gasFaultNames,
  gasStateName,
} from "./bits.js";
export {
  type Calibration,
  identityCalibration,
  LinearTemperatureCompensation,
  type TemperatureCompensation,
  TwoPointCalibration,
  validateCalibration,
} from "./calibrate.js";
export { RollingExposure } from "./exposure.js";
export { type FaultLimits, FaultMonitor } from "./faults.js";
export { EmaFilter, emaT90Ms } from "./filter.js";
export { type GasChannelOptions, GasChannelPipeline, RECENT_SAMPLES } from "./pipeline.js";
export { RateOfRise, Threshold } from "./setpoints.js";
