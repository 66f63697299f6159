/**
 * Line assembly and tokenising for the provisioning console, in preallocated buffers: a byte in costs no
 * allocation, a line is split into token offsets (no strings). Humans type at a terminal, so BS / DEL erase
 * the last byte and CR, LF or CR LF end a line; a tool sends the same lines with `@seq` and `*CRC`.
 */
import { BACKSPACE, CR, DELETE, LF, LINE_MAX_BYTES, SPACE, TAB } from "../../../protocol/console-wire.js";

/** Most tokens a command has (KEY.SET slot hex = 3); more are counted so the error can say how many. */
export const MAX_TOKENS = 6;

export class LineBuffer {
  /** Content bytes of the current line: LINE_MAX_BYTES less the CR LF that ends it. */
  readonly bytes = new Uint8Array(LINE_MAX_BYTES - 2);
  length = 0;
  /** Bytes the line really had, terminator excluded, also those dropped for overflow. */
  seen = 0;
  /** First byte outside printable ASCII, or -1; its column (0-based) in `badColumn`. */
  badByte = -1;
  badColumn = -1;

  /** Takes one byte; true when a non-empty line (or an overflowing / bad one) has ended. */
  push(b: number): boolean {
    // Printable ASCII first: almost every byte takes only this branch.
    if (b >= 0x20 && b <= 0x7e && b !== DELETE) {
      if (this.length < this.bytes.length) this.bytes[this.length++] = b;
      this.seen++;
      return false;
    }
    if (b === CR || b === LF) return this.seen > 0;
    if (b === BACKSPACE || b === DELETE) {
      if (this.length > 0 && this.seen === this.length) {
        this.length--;
        this.seen--;
        if (this.badColumn === this.length) this.badByte = this.badColumn = -1;
      }
      return false;
    }
    if (b === TAB) b = SPACE;
    else if (this.badByte < 0) {
      this.badByte = b;
      this.badColumn = this.seen;
    }
    if (this.length < this.bytes.length) this.bytes[this.length++] = b;
    this.seen++;
    return false;
  }

  get overflowed(): boolean {
    return this.seen > this.length;
  }

  /** Wipes the line (it may have held a secret or a key) and starts the next. */
  clear(): void {
    this.bytes.fill(0, 0, this.length);
    this.length = 0;
    this.seen = 0;
    this.badByte = -1;
    this.badColumn = -1;
  }
}

/** Token offsets of one line: token i is bytes[start[i], end[i]). */
export class Tokens {
  readonly start = new Int16Array(MAX_TOKENS);
  readonly end = new Int16Array(MAX_TOKENS);
  /** Tokens found (may exceed MAX_TOKENS; only the first MAX_TOKENS have offsets). */
  count = 0;

  split(bytes: Uint8Array, from: number, to: number): void {
    let n = 0;
    let i = from;
    while (i < to) {
      while (i < to && bytes[i] === SPACE) i++;
      if (i >= to) break;
      const s = i;
      while (i < to && bytes[i] !== SPACE) i++;
      if (n < MAX_TOKENS) {
        this.start[n] = s;
        this.end[n] = i;
      }
      n++;
    }
    this.count = n;
  }

  length(i: number): number {
    return this.end[i]! - this.start[i]!;
  }
}

/** True when bytes[from, to) spells the upper-case ASCII `word` ignoring case (command names). */
export function equalsIgnoreCase(bytes: Uint8Array, from: number, to: number, word: Uint8Array): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = bytes[from + i]!;
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== word[i]) return false;
  }
  return true;
}

/** Unsigned decimal integer in bytes[from, to) (1..9 digits), or -1. */
export function parseUint(bytes: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 9) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Decimal number `[-]digits[.digits]` (at most 15 digits, so mantissa / 10^k is exact before the one
 * rounding of the division), or NaN. No exponent form: a tech types plain numbers.
 */
export function parseDecimal(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  let negative = false;
  if (i < to && bytes[i] === 45) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 1;
  let dot = false;
  for (; i < to; i++) {
    const c = bytes[i]!;
    if (c === 46 && !dot) {
      dot = true;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return Number.NaN;
    mantissa = mantissa * 10 + d;
    if (dot) scale *= 10;
    if (++digits > 15) return Number.NaN;
  }
  if (digits === 0) return Number.NaN;
  const v = mantissa / scale;
  return negative ? -v : v;
}
