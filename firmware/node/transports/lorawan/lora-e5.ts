/**
 * Driver for the Seeed LoRa-E5 / Wio-E5 LoRaWAN modem (STM32WLE5JC) over an injected ECMA-419 Serial class,
 * speaking the AT command set of "LoRa-E5 AT Command Specification" V1.0 (see at-protocol.ts for the facts
 * taken from it). Event-driven: bytes arrive in `onReadable`, assemble into lines in a preallocated buffer,
 * and finish the command in flight; every command has a timeout on the injected Clock.
 *
 * One operation at a time (the modem runs one LoRaWAN transaction at a time and answers anything else
 * with "LoRaWAN modem is busy"), each reported once through `onResult(op, result, value)`:
 * - `configure(region, dataRate, fPort, confirmedTrials, keys?)`: the command queue AT, [AT+ID, AT+KEY: see
 *   below], AT+MODE=LWOTAA,
 *   AT+DR=<region>, AT+DR=DR<n>, AT+ADR=OFF, AT+PORT=<p>, AT+RETRY=<n>, sent one after the other; the first
 *   ERROR(n) or timeout ends it.
 * - `join()`: AT+JOIN -> Joined / JoinFailed / Busy / NotOtaa.
 * - `send(bytes, count, confirmed, timeoutMs)`: AT+MSGHEX / AT+CMSGHEX -> Sent / Acked / NoAck or the
 *   modem's refusal (NotJoined, LengthError with the modem's limit, NoBand with its wait in ms,
 *   NoFreeChannel, DrError, Busy, AtError with n). `onDownlink(port, bytes)` on "PORT: p; RX: ...".
 * - `onTxStart` fires on a join's or a send's "Start" (the radio is about to transmit: the caller charges
 *   the duty cycle then; `op` tells which).
 * Allocation: none per byte, per line or per send in steady state (the command is built in a preallocated
 * buffer and written through a view cached per length); a downlink hands out a fresh copy of its bytes. A
 * command longer than the ESP32's 128-byte UART TX FIFO (a frame over 55 bytes) goes in FIFO-sized pieces
 * from `onWritable`, each a fresh view.
 * OTAA identity: `configure` writes the DevEUI, JoinEUI (the AT set's "AppEui") and AppKey it is given
 * (AT+ID=DevEui, AT+ID=AppEui, AT+KEY=APPKEY; the node keeps them in key-value storage, written by the
 * console's KEY.SET) before the join; one it is not given stays as the modem holds it. An ID step finishes
 * only on the answer line naming that ID (the modem's ID query prints DevAddr, DevEui and AppEui lines).
 */
import type { Clock, TimerId } from "../../clock.js";
import {
  AT_MAX_LINE,
  AtCommand,
  type AtCommandId,
  AtCommandWriter,
  AtLineParser,
  AtReply,
  ascii,
  decodeHex,
} from "./at-protocol.js";
import { LoRaWanError } from "./errors.js";

export const E5_BAUD = 9600;

export const E5Op = Object.freeze({ None: 0, Configure: 1, Join: 2, Send: 3 });
export type E5OpCode = (typeof E5Op)[keyof typeof E5Op];

export const E5Result = Object.freeze({
  Ok: 0,
  Joined: 1,
  JoinFailed: 2,
  Sent: 3,
  Acked: 4,
  NoAck: 5,
  Busy: 6,
  NotJoined: 7,
  LengthError: 8,
  NoBand: 9,
  NoFreeChannel: 10,
  DrError: 11,
  NotOtaa: 12,
  AtError: 13,
  Timeout: 14,
});
export type E5ResultCode = (typeof E5Result)[keyof typeof E5Result];
export const E5_RESULT_NAMES = Object.freeze([
  "ok",
  "joined",
  "join-failed",
  "sent",
  "acked",
  "no-ack",
  "busy",
  "not-joined",
  "length-error",
  "no-band",
  "no-free-channel",
  "dr-error",
  "not-otaa",
  "at-error",
  "timeout",
]);

