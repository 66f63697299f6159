/**
 * MIPEX-02 infrared (NDIR) methane sensor over UART (Optosense / SIA MIPEX user manual ESAT.413347.005 UM
 * rev. 3.0, appendix C; ESAT.413347.006 UM rev. 2.0 table 6). Chosen because its serial protocol, status
 * bits and warm-up behaviour are published, it reads 0..100 %vol CH4, and it is built into mine methane
 * detectors in the Russian / Kazakh market the project serves.
 *
 * ECMA-419 sensor class pattern: `new MIPEX02({ sensor: { ...device.Serial.default, io: Serial, port },
 * onSample? })`, `configure({ rangePctVol })`, `sample()`, `close()`.
 *
 * Protocol: the driver sends `DATAE2` CR; the module answers 6 bytes: C1H C1L StatusH StatusL CRC 0x0D, C1 =
 * %vol x 100 (signed 16 bit), CRC = XOR of the four bytes before it. The module's reading updates every
 * 1.28 s and requests faster than 1 Hz set a status bit, so the runtime polls at 1 Hz or slower.
 *
 * Non-blocking: a UART answer arrives later on the clock, so `sample()` decodes the reply to the request
 * made by the previous call and sends the next request. Bytes are taken in `onReadable` one at a time
 * (format "number": no allocation) into a preallocated buffer; `onSample` fires when a full reply is in.
 * The request goes out in format "buffer" (switched for that one write): on the ESP32, a buffer written in
 * "number" format is converted to an integer and leaves as one 0x00 byte.
 *
 * There is no identity register: the first well-formed reply with a valid CRC is the identity check, so the
 * constructor only opens the port (a module that never answers shows as NoAnswer on the first `sample()`).
 *
 * Faults (firmware/drivers/faults.ts): no bytes -> NoAnswer; wrong length or terminator (this catches
 * all-0xFF and stuck lines: six equal bytes cannot end in CR and pass the XOR) or an impossible
 * concentration -> Garbage; (00 00 00 00 00 0D is a valid 0.00 %vol reading, so equal bytes alone prove
 * nothing here); CRC mismatch -> Checksum; the warm-up bit appearing after the
 * module had finished warming up -> Reset (once; the module has no settings the driver writes, so nothing
 * to re-configure); warm-up, signal too low, firmware failure or technological failure bits, or C1 holding
 * a status code (0x8001..0x8003) -> ChipStatus. The other status bits (noise, dynamic temperature, zero
 * drift, request rate) degrade the metrology but do not hide gas: the reading is returned with them in
 * `statusFlags` so the runtime can report them.
 */
import { DriverError, SensorFault, type SensorFaultCode } from "./faults.js";

const BAUD = 9600;
/** `DATAE2` CR (manual table 11). */
const REQUEST = Object.freeze([0x44, 0x41, 0x54, 0x41, 0x45, 0x32, 0x0d]);
const REPLY_BYTES = 6;
const CR = 0x0d;

