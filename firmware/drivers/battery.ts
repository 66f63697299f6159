/**
 * Battery voltage through a resistor divider into an ADC pin, read with ECMA-419 `embedded:io/analog`
 * (ECMA-419 2nd ed. section 10.2: `new Analog({ pin })`, `read()` an integer 0 .. 2^resolution - 1,
 * `resolution` in bits). One file, the sensor class pattern: constructor (opens the pin, closes it again if
 * anything fails), configure, sample, close.
 *
 * Scale: Moddable's ESP32 Analog (modules/io/analog/esp32/analog.c) reads ADC1 at 11 dB attenuation,
 * converts with the eFuse calibration (esp_adc_cal_raw_to_voltage) and returns millivolts * (2^res - 1) /
 * 3300, res = 10 on the ESP32: so the pin voltage is read * 3300 / (2^res - 1) mV whatever the chip's raw
 * curve. Only ADC1 pins (GPIO 32..39) are analog there. The battery is the pin voltage times the divider
 * ratio (R_top + R_bottom) / R_bottom, from the manifest's config (a 100k / 100k divider: 2, so a 4.2 V
 * Li-ion cell reads 2.1 V at the pin, inside the 11 dB range's accurate span).
 * sample() allocates nothing.
 */
import { DriverError, SensorFault, type SensorFaultCode } from "./faults.js";

/** Moddable's ESP32 Analog: `read()` = pin millivolts * (2^resolution - 1) / this (analog.c). */
export const MODDABLE_ESP32_FULL_SCALE_MV = 3300;

export interface AnalogInput {
  read(): number;
  readonly resolution: number;
  close(): void;
}

export type AnalogClass = new (options: { pin: number }) => AnalogInput;

export interface BatteryConfigureOptions {
  /** (R_top + R_bottom) / R_bottom of the divider in front of the pin, >= 1. */
  dividerRatio?: number;
  /** Pin millivolts at full code (default MODDABLE_ESP32_FULL_SCALE_MV). */
  fullScaleMv?: number;
}

export interface BatteryOptions {
  sensor: { io: AnalogClass; pin: number };
  configure: BatteryConfigureOptions;
}

export interface BatterySample {
  batteryMv: number;
}

export class BatteryVoltage {
  #pin: AnalogInput | undefined;
  #dividerRatio = Number.NaN;
  #fullScaleMv = MODDABLE_ESP32_FULL_SCALE_MV;
  #maxCode = 0;
  #result: BatterySample = { batteryMv: 0 };
  #fault: SensorFaultCode = SensorFault.None;

  constructor(options: BatteryOptions) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function")
      throw new DriverError(
        "battery-options",
        "battery: options.sensor.io must be an Analog class",
        sensor?.io,
      );
    const pin = new sensor.io({ pin: sensor.pin });
    this.#pin = pin;
    try {
      const res = pin.resolution;
      if (!(Number.isInteger(res) && res >= 1 && res <= 24))
        throw new DriverError(
          "battery-resolution",
          `battery: ADC resolution must be 1..24 bits, got ${res}`,
          res,
        );
      this.#maxCode = 2 ** res - 1;
      this.configure(options.configure ?? {});
    } catch (e) {
      pin.close();
      this.#pin = undefined;
      throw e;
    }
  }

  get fault(): SensorFaultCode {
    return this.#fault;
  }

  configure(options: BatteryConfigureOptions): void {
    const ratio = options.dividerRatio ?? this.#dividerRatio;
    if (!(ratio >= 1 && ratio <= 100))
      throw new DriverError(
        "battery-divider",
        `battery: dividerRatio must be in 1..100, got ${ratio}`,
        ratio,
      );
    const fullScale = options.fullScaleMv ?? this.#fullScaleMv;
    if (!(fullScale > 0 && fullScale <= 10_000))
      throw new DriverError(
        "battery-full-scale",
        `battery: fullScaleMv must be in (0, 10000], got ${fullScale}`,
        fullScale,
      );
    this.#dividerRatio = ratio;
    this.#fullScaleMv = fullScale;
  }

  /** The battery voltage now; undefined with `fault` Garbage when the code is outside the ADC's range. */
  sample(): BatterySample | undefined {
    const pin = this.#pin;
    if (!pin) throw new DriverError("battery-closed", "battery: driver is closed", undefined);
    const code = pin.read();
    if (!(code >= 0 && code <= this.#maxCode)) {
      this.#fault = SensorFault.Garbage;
      return undefined;
    }
    this.#fault = SensorFault.None;
    this.#result.batteryMv = ((code * this.#fullScaleMv) / this.#maxCode) * this.#dividerRatio;
    return this.#result;
  }

  close(): void {
    this.#pin?.close();
    this.#pin = undefined;
  }
}
