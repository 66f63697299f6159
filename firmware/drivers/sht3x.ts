/**
 * Sensirion SHT3x-DIS humidity and temperature sensor on I2C (datasheet "SHT3x-DIS" v6, 2019), for the gas
 * cells' temperature and humidity compensation. ECMA-419 sensor class pattern:
 * `new SHT3x({ sensor: { ...device.I2C.default, io: I2C } })`, `configure({ repeatability, heater })`,
 * `sample()`, `close()`. Moddable ships a driver for this chip (modules/drivers/sensors/sht3x); this one
 * differs where the node needs it: it never blocks (Moddable's waits with Timer.delay), checks every CRC and
 * the status register, and reports faults instead of throwing.
 *
 * Non-blocking single shot without clock stretching (4.3, 4.4): `sample()` reads the result of the
 * measurement the previous call started, then starts the next. Call it no faster than `measurementMs`.
 *
 * Identity: the SHT3x has no identity register; the constructor reads the status register and accepts the
 * chip when the word carries a valid CRC (4.11, 4.12), then clears the status so that bit 4 ("system reset
 * detected") reports any later reset.
 *
 * Faults (firmware/drivers/faults.ts): result and status both NACKed -> NoAnswer; the result missing while
 * the chip answers (measurement lost or called too early) -> NoAnswer; six equal bytes (all 0xFF, stuck
 * data line) -> Garbage; a CRC mismatch -> Checksum; status bit 4 set -> Reset (status cleared, heater
 * setting restored, measurement restarted).
 */

import { deepFreeze } from "../../protocol/freeze.js";
import { DriverError, SensorFault, type SensorFaultCode } from "./faults.js";

/** Commands (datasheet table 9 and 4.8-4.11), 16 bit, MSB first, no CRC. */
const Command = Object.freeze({
  SingleShotHigh: 0x2400,
  SingleShotMedium: 0x240b,
  SingleShotLow: 0x2416,
  ReadStatus: 0xf32d,
  ClearStatus: 0x3041,
  HeaterOn: 0x306d,
  HeaterOff: 0x3066,
});

/** Status register bits (table 17). */
const Status = Object.freeze({ Heater: 0x2000, ResetDetected: 0x0010 });

/** Single-shot command and maximum measurement duration (table 4) by repeatability. */
const REPEATABILITY = Object.freeze({
  high: { command: Command.SingleShotHigh, durationMs: 15 },
  medium: { command: Command.SingleShotMedium, durationMs: 6 },
  low: { command: Command.SingleShotLow, durationMs: 4 },
});

export type Sht3xRepeatability = keyof typeof REPEATABILITY;

export interface Sht3xConfigureOptions {
  repeatability?: Sht3xRepeatability;
  /** The on-chip heater (4.10) is for plausibility checks; it biases the reading while on. */
  heater?: boolean;
}

export interface I2CBus {
  read(buffer: Uint8Array, stop?: boolean): unknown;
  write(buffer: Uint8Array, stop?: boolean): void;
  close(): void;
}

export interface I2CBusClass {
  new (options: { address: number; hz: number; data?: number; clock?: number; port?: number }): I2CBus;
}

export interface Sht3xOptions {
  sensor: { io: I2CBusClass; address?: number; hz?: number; data?: number; clock?: number; port?: number };
  configure?: Sht3xConfigureOptions;
}

/** One reading; the object is reused by every `sample()`. */
export interface Sht3xSample {
  temperatureC: number;
  humidityPct: number;
}

export { DriverError };

/** CRC-8 polynomial 0x31 lookup table (4.12), built once at load: two lookups per word instead of 16 shifts. */
const CRC_TABLE = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x31) & 0xff : (c << 1) & 0xff;
  CRC_TABLE[i] = c;
}

/** CRC-8, polynomial 0x31, init 0xFF, over two bytes (4.12; CRC(0xBEEF) = 0x92). */
export function sht3xCrc8(b0: number, b1: number): number {
  return CRC_TABLE[(CRC_TABLE[0xff ^ b0] as number) ^ b1] as number;
}

export class SHT3x {
  #io: I2CBus | undefined;
  readonly #cmd = new Uint8Array(2);
  readonly #data = new Uint8Array(6);
  readonly #status = new Uint8Array(3);
  #repeatability: Sht3xRepeatability = "high";
  #heater = false;
  #started = false;
  readonly #result: Sht3xSample = { temperatureC: 0, humidityPct: 0 };
  #fault: SensorFaultCode = SensorFault.None;
  resets = 0;