export interface E5Serial {
  read(): number | ArrayBuffer | undefined;
  write(value: number | Uint8Array): void;
  close(): void;
  /** ECMA-419: "number" reads / writes one byte, "buffer" buffers; may change at any time. */
  format: "number" | "buffer";
}

export interface E5SerialClass {
  new (options: {
    baud: number;
    port: number;
    /** Moddable's desktop simulator (lin) opens a serial device by path, e.g. a USB-UART to a Wio-E5. */
    device?: string;
    receive?: number;
    transmit?: number;
    format: "number";
    onReadable: (count: number) => void;
    onWritable?: (count: number) => void;
  }): E5Serial;
}

/** OTAA identity written to the modem before a join; each one left out stays as the modem holds it. */
export interface E5OtaaKeys {
  /** 8 bytes, most significant first (as printed on the label and in the network server). */
  devEui?: Uint8Array;
  /** 8 bytes (LoRaWAN 1.0.x AppEUI). */
  joinEui?: Uint8Array;
  /** 16 bytes (AES-128 root key). */
  appKey?: Uint8Array;
}

export interface LoraE5Options {
  serial: {
    io: E5SerialClass;
    port: number;
    receive?: number;
    transmit?: number;
    baud?: number;
    device?: string;
  };
  clock: Clock;
  onResult: (op: E5OpCode, result: E5ResultCode, value: number) => void;
  onTxStart?: () => void;
  onDownlink?: (fPort: number, bytes: Uint8Array) => void;
  /** Time allowed for a configuration command's answer. Default 2000 ms. */
  commandTimeoutMs?: number;
}

const P_AT = ascii("AT");
const P_MODE = ascii("AT+MODE=LWOTAA");
const P_ID_DEVEUI = ascii('AT+ID=DevEui,"');
const P_ID_APPEUI = ascii('AT+ID=AppEui,"');
const P_KEY_APPKEY = ascii('AT+KEY=APPKEY,"');
const T_DEVEUI = ascii("DevEui");
const T_APPEUI = ascii("AppEui");
const T_APPKEY = ascii("APPKEY");
const P_DR = ascii("AT+DR=");
const P_DR_N = ascii("AT+DR=DR");
const P_ADR = ascii("AT+ADR=OFF");
const P_PORT = ascii("AT+PORT=");
const P_RETRY = ascii("AT+RETRY=");
const P_JOIN = ascii("AT+JOIN");
const P_MSG = ascii("AT+MSGHEX=");
const P_CMSG = ascii("AT+CMSGHEX=");
/** Prefix + quotes + CR LF around the hex of a send. */
const SEND_OVERHEAD = P_CMSG.length + 4;
/** Largest payload a send can carry within the modem's 528-character command limit. */
/**
 * The ESP32's UART TX FIFO (ESP32 and ESP32-S3: 128 bytes). Moddable's ESP32 Serial writes that hardware FIFO
 * directly (no driver buffer) and throws "output full" for a write larger than its free space.
 */
export const E5_TX_FIFO_BYTES = 128;

export const E5_MAX_SEND_BYTES = Math.floor((AT_MAX_LINE - SEND_OVERHEAD) / 2);

export class LoraE5 {
  readonly #serial: E5Serial;
  readonly #clock: Clock;
  readonly #onResult: LoraE5Options["onResult"];
  readonly #onTxStart: (() => void) | undefined;
  readonly #onDownlink: LoraE5Options["onDownlink"];
  readonly #commandTimeoutMs: number;
  readonly #parser = new AtLineParser();
  readonly #writer = new AtCommandWriter(AT_MAX_LINE + 8);
  readonly #views: (Uint8Array | undefined)[] = [];
  readonly #downlink = new Uint8Array(256);
  readonly #timeoutBound = () => this.#timedOut();
  /** The command being written, while part of it still waits for room in the TX FIFO. */
  #out: Uint8Array | undefined;
  #outPos = 0;

  // Configuration queue: commands built once per configure() call, sent in order.
  #steps: Uint8Array[] = [];
  #stepAnswers: AtCommandId[] = [];
  /** For an identity step, the text its answer line starts with (other lines of that command are skipped). */
  #stepTexts: (Uint8Array | undefined)[] = [];
  #step = 0;

