/**
 * Builds one reply line in a preallocated buffer: ASCII, numbers and hex appended without allocation (host
 * strings such as a reason are copied character by character). The last 7 bytes are kept for the machine
 * trailer `*XXXX` and CR LF, so a reply never exceeds LINE_MAX_BYTES; text that would not fit is cut and
 * `truncated` says so (a tool sees a shorter reason, never a broken line).
 */
import { crc16 } from "../../../protocol/checksums.js";
import {
  AT,
  asciiBytes,
  CR,
  HEX_DIGITS,
  LF,
  LINE_MAX_BYTES,
  SPACE,
  STAR,
} from "../../../protocol/console-wire.js";

const TRAILER_BYTES = 7;
/** Protocol words are literals, a bounded set; the cap only guards against misuse with computed strings. */
const WORD_CACHE_MAX = 256;

/** The writer's cache of word bytes (made at run time: a module-level Map would be preloaded into flash). */
function wordBytes(words: Map<string, Uint8Array>, s: string): Uint8Array | undefined {
  let b = words.get(s);
  if (b === undefined && words.size < WORD_CACHE_MAX) {
    b = asciiBytes(s);
    words.set(s, b);
  }
  return b;
}

export class LineWriter {
  readonly bytes = new Uint8Array(LINE_MAX_BYTES);
  length = 0;
  truncated = false;
  readonly #digits = new Uint8Array(10);
  readonly #words = new Map<string, Uint8Array>();

  reset(): void {
    this.length = 0;
    this.truncated = false;
  }

  byte(c: number): this {
    if (this.length < LINE_MAX_BYTES - TRAILER_BYTES) this.bytes[this.length++] = c;
    else this.truncated = true;
    return this;
  }

  /**
   * A literal protocol word (printable ASCII). Its bytes are made on first use and reused, so appending
   * allocates nothing after that (see asciiBytes for why not charCodeAt).
   */
  ascii(s: string): this {
    const b = wordBytes(this.#words, s);
    if (b === undefined) return this.text(s);
    for (let i = 0; i < b.length; i++) this.byte(b[i]!);
    return this;
  }

  /** Free text from the runtime: anything outside printable ASCII becomes `?`; at most `max` characters. */
  text(s: string, max = LINE_MAX_BYTES): this {
    const n = Math.min(s.length, max);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      this.byte(c >= 0x20 && c <= 0x7e ? c : 0x3f);
    }
    return this;
  }

  /** A `key=value` value from the runtime: no spaces either (they become `_`), at most `max` characters. */
  token(s: string, max = 32): this {
    const n = Math.min(s.length, max);
    if (n === 0) return this.byte(0x2d); // "-" for an empty value, so the key=value pair stays parseable
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      this.byte(c > 0x20 && c <= 0x7e ? c : 0x5f);
    }
    return this;
  }

  /** Copies bytes[from, to) of a line (already checked printable). */
  slice(bytes: Uint8Array, from: number, to: number): this {
    for (let i = from; i < to; i++) this.byte(bytes[i]!);
    return this;
  }

  uint(n: number): this {
    let v = Math.floor(Math.abs(n));
    let k = 0;
    do {
      this.#digits[k++] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0 && k < this.#digits.length);
    while (k > 0) this.byte(this.#digits[--k]!);
    return this;
  }

  /** Any finite number in JavaScript's shortest round-trip form (allocates one string: not for hot paths). */
  number(n: number): this {
    return this.text(Number.isFinite(n) ? String(n) : "nan");
  }

  hexBytes(bytes: Uint8Array, from: number, to: number): this {
    for (let i = from; i < to; i++) {
      const b = bytes[i]!;
      this.byte(HEX_DIGITS[b >> 4]!);
      this.byte(HEX_DIGITS[b & 15]!);
    }
    return this;
  }

  /** `n` as exactly `digits` upper-case hex digits. */
  hex(n: number, digits: number): this {
    for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) this.byte(HEX_DIGITS[(n >>> shift) & 15]!);
    return this;
  }

  space(): this {
    return this.byte(SPACE);
  }

  /** Starts a machine reply: `@<seq> `. */
  seq(n: number): this {
    return this.byte(AT).uint(n).space();
  }

  /** Ends the line: `*XXXX` (CRC-16 of everything before the star) when `machine`, then CR LF. */
  finish(machine: boolean): void {
    if (machine) {
      const crc = crc16(this.bytes, 0, this.length);
      this.bytes[this.length++] = STAR;
      for (let shift = 12; shift >= 0; shift -= 4)
        this.bytes[this.length++] = HEX_DIGITS[(crc >>> shift) & 15]!;
    }
    this.bytes[this.length++] = CR;
    this.bytes[this.length++] = LF;
  }
}
