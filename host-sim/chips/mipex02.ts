/**
 * Serial-protocol model of the MIPEX-02 infrared (NDIR) methane sensor (Optosense / SIA MIPEX, "Small-size
 * explosive gas measuring sensor MIPEX-02-X-X-X.1 X (RX) user manual" ESAT.413347.005 UM rev. 3.0, 2017;
 * also ESAT.413347.006 UM rev. 2.0), as a SimBoard SerialPeer.
 *
 * Modelled from the manual:
 * - UART 9600 baud 8N1; commands are ASCII text ended by CR (0x0D) (appendix C).
 * - `DATAE2` -> 6 bytes: C1H, C1L, StatusByteH, StatusByteL, CRC, 0x0D (table 11). C1 is the concentration in
 *   %vol x 100 as a signed 16-bit number ("00198 means 1.98 %Vol", table 6 of the rev. 2.0 manual); CRC is the
 *   XOR of the four bytes before it ("ControlSum^EveryByte", table 6).
 * - `DATA` -> C1 as 5 ASCII digits and CR (table 9).
 * - Status bits (table 12): 0 warming up, 1 abrupt signal change / noise, 2 signal too low, 4 / 5 dynamic
 *   temperature, 6 temperature out of limits, 7 firmware failure, 8 data requested faster than 1 Hz,
 *   9 zero shifted negative, 10 low-power mode, 11 technological failure.
 * - Warm-up: for 40 s after power-up the concentration reads -0001 (0x8001) with the warm-up status; the
 *   metrology is guaranteed after 120 s (MIPEX-02 G manual 5.4), so the warm-up bit stays set until then.
 * - Over range reads 32767 (0x7FFF) (MIPEX manual 5.4).
 * Assumed (not found in the manual): the reply leaves 10 ms after the command's CR; unknown commands get no
 * reply; only DATAE2 and DATA are implemented (no calibration, zeroing, OEM or network-address commands).
 * Not modelled: the 1.28 s internal update period (the value source is read when the command arrives).
 *
 * Faults (issue 4): "no-answer" (commands ignored), "corrupt-checksum" (CRC byte inverted), "all-ff" (every
 * reply byte 0xFF), "stuck" (every reply byte the same), `statusBits` (the module's own fault flags), and
 * `powerGlitch()` (the module restarts its warm-up).
 */
import type { SerialLine, SerialPeer, SimBoard } from "../board.js";
import type { VirtualClock } from "../clock.js";

export const MIPEX_BAUD = 9600;
export const MIPEX_REPLY_DELAY_MS = 10;
export const MIPEX_WARMUP_NO_VALUE_MS = 40_000;
export const MIPEX_WARMUP_MS = 120_000;

export const MipexStatus = Object.freeze({
  WarmingUp: 1 << 0,
  SignalNoise: 1 << 1,
  SignalLow: 1 << 2,
  DynamicTemperatureSlow: 1 << 4,
  DynamicTemperatureFast: 1 << 5,
  TemperatureLimits: 1 << 6,
  FirmwareFailure: 1 << 7,
  RequestRateOver1Hz: 1 << 8,
  ZeroNegative: 1 << 9,
  LowPower: 1 << 10,
  TechnologicalFailure: 1 << 11,
});

export type MipexFault =
  | { kind: "no-answer" }
  | { kind: "corrupt-checksum" }
  | { kind: "all-ff" }
  | { kind: "stuck"; byte: number };

export interface Mipex02ModelOptions {
  /** UART port on the board the module is wired to. */
  port: number;
  /** Methane concentration in %vol at a virtual time. */
  ch4PctVol: (tMs: number) => number;
  /** Top of the measuring range; above it C1 reads 0x7FFF. */
  rangePctVol?: number;
  /** Virtual time the module was powered (default: when the model is made). */
  poweredAtMs?: number;
}

export class Mipex02Model implements SerialPeer {
  readonly #clock: VirtualClock;
  readonly #source: (tMs: number) => number;
  readonly #rangePctVol: number;
  #line: SerialLine | undefined;
  #poweredAtMs: number;
  #lastRequestMs = Number.NEGATIVE_INFINITY;
  readonly #command = new Uint8Array(32);
  #commandLength = 0;
  #fault: MipexFault | undefined;
  /** Status bits the module reports in addition to its own warm-up / request-rate bits. */
  statusBits = 0;
  /** Commands received, as text, while `recordCommands` is set. */
  readonly commands: string[] = [];
  recordCommands = false;

