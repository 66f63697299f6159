/**
 * The one error pattern of the node and protocol code (house rule 5): a machine-readable `code` and the
 * offending `value`, so a collector or the runtime can count failures by kind and a CLI can print one line.
 * Each module's error is one line: `class XError extends CodedError<XErrorCode> { override readonly name:
 * string = "XError"; }`. The name is a field, never `this.name =`: the inherited `name` is frozen on the
 * device (Moddable freezes Error.prototype; house rule 8).
 */
export class CodedError<Code extends string = string> extends Error {
  override readonly name: string = "CodedError";
  readonly code: Code;
  /** The offending value: a number, a field name, a byte, a hex string. */
  readonly value: unknown;

  constructor(code: Code, message: string, value: unknown) {
    super(message);
    this.code = code;
    this.value = value;
  }
}

/**
 * The protocol's frame error. Every failure to encode, decode or verify a frame is a `ProtocolError`
 * with a machine-readable `code` and the offending `value` (house rule 5), so a collector can count
 * failures by kind and a CLI can print one line. Arbitrary bytes given to the decoder never raise anything
 * else (property tests in test/protocol, fuzzing in test/fuzz).
 */
export type ProtocolErrorCode =
  /** Hex text with an odd number of digits or a non-hex character. */
  | "bad-hex"
  /** The bytes end before the frame does. */
  | "truncated"
  /** The header names a frame type this version does not define. */
  | "unknown-type"
  /** The header's protocol version is newer (or older) than this decoder knows. */
  | "unsupported-version"
  /** A CBOR item is not what the frame's schema requires at that place (major type, array length). */
  | "bad-structure"
  /** CBOR that is well formed but not deterministic (RFC 8949 section 4.2.1): a longer-than-needed head. */
  | "not-canonical"
  /** A field's value is outside its documented range (encode and decode). */
  | "out-of-range"
  /** Bytes follow the end of the frame. */
  | "trailing-bytes"
  /** The MAC does not match: wrong key, or the frame was altered. */
  | "bad-mac"
  /** The MAC matches but the counter was already seen from this node: a replay. */
  | "replayed-counter"
  /**
   * The MAC matches a counter far from the node's known one (an empty or restored collector, a long gap):
   * the frame is held, not accepted, until a second frame confirms the counter (FrameVerifier resync).
   */
  | "held"
  /** A verifier got a frame with no MAC from a node it holds a key for (or no key for the node). */
  | "unauthenticated"
  /** A MAC key that is not 16 bytes. */
  | "bad-key"
  /** Encoding only: the output buffer is too small for the frame. */
  | "no-room";

export class ProtocolError extends CodedError<ProtocolErrorCode> {
  override readonly name: string = "ProtocolError";
}

/** A stored or carried record (config, provisioning) that is malformed, torn, or holds a bad value. */
export type RecordErrorCode =
  /** A configuration value outside its range, or set-points in the wrong order. */
  | "bad-config"
  /** Stored data that cannot be read back (wrong length, CRC mismatch, unknown version). */
  | "bad-storage";

export class RecordError extends CodedError<RecordErrorCode> {
  override readonly name: string = "RecordError";
  /** bad-config: the config parameter id the error names, or -1 (a config-refused frame's `param`). */
  param = -1;
}
