/**
 * Pass criteria of the guided bump test and calibration, per gas, with where each number comes from.
 * "UNCONFIRMED" = the figure is what the cited document is known for but its text was not read; "DEFAULT" =
 * a design choice of this tool. Change them here (one table), never in the flows.
 *
 * Sources read (via public copies):
 * - OSHA SHIB 09-30-2013 "Calibrating and Testing Direct-Reading Portable Gas Monitors" (quoted by
 *   gasdetection.com's knowledge base): a bump test is "a qualitative function check in which a challenge gas
 *   is passed over the sensor(s) at a concentration and exposure time sufficient to activate all alarm
 *   settings"; "the challenge gas concentration should trigger the ... alarm(s)". Hence: the alarm MUST fire,
 *   and an applied concentration that cannot reach the first set-point is refused before the test starts.
 * - ISEA position statement (2010), same source: bump test "before each day's use" for PORTABLE monitors;
 *   if a bump test fails, calibrate; if calibration fails, take the instrument out of service.
 *   These nodes are fixed: the bump interval below is a DEFAULT, not ISEA's daily rule.
 * - Bump gas example (7solutions glossary): 2.5 % CH4, 200 ppm CO, 40 ppm H2S, O2 below 18 %.
 * Not read: EN 60079-29-1:2016 (flammable, response time and accuracy clauses) and EN 45544 (toxic): the
 * response-time limits below are UNCONFIRMED against them.
 */
import type { ConsoleGas } from "./port.js";

export interface GasCriteria {
  unit: "%vol" | "ppm";
  /** Bump test: the reading must come within this of the applied value (fraction of applied, or absolute). */
  bumpTolerance: { fraction: number; absolute: number };
  /** ... within this time of the gas reaching the sensor. */
  responseTimeMs: number;
  /** Calibration: after a span the reading must be within this fraction of the applied value... */
  spanTolerance: number;
  /** ... after a zero within this of 0. */
  zeroBand: number;
  /** Readings within this of each other for STABLE_READINGS polls are "stable" (calibrate waits for it). */
  stableBand: number;
  /** Bump gas the tool suggests (see the glossary above). */
  typicalBump: number;
}

export const CRITERIA: Readonly<Record<ConsoleGas, GasCriteria>> = {
  // Response 30 s: UNCONFIRMED (the T90 the MIPEX-02 family is sold with; EN 60079-29-1 not read).
  // Tolerance +-20 % of applied: DEFAULT (a bump test is qualitative per OSHA SHIB; 20 % flags a cell that
  // lost a fifth of its sensitivity, which then needs a calibration).
  CH4: {
    unit: "%vol",
    bumpTolerance: { fraction: 0.2, absolute: 0 },
    responseTimeMs: 30_000,
    spanTolerance: 0.05, // DEFAULT: +-5 % of the span gas after a span
    zeroBand: 0.05, // DEFAULT: 5 counts of the MIPEX's 0.01 %vol
    stableBand: 0.02,
    typicalBump: 2.5,
  },
  // Electrochemical cells: response 60 s DEFAULT (UNCONFIRMED against EN 45544); tolerance +-20 % DEFAULT.
  CO: {
    unit: "ppm",
    bumpTolerance: { fraction: 0.2, absolute: 0 },
    responseTimeMs: 60_000,
    spanTolerance: 0.05,
    zeroBand: 2,
    stableBand: 1,
    typicalBump: 200,
  },
  // O2 is bumped DOWN (nitrogen mix below 18 %): +-0.7 %vol absolute DEFAULT (a fraction of 18 % would be
  // meaninglessly wide).
  O2: {
    unit: "%vol",
    bumpTolerance: { fraction: 0, absolute: 0.7 },
    responseTimeMs: 60_000,
    spanTolerance: 0.02,
    zeroBand: 0.3,
    stableBand: 0.1,
    typicalBump: 18,
  },
  H2S: {
    unit: "ppm",
    bumpTolerance: { fraction: 0.2, absolute: 0 },
    responseTimeMs: 60_000,
    spanTolerance: 0.05,
    zeroBand: 0.5,
    stableBand: 0.3,
    typicalBump: 40,
  },
};

/** Polls of READ in a row within stableBand before a calibration is taken (1 s apart). DEFAULT. */
export const STABLE_READINGS = 5;
/** Longest a calibration waits for a stable reading. DEFAULT: two minutes, then it gives up (fail). */
export const STABILIZE_MAX_MS = 120_000;
/** Poll period of READ during a test. DEFAULT: the node's 1 Hz sample rate. */
export const POLL_MS = 1_000;

/**
 * Bump test interval of a fixed node. DEFAULT 30 days (UNCONFIRMED as a rule: ISEA's "before each day's use"
 * is for portables; fixed-detector intervals are the manufacturer's and the mine's); `status --bump-days`
 * replaces it. The calibration interval is the profile's `calIntervalMs` per gas.
 */
export const BUMP_INTERVAL_DAYS = 30;

export function toleranceOf(gas: ConsoleGas, applied: number): number {
  const t = CRITERIA[gas].bumpTolerance;
  return Math.max(t.absolute, t.fraction * Math.abs(applied));
}
