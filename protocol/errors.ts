/**
 * The protocol's only error type. Every failure to encode, decode or verify a frame is a `ProtocolError`
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
  /** A verifier got a frame with no MAC from a node it holds a key for (or no key for the node). */
  | "unauthenticated"
  /** A MAC key that is not 16 bytes. */
  | "bad-key"
  /** Encoding only: the output buffer is too small for the frame. */
  | "no-room";

export class ProtocolError extends Error {
  /** A field, not `this.name =`: the inherited `name` is frozen on the device (house rule 8). */
  override readonly name: string = "ProtocolError";
  readonly code: ProtocolErrorCode;
  /** The offending value: a number, a field name, a byte, a hex string. */
  readonly value: unknown;

  constructor(code: ProtocolErrorCode, message: string, value: unknown) {
    super(message);
    this.code = code;
    this.value = value;
  }
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
