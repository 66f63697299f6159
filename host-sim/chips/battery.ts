/**
 * The node's battery as the ADC sees it: a cell voltage (a function of virtual time) behind a resistor
 * divider on an ADC pin, and the simulator's ECMA-419 Analog class (`embedded:io/analog`) that reads it the
 * way Moddable's ESP32 implementation does (modules/io/analog/esp32/analog.c): ADC1 pins only (GPIO 32..39;
 * any other pin throws "not analog pin"), 10-bit resolution, read() = floor(pin mV * 1023 / 3300) of the
 * calibrated pin voltage, clamped to the range. So firmware/drivers/battery.ts runs here as on the board.
 * No Node APIs: bundled for XS.
 */
import type { SimBoard } from "../board.js";
import { claimPin, IoError, releasePin } from "../io/spi.js";

/** GPIOs of the ESP32's ADC1 channels 0..7 (analog.c gADCMap). */
export const ESP32_ADC1_PINS: readonly number[] = Object.freeze([36, 37, 38, 39, 32, 33, 34, 35]);
export const ESP32_ANALOG_RESOLUTION = 10;
export const ESP32_ANALOG_FULL_SCALE_MV = 3300;
/** The simulated DevKit node's battery sense pin: ADC1_CH7, free of DEFAULT_PINS and the interlock's. */
export const SIM_BATTERY_PIN = 35;
/** DEFAULT divider of the reference board: 100k over 100k. */
export const SIM_BATTERY_DIVIDER = 2;

/** Pin voltage sources, mV at a virtual time, per board. */
const sources = new WeakMap<SimBoard, Map<number, (tMs: number) => number>>();

export function attachAnalogSource(board: SimBoard, pin: number, pinMv: (tMs: number) => number): void {
  let m = sources.get(board);
  if (!m) {
    m = new Map();
    sources.set(board, m);
  }
  if (m.has(pin)) throw new IoError("in-use", `analog source: pin ${pin} already has one`, pin);
  m.set(pin, pinMv);
}

export interface HostAnalog {
  read(): number;
  readonly resolution: number;
  readonly format: "number";
  close(): void;
}

export type HostAnalogClass = new (options: { pin: number }) => HostAnalog;

export function makeAnalog(board: SimBoard): HostAnalogClass {
  return class Analog implements HostAnalog {
    readonly #pin: number;
    #closed = false;
    readonly format = "number";

    constructor(options: { pin: number }) {
      const pin = options?.pin;
      if (!ESP32_ADC1_PINS.includes(pin))
        throw new IoError(
          "bad-option",
          `Analog: pin ${String(pin)} is not an ADC1 pin (not analog pin)`,
          pin,
        );
      claimPin(board, pin, "Analog");
      this.#pin = pin;
    }

    get resolution(): number {
      return ESP32_ANALOG_RESOLUTION;
    }

    read(): number {
      if (this.#closed) throw new IoError("closed", `Analog: pin ${this.#pin} is closed`, this.#pin);
      const source = sources.get(board)?.get(this.#pin);
      // An unconnected ADC1 input reads near 0 (no divider, no source).
      const mv = source ? source(board.clock.now()) : 0;
      const clamped = Math.min(Math.max(mv, 0), ESP32_ANALOG_FULL_SCALE_MV);
      return Math.floor((clamped * ((1 << ESP32_ANALOG_RESOLUTION) - 1)) / ESP32_ANALOG_FULL_SCALE_MV);
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      releasePin(board, this.#pin);
    }
  };
}

export interface BatteryModelOptions {
  pin?: number;
  dividerRatio?: number;
  /** Cell voltage at a virtual time, mV. */
  cellMv: (tMs: number) => number;
}

/** A battery behind a divider on an ADC pin of the board. */
export class BatteryModel {
  readonly pin: number;
  readonly dividerRatio: number;
  readonly cellMv: (tMs: number) => number;

  constructor(board: SimBoard, o: BatteryModelOptions) {
    this.pin = o.pin ?? SIM_BATTERY_PIN;
    this.dividerRatio = o.dividerRatio ?? SIM_BATTERY_DIVIDER;
    this.cellMv = o.cellMv;
    attachAnalogSource(board, this.pin, (t) => this.cellMv(t) / this.dividerRatio);
  }
}
