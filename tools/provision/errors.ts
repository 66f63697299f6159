/**
 * The field-tech tool's one error type (house rule 5): a machine-readable code, the offending value, and a
 * message that is one line for the tech saying what is wrong AND what to do next. It is a CliError, so the
 * CLI prints exactly that line and exits with `exitCode` (2: bad input, a refused or unsafe request, a link
 * failure; 1: the check ran and failed, e.g. a bump test).
 */
import { CliError } from "../cli/errors.js";

export type ProvisionErrorCode =
  /** `--port` names nothing usable (bad syntax, unknown simulated node, no such serial device). */
  | "wrong-port"
  /** Another program (or another minewatch run) holds the port. */
  | "port-busy"
  /** `serialport` is not installed: real ports need it. */
  | "no-serial-driver"
  /** The node does not answer on the console. */
  | "no-answer"
  /** The provisioning secret was refused, or the node is locked out, or has none. */
  | "auth"
  /** The link broke in the middle of a transfer (a pulled cable). */
  | "link-lost"
  /** A file (node.yaml, key file, registry) cannot be read or parsed. */
  | "bad-file"
  /** A config value is malformed or unsafe (outside the profile's bounds, impossible calibration...). */
  | "bad-config"
  /** The node or the registry is in a state that forbids the request (not provisioned, id clash...). */
  | "refused"
  /** What the node holds after a write differs from what was sent. */
  | "readback"
  /** Bad command-line usage. */
  | "usage";

export class ProvisionError extends CliError {
  override readonly name: string = "ProvisionError";
  readonly code: ProvisionErrorCode;
  readonly value: unknown;
  constructor(code: ProvisionErrorCode, message: string, value: unknown, exitCode = 2) {
    super(message, exitCode);
    this.code = code;
    this.value = value;
  }
}
