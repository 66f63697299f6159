/**
 * The gas pipeline's and the set-point profiles' error type (house rule 5): a machine-readable `code` and the
 * offending `value`, so the runtime can count failures by kind and the CLI can print one line naming what
 * was wrong. It lives above gas/ and profiles/ so that both throw it and neither imports the other back.
 * Errors are raised for bad configuration (profile, location, calibration, settings), for impossible time
 * (a timestamp that is not finite or not later than the previous one) and for a malformed persisted state.
 * They are checked before any state changes. Sample VALUES never raise: NaN / Infinity are "no data"
 * (a fault the pipeline reports), because a sensing loop must never stop on a bad reading.
 */
import { CodedError } from "../../protocol/errors.js";

export type GasErrorCode =
  /** A setting is missing, not a number, or outside its documented range. */
  | "bad-config"
  /** The two calibration points are not usable (equal raw values, non-finite numbers). */
  | "bad-calibration"
  /** No set-point profile of that name. */
  | "unknown-profile"
  /** The profile has no such location class. */
  | "unknown-location"
  /** Not one of ch4, co, o2, h2s. */
  | "unknown-gas"
  /** A timestamp is not finite or not later than the previous sample's. */
  | "time-not-increasing"
  /** An imported state has the wrong length or impossible numbers. */
  | "bad-state";

export class GasError extends CodedError<GasErrorCode> {
  override readonly name: string = "GasError";
}

export function isGasError(e: unknown): e is GasError {
  return e instanceof GasError;
}
