/**
 * The seismic detector's only error type (house rule 5): a machine-readable `code` and the offending `value`,
 * so the runtime can count failures by kind and the CLI can print one line naming what was wrong.
 * Errors are raised only for bad configuration and for impossible input (non-finite samples, time going
 * backwards); they are checked before any state changes, so a rejected sample leaves the detector as it was.
 */
import { CodedError } from "../../../protocol/errors.js";

export type SeismicErrorCode =
  /** A configuration field is missing, not a number, or outside its documented range. */
  | "bad-config"
  /** A sample value (acceleration) is NaN or infinite. */
  | "sample-not-finite"
  /** A sample's timestamp is not a finite number or is not later than the previous sample's. */
  | "time-not-increasing"
  /** `pushBlock` arguments disagree (count larger than the arrays hold). */
  | "bad-block"
  /** An unknown PPV limit profile name. */
  | "unknown-profile";

export class SeismicError extends CodedError<SeismicErrorCode> {
  override readonly name: string = "SeismicError";
}

export function isSeismicError(e: unknown): e is SeismicError {
  return e instanceof SeismicError;
}
