/**
 * Register-level model of the TI ADS1115 16-bit delta-sigma ADC (datasheet SBAS444D, section 8 "Detailed
 * Description", 8.5 "Programming", 8.6 "Register Map"), attached to a SimBoard I2C bus.
 *
 * Modelled: the address pointer register and the four 16-bit registers (conversion, config, Lo_thresh,
 * Hi_thresh) written / read MSB first (8.5.3, 8.5.4); config power-on default 0x8583 and thresholds 0x8000 /
 * 0x7FFF (8.6); the input multiplexer (8 choices), the PGA full-scale ranges, single-shot (OS bit starts a
 * conversion, reads 0 while converting) and continuous mode, the data rate (a conversion takes 1/DR, 8.3.6),
 * two's-complement codes with LSB = FSR / 2^15 clipped at 0x7FFF / 0x8000 (8.3.3), and the ALERT/RDY pin in
 * conversion-ready mode (Hi_thresh MSB = 1, Lo_thresh MSB = 0, COMP_QUE != 11; 8.3.8): active low at the end
 * of a single-shot conversion, an 8 us pulse per conversion in continuous mode, released when a new
 * single-shot conversion starts.
 * Not modelled: the window / traditional comparator, latching, the I2C general-call reset, noise and offset
 * (the value source is the input voltage exactly), the data-rate tolerance (+-10 %), and the settling of the
 * digital filter after a multiplexer change (8.3.6): the first conversion after a change is already settled.
 *
 * Time: conversions complete on the board's virtual clock. Completion is evaluated when the driver reads, so
 * the model schedules no event (and allocates nothing) unless an ALERT/RDY pin is wired.
 *
 * Inputs: one value source per AINx pin, `(tMs) => volts` against GND, so recordings drive the model. The
 * value is taken at the end of the conversion.
 *
 * Faults (issue 4): NACK, stuck bytes, all-0xFF via `inject()`; `powerGlitch()` resets every register to its
 * power-on default, as a brown-out does.
 */
import type { I2CTarget, SimBoard } from "../board.js";
import { applyI2CReadFault, type I2CFault } from "../io/i2c.js";

export type VoltageSource = (tMs: number) => number;

export const ADS1115_DEFAULT_CONFIG = 0x8583;
export const ADS1115_DEFAULT_LO_THRESH = 0x8000;
export const ADS1115_DEFAULT_HI_THRESH = 0x7fff;

/** Full-scale range in volts by PGA[2:0] (SBAS444 table 8-3). */
const FSR_V = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];
/** Samples per second by DR[2:0] (SBAS444 table 8-8). */
const DR_SPS = [8, 16, 32, 64, 128, 250, 475, 860];
/** MUX[2:0] -> [positive input, negative input]; -1 is GND (SBAS444 8.6.3, config bits 14:12). */
const MUX_POS = [0, 0, 1, 2, 0, 1, 2, 3];
const MUX_NEG = [1, 3, 3, 3, -1, -1, -1, -1];

const RDY_PULSE_MS = 0.008;

export interface Ads1115ModelOptions {
  port?: number;
  /** 0x48..0x4B by the ADDR pin (SBAS444 table 8-2). */
  address?: number;
  /** AIN0..AIN3 volts against GND; a missing source reads 0 V. */
  inputs: (VoltageSource | undefined)[];
  /** Board pin the ALERT/RDY output drives, if wired. */
  alertPin?: number;
}

export class Ads1115Model implements I2CTarget {
  readonly address: number;
  readonly #board: SimBoard;
  readonly #inputs: (VoltageSource | undefined)[];
  readonly #alertPin: number | undefined;
  #pointer = 0;
  #config = ADS1115_DEFAULT_CONFIG;
  #lo = ADS1115_DEFAULT_LO_THRESH;
  #hi = ADS1115_DEFAULT_HI_THRESH;
  #conversion = 0;
  /** Single shot: end time of the conversion in progress (NaN when idle). Continuous: start of the run. */
  #busyUntilMs = Number.NaN;
  #continuousSinceMs = Number.NaN;
  #lastContinuousIndex = -1;
  #fault: I2CFault | undefined;
  #pinTimer: number | undefined;
  /** Every register write the model accepted, for tests asserting bus traffic: [pointer, value]. */
  readonly writes: [number, number][] = [];
  recordWrites = false;
  /** Conversions started (single shot) or completed (continuous, counted when read). */
  conversions = 0;

