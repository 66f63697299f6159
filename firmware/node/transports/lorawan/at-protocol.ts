/**
 * The LoRa-E5 (Seeed Studio; STM32WLE5JC) AT command set at byte level: line assembly, response
 * classification, command encoding. Document: Seeed "LoRa-E5 AT Command Specification" V1.0 (2021), which
 * derives from RisingHF PS01509 "LoRaWAN AT Command Specification" (V2.4, 2015; V4.x). Facts used:
 * - UART 9600 8N1; a command ends with LF (CR LF accepted); at most 528 characters (section 2.1).
 * - Every answer line is `+<COMMAND>: <text>` ended by CR LF (section 2.3.3); an error is
 *   `+<COMMAND>: ERROR(<n>)` with n (section 2.4): -1 parameter invalid, -10 command unknown, -11 wrong
 *   format, -12 unavailable in the current mode, -20 more than 15 parameters, -21 command longer than 528
 *   bytes, -22 end symbol (LF) timeout, -23 invalid character, -24 either of -21/-22/-23.
 * - AT+ID=DevEui,"<8 bytes hex>" / AT+ID=AppEui,"..." answer `+ID: DevEui, xx:xx:..` (one line);
 *   AT+KEY=APPKEY,"<16 bytes hex>" answers `+KEY: APPKEY <hex>`; a malformed value ERROR(-1) (sections
 *   AT+ID and AT+KEY).
 * - AT+JOIN: `Start`, `NORMAL`, then `Network joined` + `NetID .. DevAddr ..` or `Join failed`, then `Done`;
 *   alone: `LoRaWAN modem is busy`, `Joined already`, `Not in OTAA mode`.
 * - AT+MSGHEX / AT+CMSGHEX (the answer repeats the command name): `Start`, `Wait ACK` (confirmed),
 *   `FPENDING`, `ACK Received`, `PORT: <p>; RX: "<hex>"`, `RXWIN<n>, RSSI <r>, SNR <s>`, `Done`; a confirmed
 *   uplink that got no ACK after its trials ends `Wait ACK` ... `Done` with no `ACK Received`. Refusals:
 *   `Please join network first`, `Length error <max>`, `No free channel`, `No band in <ms>ms`, `DR error`,
 *   `LoRaWAN modem is busy`.
 * Nothing here allocates per byte or per line: lines assemble into a preallocated buffer and are classified
 * by comparing bytes with patterns encoded once. Runs on XS.
 */
import { deepFreeze } from "../../../../protocol/freeze.js";

/** Commands the driver sends or the modem names in an answer. */
export const AtCommand = Object.freeze({
  Unknown: 0,
  At: 1,
  Id: 2,
  Mode: 3,
  Dr: 4,
  Port: 5,
  Retry: 6,
  Adr: 7,
  Class: 8,
  Join: 9,
  MsgHex: 10,
  CMsgHex: 11,
  Reset: 12,
  Ver: 13,
  Info: 14,
  Key: 15,
});
export type AtCommandId = (typeof AtCommand)[keyof typeof AtCommand];

/** What an answer line says. */
export const AtReply = Object.freeze({
  /** A line that is not `+NAME: text`. */
  Garbage: 0,
  /** Any other text (a setting echoed back, `OK`, an id). */
  Text: 1,
  /** `ERROR(n)`: `value` = n. */
  Error: 2,
  Start: 3,
  Done: 4,
  WaitAck: 5,
  AckReceived: 6,
  FramePending: 7,
  /** `PORT: p; RX: "hex"`: `value` = p, `dataStart`/`dataEnd` = the hex text. */
  Rx: 8,
  RxWindow: 9,
  NetworkJoined: 10,
  JoinFailed: 11,
  JoinedAlready: 12,
  NetId: 13,
  Normal: 14,
  Busy: 15,
  NotJoined: 16,
  /** `Length error N`: `value` = N, the longest payload the modem accepts now. */
  LengthError: 17,
  NoFreeChannel: 18,
  /** `No band in N ms`: `value` = N. */
  NoBand: 19,
  DrError: 20,
  NotOtaa: 21,
});
export type AtReplyKind = (typeof AtReply)[keyof typeof AtReply];

/** Largest line kept (the modem's own command limit); longer lines are dropped and counted. */
export const AT_MAX_LINE = 528;

export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