/** Status bits (manual table 12). */
export const MipexFlag = Object.freeze({
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

/** Bits after which the concentration must not be used. */
const INVALIDATING =
  MipexFlag.WarmingUp | MipexFlag.SignalLow | MipexFlag.FirmwareFailure | MipexFlag.TechnologicalFailure;
/** C1 codes that carry a status instead of a concentration (warm-up, zero negative, dynamic zero). */
const C1_STATUS_MIN = -0x7fff; // 0x8001
const C1_STATUS_MAX = -0x7ffd; // 0x8003
const C1_OVER_RANGE = 0x7fff;
/** Lowest plausible reading: a zero drifted below -0.5 %vol is a broken sensor, not air. */
const C1_MIN_PLAUSIBLE = -50;
/** Methane cannot exceed 100 %vol. */
const C1_MAX_PLAUSIBLE = 10_000;

export interface SerialPort {
  read(): number | ArrayBuffer | undefined;
  write(value: number | Uint8Array): void;
  close(): void;
  /** ECMA-419: "number" reads / writes one byte, "buffer" buffers; may change at any time. */
  format: "number" | "buffer";
}

export interface SerialPortClass {
  new (options: {
    baud: number;
    port: number;
    receive?: number;
    transmit?: number;
    format: "number";
    onReadable: (count: number) => void;
  }): SerialPort;
}

export interface Mipex02ConfigureOptions {
  /** Top of the module's measuring range; an over-range answer (0x7FFF) reads as this value. */
  rangePctVol?: number;
}

export interface Mipex02Options {
  sensor: { io: SerialPortClass; port: number; receive?: number; transmit?: number; baud?: number };
  /** Called when a complete reply has arrived (sample() then returns it). */
  onSample?: () => void;
  configure?: Mipex02ConfigureOptions;
}

/** One reading; the object is reused by every `sample()`. */
export interface Mipex02Sample {
  ch4PctVol: number;
  /** The module's status word (MipexFlag bits) that came with this reading. */
  statusFlags: number;
  /** The module reported over range: `ch4PctVol` is the range top, a lower bound. */
  overRange: boolean;
}

export { DriverError };

export class MIPEX02 {
  #serial: SerialPort | undefined;
  readonly #request = Uint8Array.from(REQUEST);
  readonly #rx = new Uint8Array(16);
  #rxCount = 0;
  #rxOverflow = false;
  #requested = false;
  #warmedUp = false;
  #rangePctVol = 100;
  readonly #onSample: (() => void) | undefined;
  readonly #result: Mipex02Sample = { ch4PctVol: 0, statusFlags: 0, overRange: false };
  #fault: SensorFaultCode = SensorFault.None;
  /** Status word of the last well-formed reply (also when it carried a fault). */
  statusFlags = 0;
  resets = 0;

  constructor(options: Mipex02Options) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") {
      throw new DriverError(
        "mipex02-options",
        "MIPEX-02: options.sensor.io must be a Serial class",
        sensor?.io,
      );
    }
    const baud = sensor.baud ?? BAUD;
    if (baud !== BAUD) {
      throw new DriverError("mipex02-baud", `MIPEX-02: the module talks at ${BAUD} baud, got ${baud}`, baud);
    }
    this.#onSample = options.onSample;
    const serial = new sensor.io({
      ...sensor,
      baud,
      format: "number",
      onReadable: (count: number) => this.#onReadable(count),
    });
    this.#serial = serial;
    try {
      this.configure(options.configure ?? {});
    } catch (e) {
      serial.close();
      this.#serial = undefined;
      throw e;
    }
  }

  get fault(): SensorFaultCode {
    return this.#fault;
  }

  configure(options: Mipex02ConfigureOptions): void {
    const range = options.rangePctVol ?? this.#rangePctVol;
    if (!(range > 0 && range <= 100)) {
      throw new DriverError(
        "mipex02-range",
        `MIPEX-02: rangePctVol must be in (0, 100], got ${range}`,
        range,
      );
    }
    this.#rangePctVol = range;
    this.#send();
  }

  /** Decodes the reply to the previous request and sends the next one; undefined with `fault` on failure. */
  sample(): Mipex02Sample | undefined {
    const had = this.#requested;
    const fault = had ? this.#decode() : SensorFault.NoAnswer;
    this.#send();
    if (fault !== SensorFault.None) {
      this.#fault = fault;
      return undefined;
    }
    this.#fault = SensorFault.None;
    return this.#result;
  }

  close(): void {
    this.#serial?.close();
    this.#serial = undefined;
  }

  #send(): void {
    const serial = this.#serial;
    if (!serial) throw new DriverError("mipex02-closed", "MIPEX-02: driver is closed", undefined);
    this.#rxCount = 0;
    this.#rxOverflow = false;
    serial.format = "buffer";
    try {
      serial.write(this.#request);
    } finally {
      serial.format = "number";
    }
    this.#requested = true;
  }

  #onReadable(count: number): void {
    const serial = this.#serial;
    if (!serial) return;
    for (let i = 0; i < count; i++) {
      const b = serial.read();
      if (typeof b !== "number") break;
      if (this.#rxCount < this.#rx.length) this.#rx[this.#rxCount++] = b;
      else this.#rxOverflow = true;
    }
    if (this.#rxCount === REPLY_BYTES && this.#rx[REPLY_BYTES - 1] === CR) this.#onSample?.();
  }

  #decode(): SensorFaultCode {
    const r = this.#rx;
    const n = this.#rxCount;
    if (n === 0) return SensorFault.NoAnswer;
    if (this.#rxOverflow || n !== REPLY_BYTES || r[5] !== CR) return SensorFault.Garbage;
    const b0 = r[0] as number;
    const b1 = r[1] as number;
    const b2 = r[2] as number;
    const b3 = r[3] as number;
    if ((b0 ^ b1 ^ b2 ^ b3) !== r[4]) return SensorFault.Checksum;
    const status = (b2 << 8) | b3;
    const raw = (b0 << 8) | b1;
    const c1 = raw >= 0x8000 ? raw - 0x10000 : raw;
    this.statusFlags = status;
    if ((status & MipexFlag.WarmingUp) !== 0) {
      if (this.#warmedUp) {
        // Warm-up after normal operation: the module restarted (supply dip, watchdog).
        this.#warmedUp = false;
        this.resets++;
        return SensorFault.Reset;
      }
      return SensorFault.ChipStatus;
    }
    this.#warmedUp = true;
    if ((status & INVALIDATING) !== 0 || (c1 >= C1_STATUS_MIN && c1 <= C1_STATUS_MAX))
      return SensorFault.ChipStatus;
    const res = this.#result;
    if (c1 === C1_OVER_RANGE) {
      res.ch4PctVol = this.#rangePctVol;
      res.overRange = true;
    } else {
      if (c1 < C1_MIN_PLAUSIBLE || c1 > C1_MAX_PLAUSIBLE) return SensorFault.Garbage;
      res.ch4PctVol = c1 / 100;
      res.overRange = false;
    }
    res.statusFlags = status;
    return SensorFault.None;
  }
}

export default MIPEX02;