  constructor(board: SimBoard, options: Mipex02ModelOptions) {
    const clock = board.clock;
    this.#clock = clock;
    this.#source = options.ch4PctVol;
    this.#rangePctVol = options.rangePctVol ?? 100;
    this.#poweredAtMs = options.poweredAtMs ?? clock.now();
    board.attachSerial(options.port, this);
  }

  inject(fault: MipexFault | undefined): void {
    this.#fault = fault;
  }

  /** Supply dip: the module restarts and warms up again. */
  powerGlitch(): void {
    this.#poweredAtMs = this.#clock.now();
    this.#commandLength = 0;
  }

  connect(line: SerialLine): void {
    if (line.baud !== MIPEX_BAUD) {
      // Wrong baud: the module sees framing errors, not commands. Stay silent, as the real one would.
      this.#line = undefined;
      return;
    }
    this.#line = line;
  }

  disconnect(): void {
    this.#line = undefined;
  }

  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === 0x0d) {
        this.#execute();
        this.#commandLength = 0;
      } else if (this.#commandLength < this.#command.length) {
        this.#command[this.#commandLength++] = b;
      }
    }
  }

  #execute(): void {
    let text = "";
    for (let i = 0; i < this.#commandLength; i++) text += String.fromCharCode(this.#command[i] as number);
    if (this.recordCommands) this.commands.push(text);
    if (this.#fault?.kind === "no-answer" || !this.#line) return;
    const now = this.#clock.now();
    const tooFast = now - this.#lastRequestMs < 1000;
    this.#lastRequestMs = now;
    let reply: Uint8Array;
    if (text === "DATAE2") reply = this.#datae2(now, tooFast);
    else if (text === "DATA") reply = this.#data(now);
    else return;
    const fault = this.#fault;
    if (fault?.kind === "all-ff") reply.fill(0xff);
    else if (fault?.kind === "stuck") reply.fill(fault.byte & 0xff);
    const line = this.#line;
    this.#clock.setTimer(() => {
      if (this.#line === line) line.send(reply);
    }, MIPEX_REPLY_DELAY_MS);
  }

  #c1(now: number): number {
    const sincePowerMs = now - this.#poweredAtMs;
    if (sincePowerMs < MIPEX_WARMUP_NO_VALUE_MS) return 0x8001;
    const pct = this.#source(now);
    if (pct > this.#rangePctVol) return 0x7fff;
    const c = Math.round(pct * 100);
    return Math.max(c, -0x7fff) & 0xffff;
  }

  #status(now: number, tooFast: boolean): number {
    let s = this.statusBits & 0xffff;
    if (now - this.#poweredAtMs < MIPEX_WARMUP_MS) s |= MipexStatus.WarmingUp;
    if (tooFast) s |= MipexStatus.RequestRateOver1Hz;
    return s;
  }

  #datae2(now: number, tooFast: boolean): Uint8Array {
    const c1 = this.#c1(now);
    const status = this.#status(now, tooFast);
    const r = new Uint8Array(6);
    r[0] = c1 >> 8;
    r[1] = c1 & 0xff;
    r[2] = status >> 8;
    r[3] = status & 0xff;
    r[4] = r[0] ^ r[1] ^ r[2] ^ r[3] ^ (this.#fault?.kind === "corrupt-checksum" ? 0xff : 0);
    r[5] = 0x0d;
    return r;
  }

  #data(now: number): Uint8Array {
    const c1 = this.#c1(now);
    const signed = c1 >= 0x8000 ? c1 - 0x10000 : c1;
    const digits = signed < 0 ? `-${String(-signed).padStart(4, "0")}` : String(signed).padStart(5, "0");
    const r = new Uint8Array(digits.length + 1);
    for (let i = 0; i < digits.length; i++) r[i] = digits.charCodeAt(i);
    r[digits.length] = 0x0d;
    return r;
  }
}
