/** The runtime's error: a machine-readable code and the offending value (house rule 5). Runs on XS. */
import { CodedError } from "../../../protocol/errors.js";

export type RuntimeErrorCode =
  /** A configuration value outside its range, or set-points in the wrong order. */
  | "bad-config"
  /** A constructor option is missing or malformed (clock, storage, key, node id...). */
  | "bad-option"
  /** Stored data that cannot be read back (wrong length, CRC mismatch, unknown version). */
  | "bad-storage"
  /** The 32-bit frame counter is used up: the node must be re-keyed before it may send again. */
  | "counter-exhausted"
  /** A downlink that was refused (bad MAC, replay, unknown type). */
  | "bad-downlink"
  /** The software watchdog tripped: thrown on the board to restart it (runtime/restart.ts). */
  | "watchdog-restart";

export class RuntimeError extends CodedError<RuntimeErrorCode> {
  override readonly name: string = "RuntimeError";
}
