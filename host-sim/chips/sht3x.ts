/**
 * Command-level model of the Sensirion SHT3x-DIS humidity and temperature sensor (datasheet "SHT3x-DIS",
 * version 6, December 2019), attached to a SimBoard I2C bus.
 *
 * Modelled: 16-bit commands written MSB first without CRC (4.3); single-shot measurement without clock
 * stretching, 0x2400 / 0x240B / 0x2416 for high / medium / low repeatability, taking the maximum measurement
 * duration of table 4 (15 / 6 / 4 ms) on the virtual clock, the read header NACKed until the result is ready
 * (4.4) and the result cleared once read; the 6-byte result T MSB, T LSB, CRC, RH MSB, RH LSB, CRC with
 * CRC-8 poly 0x31 init 0xFF (4.12); the conversion formulas of 4.13 inverted (code = round(value scaled to
 * 0..65535)); the status register (0xF32D, 4.11) with bit 15 alert pending and bit 4 reset detected set at
 * power-up and by soft reset (0x30A2), cleared by 0x3041, bit 13 heater (0x306D on / 0x3066 off), bit 1 set
 * by an unknown command.
 * Not modelled: periodic acquisition mode and ART, alert thresholds, clock stretching, the serial number,
 * sensor accuracy and noise (the value source is returned exactly, to the 16-bit resolution), self-heating
 * by the heater.
 *
 * Faults (issue 4): NACK, stuck bytes, all-0xFF via `inject()`; `corruptCrc` spoils the result's CRC;
 * `powerGlitch()` is a supply dip (the chip
 * restarts: measurement lost, status back to 0x8010).
 */
import type { I2CTarget, SimBoard } from "../board.js";
import { applyI2CReadFault, type I2CFault } from "../io/i2c.js";

export type ValueSource = (tMs: number) => number;

/** Commands (datasheet table 9, 4.8-4.11). */
export const Sht3xCommand = Object.freeze({
  SingleShotHigh: 0x2400,
  SingleShotMedium: 0x240b,
  SingleShotLow: 0x2416,
  ReadStatus: 0xf32d,
  ClearStatus: 0x3041,
  SoftReset: 0x30a2,
  HeaterOn: 0x306d,
  HeaterOff: 0x3066,
});

/** Maximum measurement duration by repeatability (table 4), ms. */
const DURATION_MS: Record<number, number> = { 9216: 15, 9227: 6, 9238: 4 };

const STATUS_POWER_ON = 0x8010;
const STATUS_HEATER = 0x2000;
const STATUS_RESET = 0x0010;
const STATUS_COMMAND_FAILED = 0x0002;

/** CRC-8, polynomial 0x31 (x^8 + x^5 + x^4 + 1), init 0xFF, no reflection, no final XOR (4.12). */
export function sht3xCrc(b0: number, b1: number): number {
  let crc = 0xff ^ b0;
  for (let pass = 0; pass < 2; pass++) {
    if (pass === 1) crc ^= b1;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

export interface Sht3xModelOptions {
  port?: number;
  /** 0x44 (ADDR low) or 0x45 (ADDR high). */
  address?: number;
  temperatureC: ValueSource;
  humidityPct: ValueSource;
}

export class Sht3xModel implements I2CTarget {
  readonly address: number;
  readonly #board: SimBoard;
  readonly #temperatureC: ValueSource;
  readonly #humidityPct: ValueSource;
  #status = STATUS_POWER_ON;
  #readyAtMs = Number.NaN;
  #hasResult = false;
  #result = new Uint8Array(6);
  #statusPending = false;
  #fault: I2CFault | undefined;
  /** Every command the model received, in order, while `recordCommands` is set (tests assert bus traffic). */
  readonly commands: number[] = [];
  recordCommands = false;

  constructor(board: SimBoard, options: Sht3xModelOptions) {
    const address = options.address ?? 0x44;
    if (address !== 0x44 && address !== 0x45) {
      throw new RangeError(`SHT3x model: address must be 0x44 or 0x45, got 0x${address.toString(16)}`);
    }
    this.address = address;
    this.#board = board;
    this.#temperatureC = options.temperatureC;
    this.#humidityPct = options.humidityPct;
    board.attachI2C(options.port ?? 0, address, this);
  }

  /** While set, every measurement result goes out with its humidity CRC inverted (a corrupted transfer). */
  corruptCrc = false;

  inject(fault: I2CFault | undefined): void {
    this.#fault = fault;
  }

  powerGlitch(): void {
    this.#status = STATUS_POWER_ON;
    this.#readyAtMs = Number.NaN;
    this.#hasResult = false;
    this.#statusPending = false;
  }

  get status(): number {
    return this.#status;
  }

  write(bytes: Uint8Array, _stop: boolean): boolean {
    if (this.#fault) return this.#fault.kind !== "nack";
    if (bytes.length < 2) return true;
    const command = ((bytes[0] as number) << 8) | (bytes[1] as number);
    if (this.recordCommands) this.commands.push(command);
    this.#statusPending = false;
    this.#status &= ~STATUS_COMMAND_FAILED;
    const duration = DURATION_MS[command];
    if (duration !== undefined) {
      this.#hasResult = false;
      this.#readyAtMs = this.#board.clock.now() + duration;
    } else if (command === Sht3xCommand.ReadStatus) {
      this.#statusPending = true;
    } else if (command === Sht3xCommand.ClearStatus) {
      this.#status &= ~(0x8000 | 0x0800 | 0x0400 | STATUS_RESET);
    } else if (command === Sht3xCommand.SoftReset) {
      this.powerGlitch();
    } else if (command === Sht3xCommand.HeaterOn) {
      this.#status |= STATUS_HEATER;
    } else if (command === Sht3xCommand.HeaterOff) {
      this.#status &= ~STATUS_HEATER;
    } else {
      this.#status |= STATUS_COMMAND_FAILED;
    }
    return true;
  }

  read(into: Uint8Array, _stop: boolean): boolean {
    if (this.#fault) return applyI2CReadFault(this.#fault, into);
    if (this.#statusPending) {
      this.#statusPending = false;
      const hi = this.#status >> 8;
      const lo = this.#status & 0xff;
      const crc = sht3xCrc(hi, lo);
      for (let i = 0; i < into.length; i++) into[i] = i % 3 === 0 ? hi : i % 3 === 1 ? lo : crc;
      return true;
    }
    this.#complete();
    if (!this.#hasResult) return false; // no result (yet): the read header is not acknowledged (4.4)
    for (let i = 0; i < into.length; i++) into[i] = this.#result[i % 6] as number;
    this.#hasResult = false;
    return true;
  }

  #complete(): void {
    if (Number.isNaN(this.#readyAtMs) || this.#board.clock.now() < this.#readyAtMs) return;
    const at = this.#readyAtMs;
    this.#readyAtMs = Number.NaN;
    const t = toCode((this.#temperatureC(at) + 45) / 175);
    const rh = toCode(this.#humidityPct(at) / 100);
    const r = this.#result;
    r[0] = t >> 8;
    r[1] = t & 0xff;
    r[2] = sht3xCrc(r[0] as number, r[1] as number);
    r[3] = rh >> 8;
    r[4] = rh & 0xff;
    r[5] = sht3xCrc(r[3] as number, r[4] as number) ^ (this.corruptCrc ? 0xff : 0);
    this.#hasResult = true;
  }
}

function toCode(fraction: number): number {
  const c = Math.round(fraction * 65535);
  return c < 0 ? 0 : Math.min(c, 65535);
}