  #op: E5OpCode = E5Op.None;
  #expect: AtCommandId = AtCommand.Unknown;
  #timer: TimerId | undefined;
  #joinedSeen = false;
  #ackSeen = false;
  #confirmed = false;
  #closed = false;
  /** Lines that belonged to no command in flight (late answers, "+INFO" notices). */
  unsolicitedLines = 0;

  constructor(options: LoraE5Options) {
    const s = options?.serial;
    if (!s || typeof s.io !== "function") {
      throw new LoRaWanError("bad-option", "LoRa-E5: options.serial.io must be a Serial class", s?.io);
    }
    if (!options.clock || typeof options.onResult !== "function") {
      throw new LoRaWanError(
        "bad-option",
        "LoRa-E5: options.clock and options.onResult are required",
        options.clock,
      );
    }
    this.#clock = options.clock;
    this.#onResult = options.onResult;
    this.#onTxStart = options.onTxStart;
    this.#onDownlink = options.onDownlink;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    const self = this;
    this.#serial = new s.io({
      baud: s.baud ?? E5_BAUD,
      port: s.port,
      receive: s.receive,
      transmit: s.transmit,
      ...(s.device !== undefined ? { device: s.device } : {}),
      format: "number",
      onReadable(count: number) {
        self.#readable(count);
      },
      onWritable(count: number) {
        self.#pump(count);
      },
    });
  }

  /** The operation in flight (E5Op.None when idle). */
  get op(): E5OpCode {
    return this.#op;
  }

  configure(
    regionName: string,
    dataRate: number,
    fPort: number,
    confirmedTrials: number,
    keys?: E5OtaaKeys,
  ): void {
    this.#idle("configure");
    checkOtaaKeys(keys);
    const cmd = (build: (w: AtCommandWriter) => void): Uint8Array => {
      const w = new AtCommandWriter(64);
      build(w);
      w.end();
      return w.buffer.slice(0, w.length);
    };
    const keySteps: Uint8Array[] = [];
    const keyAnswers: AtCommandId[] = [];
    const keyTexts: Uint8Array[] = [];
    const key = (
      prefix: Uint8Array,
      value: Uint8Array | undefined,
      answer: AtCommandId,
      text: Uint8Array,
    ) => {
      if (!value) return;
      keySteps.push(cmd((w) => w.bytes(prefix).hex(value, value.length).quote()));
      keyAnswers.push(answer);
      keyTexts.push(text);
    };
    key(P_ID_DEVEUI, keys?.devEui, AtCommand.Id, T_DEVEUI);
    key(P_ID_APPEUI, keys?.joinEui, AtCommand.Id, T_APPEUI);
    key(P_KEY_APPKEY, keys?.appKey, AtCommand.Key, T_APPKEY);
    this.#steps = [
      cmd((w) => w.bytes(P_AT)),
      cmd((w) => w.bytes(P_MODE)),
      cmd((w) => w.bytes(P_DR).bytes(ascii(regionName))),
      cmd((w) => w.bytes(P_DR_N).int(dataRate)),
      cmd((w) => w.bytes(P_ADR)),
      cmd((w) => w.bytes(P_PORT).int(fPort)),
      cmd((w) => w.bytes(P_RETRY).int(confirmedTrials)),
    ];
    this.#stepAnswers = [
      AtCommand.At,
      AtCommand.Mode,
      AtCommand.Dr,
      AtCommand.Dr,
      AtCommand.Adr,
      AtCommand.Port,
      AtCommand.Retry,
    ];
    // The identity goes in right after AT has shown that the modem answers.
    this.#steps.splice(1, 0, ...keySteps);
    this.#stepAnswers.splice(1, 0, ...keyAnswers);
    this.#stepTexts = this.#steps.map(() => undefined);
    for (let i = 0; i < keyTexts.length; i++) this.#stepTexts[1 + i] = keyTexts[i];
    this.#step = 0;
    this.#op = E5Op.Configure;
    this.#nextStep();
  }

  join(timeoutMs: number): void {
    this.#idle("join");
    this.#op = E5Op.Join;
    this.#joinedSeen = false;
    this.#issue(this.#writer.reset().bytes(P_JOIN).end(), AtCommand.Join, timeoutMs);
  }

  /** Sends `bytes[0..count)`; the caller keeps `bytes` unchanged until the result. */
  send(bytes: Uint8Array, count: number, confirmed: boolean, timeoutMs: number): void {
    this.#idle("send");
    if (!(count >= 1 && count <= E5_MAX_SEND_BYTES && count <= bytes.length)) {
      throw new LoRaWanError(
        "bad-frame",
        `LoRa-E5: send needs 1..${E5_MAX_SEND_BYTES} bytes, got ${count}`,
        count,
      );
    }
    this.#op = E5Op.Send;
    this.#confirmed = confirmed;
    this.#ackSeen = false;
    const w = this.#writer
      .reset()
      .bytes(confirmed ? P_CMSG : P_MSG)
      .quote()
      .hex(bytes, count)
      .quote()
      .end();
    this.#issue(w, confirmed ? AtCommand.CMsgHex : AtCommand.MsgHex, timeoutMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimer();
    this.#op = E5Op.None;
    this.#serial.close();
  }

  #idle(what: string): void {
    if (this.#closed) throw new LoRaWanError("bad-option", `LoRa-E5: ${what} after close`, what);
    if (this.#op !== E5Op.None) {
      throw new LoRaWanError(
        "bad-option",
        `LoRa-E5: ${what} while operation ${this.#op} is in flight`,
        this.#op,
      );
    }
  }

  #nextStep(): void {
    const bytes = this.#steps[this.#step]!;
    this.#expect = this.#stepAnswers[this.#step]!;
    this.#armTimer(this.#commandTimeoutMs);
    this.#write(bytes);
  }

  #issue(w: AtCommandWriter, expect: AtCommandId, timeoutMs: number): void {
    this.#expect = expect;
    this.#armTimer(timeoutMs);
    this.#write(this.#view(w.length));
  }

  /**
   * Starts writing a command. The FIFO is empty at a command's start (the previous command was answered or
   * timed out, and 128 bytes leave in 133 ms at 9600 baud), so up to E5_TX_FIFO_BYTES go at once; the rest
   * follows from `onWritable` (a long AT+MSGHEX). Most commands fit: one write, no allocation.
   */
  #write(bytes: Uint8Array): void {
    this.#out = bytes;
    this.#outPos = 0;
    this.#pump(E5_TX_FIFO_BYTES);
  }

  /**
   * Writes as much of the pending command as `free` bytes of FIFO take. The port reads in format "number"
   * (one byte, no allocation); a command goes out in format "buffer", switched for the write: on the ESP32
   * a buffer written in "number" format leaves as one 0x00 byte.
   */
  #pump(free: number): void {
    const out = this.#out;
    if (!out || this.#closed) return;
    const n = Math.min(out.length - this.#outPos, free);
    if (n <= 0) return;
    const chunk = this.#outPos === 0 && n === out.length ? out : out.subarray(this.#outPos, this.#outPos + n);
    const serial = this.#serial;
    serial.format = "buffer";
    try {
      serial.write(chunk);
    } finally {
      serial.format = "number";
    }
    this.#outPos += n;
    if (this.#outPos === out.length) this.#out = undefined;
  }

  /** A view of the writer's first `n` bytes, made once per length (steady state allocates nothing). */
  #view(n: number): Uint8Array {
    let v = this.#views[n];
    if (!v) {
      v = this.#writer.buffer.subarray(0, n);
      this.#views[n] = v;
    }
    return v;
  }

  #armTimer(ms: number): void {
    this.#clearTimer();
    this.#timer = this.#clock.setTimer(this.#timeoutBound, ms);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
  }

  #readable(count: number): void {
    const serial = this.#serial;
    const parser = this.#parser;
    for (let i = 0; i < count; i++) {
      const b = serial.read();
      if (typeof b !== "number") break;
      if (parser.push(b)) this.#line();
    }
  }

  #line() {
    const p = this.#parser;
    if (this.#op === E5Op.None || p.command !== this.#expect) {
      this.unsolicitedLines++;
      return;
    }
    if (this.#op === E5Op.Configure) {
      if (p.kind === AtReply.Error) return this.#finish(E5Result.AtError, p.value);
      const text = this.#stepTexts[this.#step];
      if (text && !startsWith(p.line, p.dataStart, p.dataEnd, text)) {
        this.unsolicitedLines++;
        return;
      }
      if (++this.#step === this.#steps.length) return this.#finish(E5Result.Ok, 0);
      this.#nextStep();
      return;
    }
    if (this.#op === E5Op.Join) {
      switch (p.kind) {
        case AtReply.NetworkJoined:
          this.#joinedSeen = true;
          return;
        case AtReply.Done:
          return this.#finish(this.#joinedSeen ? E5Result.Joined : E5Result.JoinFailed, 0);
        case AtReply.JoinedAlready:
          return this.#finish(E5Result.Joined, 1);
        case AtReply.Busy:
          return this.#finish(E5Result.Busy, 0);
        case AtReply.NotOtaa:
          return this.#finish(E5Result.NotOtaa, 0);
        case AtReply.Error:
          return this.#finish(E5Result.AtError, p.value);
      }
      if (p.kind === AtReply.Start) this.#onTxStart?.(); // the join-request is about to go on air
      return; // NORMAL, Join failed, NetID: progress lines
    }
    switch (p.kind) {
      case AtReply.Start:
        this.#onTxStart?.();
        return;
      case AtReply.AckReceived:
        this.#ackSeen = true;
        return;
      case AtReply.Rx: {
        const n = decodeHex(p.line, p.dataStart, p.dataEnd, this.#downlink);
        if (n >= 0) this.#onDownlink?.(p.value, this.#downlink.slice(0, n));
        return;
      }
      case AtReply.Done:
        return this.#finish(
          this.#confirmed ? (this.#ackSeen ? E5Result.Acked : E5Result.NoAck) : E5Result.Sent,
          0,
        );
      case AtReply.NotJoined:
        return this.#finish(E5Result.NotJoined, 0);
      case AtReply.LengthError:
        return this.#finish(E5Result.LengthError, p.value);
      case AtReply.NoBand:
        return this.#finish(E5Result.NoBand, p.value);
      case AtReply.NoFreeChannel:
        return this.#finish(E5Result.NoFreeChannel, 0);
      case AtReply.DrError:
        return this.#finish(E5Result.DrError, 0);
      case AtReply.Busy:
        return this.#finish(E5Result.Busy, 0);
      case AtReply.Error:
        return this.#finish(E5Result.AtError, p.value);
    }
  }

  #timedOut(): void {
    this.#timer = undefined;
    if (this.#op !== E5Op.None) this.#finish(E5Result.Timeout, 0);
  }

  #finish(result: E5ResultCode, value: number): void {
    const op = this.#op;
    this.#clearTimer();
    this.#op = E5Op.None;
    this.#expect = AtCommand.Unknown;
    this.#onResult(op, result, value);
  }
}

function startsWith(line: Uint8Array, start: number, end: number, text: Uint8Array): boolean {
  if (end - start < text.length) return false;
  for (let i = 0; i < text.length; i++) if (line[start + i] !== text[i]) return false;
  return true;
}

/** Throws LoRaWanError "bad-option" naming a key of the wrong length (DevEUI/JoinEUI 8 bytes, AppKey 16). */
export function checkOtaaKeys(keys: E5OtaaKeys | undefined): void {
  checkKey("devEui", keys?.devEui, 8);
  checkKey("joinEui", keys?.joinEui, 8);
  checkKey("appKey", keys?.appKey, 16);
}

function checkKey(name: string, value: Uint8Array | undefined, bytes: number): void {
  if (value === undefined) return;
  if (!(value instanceof Uint8Array) || value.length !== bytes) {
    throw new LoRaWanError(
      "bad-option",
      `LoRa-E5: ${name} must be ${bytes} bytes, got ${value instanceof Uint8Array ? value.length : typeof value}`,
      value instanceof Uint8Array ? value.length : value,
    );
  }
}
