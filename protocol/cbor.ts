/**
 * The subset of CBOR (RFC 8949) minewatch frames use, written for determinism (RFC 8949 section 4.2.1:
 * "preferred serialization": every integer, length and count in the shortest head; definite lengths only)
 * and for XS: writes go into a caller's Uint8Array, nothing is allocated per item.
 *
 * Major types used: 0 (unsigned int), 1 (negative int), 2 (byte string), 4 (array). Values are limited to
 * 32 bits: no frame field needs more, and 64-bit heads would force BigInt onto the node.
 */
import { ProtocolError } from "./errors.js";
import { deepFreeze } from "./freeze.js";

export const MAJOR_UINT = 0;
export const MAJOR_NEGINT = 1;
export const MAJOR_BYTES = 2;
export const MAJOR_ARRAY = 4;

const MAJOR_NAMES = [
  "unsigned integer",
  "negative integer",
  "byte string",
  "text string",
  "array",
  "map",
  "tag",
  "float/simple",
];

/** Bytes the head of `n` takes (RFC 8949 section 3: 1, 2, 3 or 5). */
export function headLength(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

/** Bytes an integer takes. */
export function intLength(v: number): number {
  return headLength(v < 0 ? -1 - v : v);
}

export function noRoom(out: Uint8Array, needed: number): ProtocolError {
  return new ProtocolError(
    "no-room",
    `output buffer of ${out.length} bytes is too small (needs at least ${needed})`,
    out.length,
  );
}

/** Writes a head with the shortest argument; `n` is an integer in 0..2^32-1. Returns the new position. */
export function writeHead(out: Uint8Array, pos: number, major: number, n: number): number {
  const len = headLength(n);
  if (pos + len > out.length) throw noRoom(out, pos + len);
  const mt = major << 5;
  if (len === 1) {
    out[pos] = mt | n;
  } else if (len === 2) {
    out[pos] = mt | 24;
    out[pos + 1] = n;
  } else if (len === 3) {
    out[pos] = mt | 25;
    out[pos + 1] = n >>> 8;
    out[pos + 2] = n & 0xff;
  } else {
    out[pos] = mt | 26;
    out[pos + 1] = n >>> 24;
    out[pos + 2] = (n >>> 16) & 0xff;
    out[pos + 3] = (n >>> 8) & 0xff;
    out[pos + 4] = n & 0xff;
  }
  return pos + len;
}

/** Writes a signed integer (major type 0 or 1). */
export function writeInt(out: Uint8Array, pos: number, v: number): number {
  return v < 0 ? writeHead(out, pos, MAJOR_NEGINT, -1 - v) : writeHead(out, pos, MAJOR_UINT, v);
}

/** Writes a byte string. */
export function writeBytes(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  const p = writeHead(out, pos, MAJOR_BYTES, bytes.length);
  if (p + bytes.length > out.length) throw noRoom(out, p + bytes.length);
  out.set(bytes, p);
  return p + bytes.length;
}

/**
 * A strict reader: accepts only the deterministic encoding, and only within [pos, end). Every failure is a
 * ProtocolError naming the byte offset.
 */
export class CborReader {
  bytes: Uint8Array;
  pos: number;
  end: number;
  /** Major type of the last head read. */
  major = 0;

  constructor(bytes: Uint8Array, pos: number, end: number) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  /** Reads a head; returns its argument (0..2^32-1) and sets `major`. Bounds are checked once per head. */
  head(): number {
    const b = this.bytes;
    const at = this.pos;
    if (at >= this.end) throw truncated(this.end);
    const initial = b[at]!;
    const major = initial >> 5;
    const ai = initial & 31;
    this.major = major;
    if (ai < 24) {
      this.pos = at + 1;
      return ai;
    }
    const extra = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : 0;
    if (extra === 0) {
      if (ai === 31) {
        throw new ProtocolError(
          "not-canonical",
          `indefinite-length CBOR item at byte ${at} (deterministic CBOR uses definite lengths, RFC 8949 section 4.2.1)`,
          initial,
        );
      }
      throw new ProtocolError(
        "bad-structure",
        `malformed CBOR head 0x${hex2(initial)} at byte ${at} (additional information ${ai} is reserved)`,
        initial,
      );
    }
    if (at + 1 + extra > this.end) throw truncated(this.end);
    this.pos = at + 1 + extra;
    if (extra === 1) {
      const n = b[at + 1]!;
      if (n < 24) throw notShortest(at, n);
      return n;
    }
    if (extra === 2) {
      const n = (b[at + 1]! << 8) | b[at + 2]!;
      if (n < 0x100) throw notShortest(at, n);
      return n;
    }
    const n = ((b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!) >>> 0;
    if (extra === 4) {
      if (n < 0x10000) throw notShortest(at, n);
      return n;
    }
    const lo = ((b[at + 5]! << 24) | (b[at + 6]! << 16) | (b[at + 7]! << 8) | b[at + 8]!) >>> 0;
    if (n === 0) throw notShortest(at, lo);
    const approx = n * 4294967296 + lo;
    throw new ProtocolError(
      "out-of-range",
      `64-bit CBOR ${MAJOR_NAMES[major]} ${approx} at byte ${at}: no minewatch field exceeds 32 bits`,
      approx,
    );
  }

  /** Reads a head that must be of `major`; `what` names the item for the error. */
  expect(major: number, what: string): number {
    const at = this.pos;
    const n = this.head();
    if (this.major !== major) {
      throw new ProtocolError(
        "bad-structure",
        `${what}: expected a CBOR ${MAJOR_NAMES[major]} at byte ${at}, found a ${MAJOR_NAMES[this.major]}`,
        this.bytes[at],
      );
    }
    return n;
  }

  /** Reads a signed integer (major 0 or 1); `owner`.`name` names it in an error. */
  int(owner: string, name: string): number {
    const at = this.pos;
    const n = this.head();
    if (this.major === MAJOR_UINT) return n;
    if (this.major === MAJOR_NEGINT) return -1 - n;
    throw new ProtocolError(
      "bad-structure",
      `${owner}.${name}: expected a CBOR integer at byte ${at}, found a ${MAJOR_NAMES[this.major]}`,
      this.bytes[at],
    );
  }

  /** Reads a byte string of exactly `length` bytes into a new Uint8Array. */
  fixedBytes(what: string, length: number): Uint8Array {
    const n = this.expect(MAJOR_BYTES, what);
    if (n !== length) {
      throw new ProtocolError(
        "bad-structure",
        `${what}: expected ${length} bytes, found a ${n}-byte string`,
        n,
      );
    }
    if (this.pos + n > this.end) {
      throw new ProtocolError("truncated", `${what}: byte string runs past the end of the frame`, n);
    }
    const v = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

// Plain functions, not #private methods: esbuild lowers those to WeakSet for the ES5 codec.
function truncated(end: number): ProtocolError {
  return new ProtocolError("truncated", `frame ends at byte ${end} in the middle of a CBOR item`, end);
}

function notShortest(at: number, n: number): ProtocolError {
  return new ProtocolError(
    "not-canonical",
    `CBOR argument ${n} at byte ${at} is not in its shortest form (RFC 8949 section 4.2.1)`,
    n,
  );
}

export function hex2(b: number): string {
  return (b < 16 ? "0" : "") + b.toString(16);
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(MAJOR_NAMES);
