/**
 * Error codes of the provisioning console. A code is what a tool matches on; the text after it on the
 * `ERR <code> <detail>` line is for the field tech and names the offending value (house rule 5). Every code
 * is listed with its meaning in protocol/SPEC-console.md, which a test checks against this table.
 */
import { CodedError } from "../../../protocol/errors.js";

export const ConsoleErr = Object.freeze({
  /** The line exceeded LINE_MAX_BYTES; the whole line was discarded. */
  LineTooLong: "line-too-long",
  /** A byte outside printable ASCII (and TAB) in the line. */
  BadByte: "bad-byte",
  /** A machine line (`@seq ...*CRC`) whose CRC-16 does not match, or that lacks its `*CRC` trailer. */
  BadCrc: "bad-crc",
  /** A machine line whose `@seq` is not 0..65535 followed by one space. */
  BadSeq: "bad-seq",
  UnknownCommand: "unknown-command",
  /** Wrong number of arguments, or an argument of the wrong form (not a number, not hex...). */
  BadArg: "bad-arg",
  /** The command writes to the node and needs `AUTH <secret>` first (or the session timed out). */
  Locked: "locked",
  AuthFailed: "auth-failed",
  /** Too many wrong secrets: AUTH is refused until the back-off has passed. */
  LockedOut: "locked-out",
  /** The node has no provisioning secret: writes are impossible until the factory sets one. */
  NoSecret: "no-secret",
  /** CFG.DATA / CFG.COMMIT without a transfer begun by CFG.BEGIN (or it was aborted, or the session ended). */
  NoTransfer: "no-transfer",
  /** CFG.DATA at an offset other than the next expected one. */
  BadOffset: "bad-offset",
  /** A config larger than the node accepts, or a chunk that would run past the announced total. */
  TooLarge: "too-large",
  /** CFG.COMMIT before all announced bytes arrived. */
  Incomplete: "incomplete",
  /** CFG.COMMIT: the CRC-32 of the received bytes is not the one announced by CFG.BEGIN. */
  CrcMismatch: "crc-mismatch",
  /** The runtime refused the config (its validation); the detail names the field and the reason. */
  InvalidConfig: "invalid-config",
  /** The runtime failed while doing what was asked (storage error...); the detail says what. */
  HostFailed: "host-failed",
});

export type ConsoleErrCode = (typeof ConsoleErr)[keyof typeof ConsoleErr];

/** Thrown for bad constructor options (a programming or wiring error, not a line from the tech). */
export class ConsoleError extends CodedError<string> {
  override readonly name: string = "ConsoleError";
}
