/**
 * What comes out of a gas channel: alarm bits, fault bits and one summary state. Bit masks so that the
 * per-sample path compares integers and allocates nothing; names for logs, the CLI and JSON.
 */
import { deepFreeze } from "../../../protocol/freeze.js";

/** Alarm levels (several may be on at once). */
export const GasAlarm = Object.freeze({
  /** First set-point (warning): rising for CH4/CO/H2S, falling for O2 deficiency. */
  A1: 1,
  /** Second set-point (action); latched until acknowledged. */
  A2: 2,
  /** 15-minute short-term exposure limit reached (CO, H2S). */
  STEL: 4,
  /** 8-hour time-weighted average limit reached (CO, H2S). */
  TWA: 8,
  /** CH4 rising faster than the profile's rate-of-rise limit. */
  ROR: 16,
  /** Reading above the sensor's measuring range: the true value is unknown and at least that high. */
  OVER_RANGE: 32,
  /** O2 above the enrichment set-point (fire and ignition hazard). */
  O2_HIGH: 64,
});

/** Faults and states that are not alarms. Never silent: each is a bit a caller must look at. */
export const GasFault = Object.freeze({
  /** No valid sample for `noDataPeriods` sample periods (dropout, NaN, Infinity). */
  NO_DATA: 1,
  /** Below the measuring range (beyond the zero tolerance), or a toxic / O2 cell above it (saturated). */
  OUT_OF_RANGE: 2,
  /** The reading has not moved for `stuckWindowMs`. */
  STUCK: 4,
  /** Sensor still warming up after power-on: readings may be off; alarms are still evaluated. */
  WARM_UP: 8,
  /** Calibration older than the profile's interval. */
  CAL_OVERDUE: 16,
});

/** One summary per channel, most severe first: Alarm > Fault > WarmUp > Normal. */
export const GasState = Object.freeze({ Normal: 0, WarmUp: 1, Fault: 2, Alarm: 3 });
export type GasStateCode = (typeof GasState)[keyof typeof GasState];

const ALARM_NAMES = ["A1", "A2", "STEL", "TWA", "ROR", "OVER-RANGE", "O2-HIGH"] as const;
const FAULT_NAMES = ["no-data", "out-of-range", "stuck", "warm-up", "cal-overdue"] as const;
const STATE_NAMES = ["normal", "warm-up", "fault", "alarm"] as const;

export const GAS_ALARM_COUNT = ALARM_NAMES.length;
export const GAS_FAULT_COUNT = FAULT_NAMES.length;

/** Name of one alarm bit (1 << index). */
export function gasAlarmName(bit: number): string {
  const i = Math.log2(bit);
  return ALARM_NAMES[i as 0] ?? `alarm-bit-${bit}`;
}

export function gasFaultName(bit: number): string {
  const i = Math.log2(bit);
  return FAULT_NAMES[i as 0] ?? `fault-bit-${bit}`;
}

export function gasStateName(state: number): string {
  return STATE_NAMES[state as 0] ?? `state-${state}`;
}

/** Names of every alarm bit set in `bits` (allocates: for logs and the host, not the per-sample path). */
export function gasAlarmNames(bits: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < ALARM_NAMES.length; i++) if (bits & (1 << i)) out.push(ALARM_NAMES[i]!);
  return out;
}

export function gasFaultNames(bits: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < FAULT_NAMES.length; i++) if (bits & (1 << i)) out.push(FAULT_NAMES[i]!);
  return out;
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(ALARM_NAMES);
deepFreeze(FAULT_NAMES);
deepFreeze(STATE_NAMES);
