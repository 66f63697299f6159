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

/**
 * A config change refused, with what and why: the fields of the config-refused frame the node answers a
 * refused downlink with (protocol/schema.ts CONFIG_REFUSED).
 */
export class ConfigRefusedError extends RuntimeError {
  override readonly name: string = "ConfigRefusedError";
  /** Config parameter id, or -1 when the refusal names none. */
  readonly param: number;
  /** protocol/schema.ts ConfigRefusal code. */
  readonly reason: number;
  /** The refused raw parameter value (NaN when none). */
  readonly raw: number;

  constructor(message: string, param: number, reason: number, raw: number) {
    super("bad-config", message, param);
    this.param = param;
    this.reason = reason;
    this.raw = raw;
  }
}