const NAMES: readonly [Uint8Array, AtCommandId][] = [
  [ascii("AT"), AtCommand.At],
  [ascii("ID"), AtCommand.Id],
  [ascii("MODE"), AtCommand.Mode],
  [ascii("DR"), AtCommand.Dr],
  [ascii("PORT"), AtCommand.Port],
  [ascii("RETRY"), AtCommand.Retry],
  [ascii("ADR"), AtCommand.Adr],
  [ascii("CLASS"), AtCommand.Class],
  [ascii("JOIN"), AtCommand.Join],
  [ascii("MSGHEX"), AtCommand.MsgHex],
  [ascii("CMSGHEX"), AtCommand.CMsgHex],
  [ascii("RESET"), AtCommand.Reset],
  [ascii("VER"), AtCommand.Ver],
  [ascii("INFO"), AtCommand.Info],
  [ascii("KEY"), AtCommand.Key],
];

/** Phrases matched at the start of the text; the longest distinct prefixes first where they overlap. */
const PHRASES: readonly [Uint8Array, AtReplyKind][] = [
  [ascii("ERROR("), AtReply.Error],
  [ascii("Start"), AtReply.Start],
  [ascii("Done"), AtReply.Done],
  [ascii("Wait ACK"), AtReply.WaitAck],
  [ascii("ACK Received"), AtReply.AckReceived],
  [ascii("FPENDING"), AtReply.FramePending],
  [ascii("PORT: "), AtReply.Rx],
  [ascii("RXWIN"), AtReply.RxWindow],
  [ascii("Network joined"), AtReply.NetworkJoined],
  [ascii("Join failed"), AtReply.JoinFailed],
  [ascii("Joined already"), AtReply.JoinedAlready],
  [ascii("NetID"), AtReply.NetId],
  [ascii("NORMAL"), AtReply.Normal],
  [ascii("LoRaWAN modem is busy"), AtReply.Busy],
  [ascii("Please join network first"), AtReply.NotJoined],
  [ascii("Length error"), AtReply.LengthError],
  [ascii("No free channel"), AtReply.NoFreeChannel],
  [ascii("No band in"), AtReply.NoBand],
  [ascii("DR error"), AtReply.DrError],
  [ascii("Not in OTAA mode"), AtReply.NotOtaa],
];
const RX_MARK = ascii('RX: "');

const PLUS = 0x2b;
const COLON = 0x3a;
const SPACE = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
const MINUS = 0x2d;

function matchAt(buf: Uint8Array, pos: number, end: number, pat: Uint8Array): boolean {
  if (end - pos < pat.length) return false;
  for (let i = 0; i < pat.length; i++) if (buf[pos + i] !== pat[i]) return false;
  return true;
}

/**
 * Assembles modem output into lines and classifies each one. Feed bytes with `push`; when it returns true a
 * line is ready: `command`, `kind`, `value`, `dataStart`, `dataEnd` describe it and `line` / `length` hold
 * its bytes, valid until the next `push`.
 */
export class AtLineParser {
  readonly line = new Uint8Array(AT_MAX_LINE);
  length = 0;
  command: AtCommandId = AtCommand.Unknown;
  kind: AtReplyKind = AtReply.Garbage;
  value = 0;
  dataStart = 0;
  dataEnd = 0;
  /** Lines longer than AT_MAX_LINE (dropped). */
  overlongLines = 0;
  #fill = 0;
  #overlong = false;

  /** Takes one byte; true when it completed a non-empty line. */
  push(byte: number): boolean {
    if (byte === LF) {
      const n = this.#fill;
      const over = this.#overlong;
      this.#fill = 0;
      this.#overlong = false;
      if (over) {
        this.overlongLines++;
        return false;
      }
      if (n === 0) return false;
      this.length = n;
      this.#classify();
      return true;
    }
    if (byte === CR) return false;
    if (this.#fill === AT_MAX_LINE) {
      this.#overlong = true;
      return false;
    }
    this.line[this.#fill++] = byte;
    return false;
  }

  /** Classifies `text` as if it had arrived (tests and the modem model use it). */
  parseText(text: string): this {
    this.#fill = 0;
    for (let i = 0; i < text.length; i++) this.push(text.charCodeAt(i));
    this.push(LF);
    return this;
  }

  /** The line as text (diagnostics and tests only: allocates). */
  text(): string {
    let s = "";
    for (let i = 0; i < this.length; i++) s += String.fromCharCode(this.line[i]!);
    return s;
  }

  #classify(): void {
    const b = this.line;
    const end = this.length;
    this.command = AtCommand.Unknown;
    this.kind = AtReply.Garbage;
    this.value = 0;
    this.dataStart = 0;
    this.dataEnd = 0;
    if (b[0] !== PLUS) return;
    let colon = 1;
    while (colon < end && b[colon] !== COLON) colon++;
    if (colon === end) return;
    const nameLen = colon - 1;
    for (let i = 0; i < NAMES.length; i++) {
      // Index access, not destructuring: array destructuring runs the iterator protocol and allocates on XS.
      const pat = NAMES[i]![0];
      if (pat.length === nameLen && matchAt(b, 1, colon, pat)) {
        this.command = NAMES[i]![1];
        break;
      }
    }
    let p = colon + 1;
    while (p < end && b[p] === SPACE) p++;
    this.kind = AtReply.Text;
    this.dataStart = p;
    this.dataEnd = end;
    for (let i = 0; i < PHRASES.length; i++) {
      const pat = PHRASES[i]![0];
      if (matchAt(b, p, end, pat)) {
        this.kind = PHRASES[i]![1];
        this.#details(p + pat.length, end);
        return;
      }
    }
  }