  constructor(board: SimBoard, options: Ads1115ModelOptions) {
    const address = options.address ?? 0x48;
    if (address < 0x48 || address > 0x4b) {
      throw new RangeError(`ADS1115 model: address must be 0x48..0x4B, got 0x${address.toString(16)}`);
    }
    this.address = address;
    this.#board = board;
    this.#inputs = options.inputs;
    this.#alertPin = options.alertPin;
    board.attachI2C(options.port ?? 0, address, this);
    if (this.#alertPin !== undefined) board.pin(this.#alertPin).drive(1);
  }

  /** Injects a bus fault (undefined clears it). */
  inject(fault: I2CFault | undefined): void {
    this.#fault = fault;
  }

  /** Brown-out: every register back at its power-on default, conversion lost. */
  powerGlitch(): void {
    this.#config = ADS1115_DEFAULT_CONFIG;
    this.#lo = ADS1115_DEFAULT_LO_THRESH;
    this.#hi = ADS1115_DEFAULT_HI_THRESH;
    this.#pointer = 0;
    this.#conversion = 0;
    this.#busyUntilMs = Number.NaN;
    this.#continuousSinceMs = Number.NaN;
    this.#cancelPin();
    if (this.#alertPin !== undefined) this.#board.pin(this.#alertPin).drive(1);
  }

  get config(): number {
    return this.#config;
  }

  write(bytes: Uint8Array, _stop: boolean): boolean {
    if (this.#fault) return this.#fault.kind !== "nack";
    if (bytes.length === 0) return true;
    const pointer = (bytes[0] as number) & 0x03;
    this.#pointer = pointer;
    if (bytes.length >= 3) {
      const value = (((bytes[1] as number) << 8) | (bytes[2] as number)) & 0xffff;
      if (this.recordWrites) this.writes.push([pointer, value]);
      if (pointer === 1) this.#writeConfig(value);
      else if (pointer === 2) this.#lo = value;
      else if (pointer === 3) this.#hi = value;
      // The conversion register is read-only (SBAS444 8.6.2): writes are acknowledged and ignored.
    }
    return true;
  }

  read(into: Uint8Array, _stop: boolean): boolean {
    if (!this.#fault) {
      const value = this.#registerValue(this.#pointer);
      // The register's two bytes, MSB first; further bytes repeat them (the ADS1115 keeps the pointer).
      for (let i = 0; i < into.length; i++) into[i] = i % 2 === 0 ? value >> 8 : value & 0xff;
    }
    return applyI2CReadFault(this.#fault, into);
  }

  #registerValue(pointer: number): number {
    this.#update();
    if (pointer === 0) return this.#conversion & 0xffff;
    if (pointer === 1) {
      // OS reads 1 when the device is not converting (single shot); in continuous mode it reads 0 (8.6.3).
      const single = (this.#config & 0x0100) !== 0;
      const busy = single ? !Number.isNaN(this.#busyUntilMs) : true;
      return (this.#config & 0x7fff) | (busy ? 0 : 0x8000);
    }
    return pointer === 2 ? this.#lo : this.#hi;
  }

  #writeConfig(value: number): void {
    this.#update();
    const now = this.#board.clock.now();
    this.#config = value & 0x7fff; // OS is a command bit, stored as "not converting"
    const single = (value & 0x0100) !== 0;
    if (single) {
      this.#continuousSinceMs = Number.NaN;
      if ((value & 0x8000) !== 0 && Number.isNaN(this.#busyUntilMs)) {
        this.#busyUntilMs = now + this.#conversionMs();
        this.conversions++;
        // Guarded here, not inside: XS allocates #armPin's closure scope on every call, even an early return.
        if (this.#alertPin !== undefined) this.#armPin(this.#busyUntilMs, "single");
      }
    } else {
      // Continuous: (re)start conversions now; writing the config restarts the conversion cycle.
      this.#busyUntilMs = Number.NaN;
      this.#continuousSinceMs = now;
      this.#lastContinuousIndex = -1;
      if (this.#alertPin !== undefined) this.#armPin(now + this.#conversionMs(), "continuous");
    }
  }

  /** Brings the conversion register up to the current virtual time. */
  #update(): void {
    const now = this.#board.clock.now();
    if (!Number.isNaN(this.#busyUntilMs) && now >= this.#busyUntilMs) {
      this.#conversion = this.#convert(this.#busyUntilMs);
      this.#busyUntilMs = Number.NaN;
    }
    if (!Number.isNaN(this.#continuousSinceMs)) {
      const period = this.#conversionMs();
      const index = Math.floor((now - this.#continuousSinceMs) / period);
      if (index >= 1 && index !== this.#lastContinuousIndex) {
        this.#lastContinuousIndex = index;
        this.#conversion = this.#convert(this.#continuousSinceMs + index * period);
        this.conversions++;
      }
    }
  }

  #conversionMs(): number {
    return 1000 / (DR_SPS[(this.#config >> 5) & 0x07] as number);
  }

  #convert(atMs: number): number {
    const mux = (this.#config >> 12) & 0x07;
    const fsr = FSR_V[(this.#config >> 9) & 0x07] as number;
    const pos = this.#volts(MUX_POS[mux] as number, atMs);
    const negIndex = MUX_NEG[mux] as number;
    const neg = negIndex < 0 ? 0 : this.#volts(negIndex, atMs);
    const code = Math.round(((pos - neg) / fsr) * 32768);
    const clipped = code > 0x7fff ? 0x7fff : Math.max(code, -0x8000);
    return clipped & 0xffff;
  }

  #volts(input: number, atMs: number): number {
    const src = this.#inputs[input];
    return src ? src(atMs) : 0;
  }

  /** ALERT/RDY in conversion-ready mode (SBAS444 8.3.8): Hi_thresh MSB 1, Lo_thresh MSB 0, COMP_QUE != 11. */
  #rdyMode(): boolean {
    return (this.#hi & 0x8000) !== 0 && (this.#lo & 0x8000) === 0 && (this.#config & 0x0003) !== 0x0003;
  }

  #armPin(atMs: number, mode: "single" | "continuous"): void {
    if (this.#alertPin === undefined) return;
    this.#cancelPin();
    const pin = this.#board.pin(this.#alertPin);
    const activeLow = (this.#config & 0x0008) === 0;
    const idle = activeLow ? 1 : 0;
    const active = activeLow ? 0 : 1;
    pin.drive(idle);
    if (!this.#rdyMode()) return;
    const clock = this.#board.clock;
    if (mode === "single") {
      this.#pinTimer = clock.at(atMs, () => {
        this.#pinTimer = undefined;
        pin.drive(active);
      });
      return;
    }
    const period = this.#conversionMs();
    const pulse = (): void => {
      pin.drive(active);
      clock.setTimer(() => pin.drive(idle), RDY_PULSE_MS);
    };
    this.#pinTimer = clock.setTimer(pulse, Math.max(0, atMs - clock.now()), period);
  }

  #cancelPin(): void {
    if (this.#pinTimer !== undefined) this.#board.clock.clearTimer(this.#pinTimer);
    this.#pinTimer = undefined;
  }
}