  constructor(options: Sht3xOptions) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") {
      throw new DriverError("sht3x-options", "SHT3x: options.sensor.io must be an I2C class", sensor?.io);
    }
    const address = sensor.address ?? 0x44;
    if (address !== 0x44 && address !== 0x45) {
      throw new DriverError("sht3x-address", `SHT3x: address must be 0x44 or 0x45, got ${address}`, address);
    }
    const io = new sensor.io({ ...sensor, address, hz: sensor.hz ?? 400_000 });
    this.#io = io;
    try {
      let status: number;
      try {
        status = this.#readStatus(io);
      } catch (e) {
        throw new DriverError("sht3x-no-answer", `SHT3x: no answer on I2C (${(e as Error).message})`, e);
      }
      if (status < 0) {
        const got = Array.from(this.#status, (b) => b.toString(16).padStart(2, "0")).join(" ");
        throw new DriverError("sht3x-identity", `SHT3x: status word ${got} fails its CRC; not an SHT3x`, got);
      }
      this.configure(options.configure ?? {});
    } catch (e) {
      io.close();
      this.#io = undefined;
      throw e;
    }
  }

  get fault(): SensorFaultCode {
    return this.#fault;
  }

  /** Longest time one measurement takes at the configured repeatability (table 4). */
  get measurementMs(): number {
    return REPEATABILITY[this.#repeatability].durationMs;
  }

  configure(options: Sht3xConfigureOptions): void {
    const repeatability = options.repeatability ?? this.#repeatability;
    if (!Object.hasOwn(REPEATABILITY, repeatability)) {
      throw new DriverError(
        "sht3x-repeatability",
        `SHT3x: repeatability must be "high", "medium" or "low", got ${String(repeatability)}`,
        repeatability,
      );
    }
    const heater = options.heater ?? this.#heater;
    if (typeof heater !== "boolean") {
      throw new DriverError(
        "sht3x-heater",
        `SHT3x: heater must be true or false, got ${String(heater)}`,
        heater,
      );
    }
    this.#repeatability = repeatability;
    this.#heater = heater;
    this.#program();
  }

  /** Returns the measurement started by the previous call and starts the next, or undefined with `fault`. */
  sample(): Sht3xSample | undefined {
    const io = this.#bus();
    const d = this.#data;
    let haveData = this.#started;
    if (haveData) {
      try {
        io.read(d);
      } catch {
        haveData = false;
      }
    }
    let status: number;
    try {
      status = this.#readStatus(io);
    } catch {
      this.#started = false;
      this.#fault = SensorFault.NoAnswer;
      return undefined;
    }
    if (status >= 0 && (status & Status.ResetDetected) !== 0) {
      this.resets++;
      return this.#restart(SensorFault.Reset);
    }
    if (!haveData) return this.#restart(SensorFault.NoAnswer);
    if (d[0] === d[1] && d[1] === d[2] && d[2] === d[3] && d[3] === d[4] && d[4] === d[5]) {
      return this.#restart(SensorFault.Garbage);
    }
    if (
      status < 0 ||
      sht3xCrc8(d[0] as number, d[1] as number) !== d[2] ||
      sht3xCrc8(d[3] as number, d[4] as number) !== d[5]
    ) {
      return this.#restart(SensorFault.Checksum);
    }
    const r = this.#result;
    // Conversion formulas, datasheet 4.13.
    r.temperatureC = -45 + (175 * (((d[0] as number) << 8) | (d[1] as number))) / 65535;
    r.humidityPct = (100 * (((d[3] as number) << 8) | (d[4] as number))) / 65535;
    try {
      this.#command(io, REPEATABILITY[this.#repeatability].command);
      this.#started = true;
    } catch {
      this.#started = false;
    }
    this.#fault = SensorFault.None;
    return r;
  }

  close(): void {
    this.#io?.close();
    this.#io = undefined;
  }

  #bus(): I2CBus {
    if (!this.#io) throw new DriverError("sht3x-closed", "SHT3x: driver is closed", undefined);
    return this.#io;
  }

  /** Clears the status (so bit 4 flags the next reset), sets the heater, starts a measurement. */
  #program(): void {
    const io = this.#bus();
    this.#command(io, Command.ClearStatus);
    this.#command(io, this.#heater ? Command.HeaterOn : Command.HeaterOff);
    this.#command(io, REPEATABILITY[this.#repeatability].command);
    this.#started = true;
  }

  #restart(fault: SensorFaultCode): undefined {
    this.#fault = fault;
    try {
      this.#program();
    } catch {
      this.#started = false;
      this.#fault = SensorFault.NoAnswer;
    }
    return undefined;
  }

  #command(io: I2CBus, command: number): void {
    this.#cmd[0] = command >> 8;
    this.#cmd[1] = command & 0xff;
    io.write(this.#cmd);
  }

  /** The status word, or -1 when its CRC fails (or the bytes are all equal: a dead bus). Throws on NACK. */
  #readStatus(io: I2CBus): number {
    this.#command(io, Command.ReadStatus);
    const s = this.#status;
    io.read(s);
    if ((s[0] === s[1] && s[1] === s[2]) || sht3xCrc8(s[0] as number, s[1] as number) !== s[2]) return -1;
    return ((s[0] as number) << 8) | (s[1] as number);
  }
}

export default SHT3x;

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(REPEATABILITY);