  #details(p: number, end: number): void {
    const b = this.line;
    switch (this.kind) {
      case AtReply.Error:
      case AtReply.LengthError:
      case AtReply.NoBand: {
        const v = parseIntAt(b, p, end);
        if (Number.isNaN(v)) this.kind = AtReply.Text;
        else this.value = v;
        return;
      }
      case AtReply.Rx: {
        const port = parseIntAt(b, p, end);
        let q = p;
        while (q < end && !matchAt(b, q, end, RX_MARK)) q++;
        if (Number.isNaN(port) || q === end) {
          this.kind = AtReply.Text;
          return;
        }
        const start = q + RX_MARK.length;
        let stop = start;
        while (stop < end && b[stop] !== QUOTE) stop++;
        this.value = port;
        this.dataStart = start;
        this.dataEnd = stop;
        return;
      }
    }
  }
}

/** Parses an optionally signed decimal integer after optional spaces; NaN if there is none. */
export function parseIntAt(b: Uint8Array, pos: number, end: number): number {
  let p = pos;
  while (p < end && b[p] === SPACE) p++;
  let sign = 1;
  if (p < end && b[p] === MINUS) {
    sign = -1;
    p++;
  }
  let v = 0;
  let digits = 0;
  while (p < end) {
    const c = b[p]!;
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + (c - 0x30);
    digits++;
    p++;
  }
  return digits === 0 ? Number.NaN : sign * v;
}

function hexNibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Decodes hex text `src[start..end)` (spaces allowed between bytes) into `out`; byte count, or -1 if bad. */
export function decodeHex(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  let p = start;
  while (p < end) {
    if (src[p] === SPACE) {
      p++;
      continue;
    }
    if (p + 1 >= end || n === out.length) return -1;
    const hi = hexNibble(src[p]!);
    const lo = hexNibble(src[p + 1]!);
    if (hi < 0 || lo < 0) return -1;
    out[n++] = (hi << 4) | lo;
    p += 2;
  }
  return n;
}

const HEX = ascii("0123456789ABCDEF");

/** Builds one command line in a preallocated buffer (no allocation). */
export class AtCommandWriter {
  readonly buffer: Uint8Array;
  length = 0;
  constructor(capacity = AT_MAX_LINE) {
    this.buffer = new Uint8Array(capacity);
  }
  reset(): this {
    this.length = 0;
    return this;
  }
  bytes(pat: Uint8Array): this {
    this.buffer.set(pat, this.length);
    this.length += pat.length;
    return this;
  }
  byte(c: number): this {
    this.buffer[this.length++] = c;
    return this;
  }
  int(v: number): this {
    let x = Math.trunc(v);
    if (x < 0) {
      this.byte(MINUS);
      x = -x;
    }
    let div = 1;
    while (div * 10 <= x) div *= 10;
    for (; div >= 1; div = Math.floor(div / 10)) this.byte(0x30 + (Math.floor(x / div) % 10));
    return this;
  }
  /** Upper-case hex of `src[0..count)`. */
  hex(src: Uint8Array, count: number): this {
    const buf = this.buffer;
    let n = this.length;
    for (let i = 0; i < count; i++) {
      const v = src[i]!;
      buf[n++] = HEX[v >> 4]!;
      buf[n++] = HEX[v & 15]!;
    }
    this.length = n;
    return this;
  }
  quote(): this {
    return this.byte(QUOTE);
  }
  /** CR LF. */
  end(): this {
    return this.byte(CR).byte(LF);
  }
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(NAMES);
deepFreeze(PHRASES);
