/**
 * Opens the node variant's sensors from a device provider (Moddable's `device` on the board, host-sim's
 * makeDevice in the simulator) and wraps them in runtime ports. One function for both homes, so the
 * simulator builds exactly the drivers the board builds.
 *
 * Variants: "gas" = MIPEX-02 CH4 on the default UART + ADS1115 (CO, O2, H2S cells) on the default I2C bus;
 * "vibration" = ADXL355 on the default SPI bus (chip select `pin.accelSelect`); "combo" = both.
 */

import { deepFreeze } from "../../../protocol/freeze.js";
import { Channel } from "../../../protocol/schema.js";
import { ADS1115, type ChannelOptions, type I2CBusClass, Mux } from "../../drivers/ads1115.js";
import { ADXL355, type SpiSensorOptions } from "../../drivers/adxl355.js";
import { type AnalogClass, BatteryVoltage } from "../../drivers/battery.js";
import { MIPEX02, type SerialPortClass } from "../../drivers/mipex02.js";
import { RuntimeError } from "./errors.js";
import { type AccelPort, Ads1115Port, Adxl355Port, type GasPort, Mipex02Port } from "./sensors.js";

export type Variant = "gas" | "vibration" | "combo";
export const VARIANTS: readonly Variant[] = ["gas", "vibration", "combo"];

export interface SensorDevice {
  I2C: { default: { io: I2CBusClass; port?: number; data?: number; clock?: number } };
  SPI: { default: Omit<SpiSensorOptions, "select"> };
  Serial: { default: { io: SerialPortClass; port: number; receive?: number; transmit?: number } };
  pin: { accelSelect?: number; [name: string]: number | undefined };
}

/**
 * Analog front ends of the electrochemical cells on ADS1115 AIN0..AIN2 (CO, O2, H2S), volts at zero and at
 * a span gas. DEFAULT values for the reference front end (a transimpedance stage scaled so the sensor's full
 * range lands below 2.048 V, the PGA range used): provisioning replaces them with the bench calibration.
 */
export const DEFAULT_CELL_FRONT_ENDS: readonly ChannelOptions[] = Object.freeze([
  { mux: Mux.AIN0, fullScaleVolts: 2.048, calibration: { zeroVolts: 0, spanVolts: 1, spanValue: 500 } },
  { mux: Mux.AIN1, fullScaleVolts: 2.048, calibration: { zeroVolts: 0, spanVolts: 1, spanValue: 25 } },
  { mux: Mux.AIN2, fullScaleVolts: 2.048, calibration: { zeroVolts: 0, spanVolts: 1, spanValue: 100 } },
]);
/** Protocol channel of each front end above. */
export const CELL_CHANNELS: readonly number[] = Object.freeze([Channel.Co, Channel.O2, Channel.H2s]);

export interface SensorWiring {
  variant: Variant;
  /** ADXL355 output data rate, Hz (default 1000; the detector runs at this rate). */
  odrHz?: number;
  cellFrontEnds?: readonly ChannelOptions[];
}

export interface OpenedSensors {
  gasPorts: GasPort[];
  accel: AccelPort | undefined;
  close(): void;
}

export function openSensors(device: SensorDevice, wiring: SensorWiring): OpenedSensors {
  if (!VARIANTS.includes(wiring.variant)) {
    throw new RuntimeError(
      "bad-option",
      `variant must be one of ${VARIANTS.join(", ")}, got ${wiring.variant}`,
      wiring.variant,
    );
  }
  const gasPorts: GasPort[] = [];
  let accel: AccelPort | undefined;
  const close = (): void => {
    for (const p of gasPorts) p.close();
    accel?.close();
  };
  try {
    if (wiring.variant !== "vibration") {
      gasPorts.push(new Mipex02Port(new MIPEX02({ sensor: { ...device.Serial.default } })));
      const adc = new ADS1115({
        sensor: { ...device.I2C.default },
        configure: {
          channels: (wiring.cellFrontEnds ?? DEFAULT_CELL_FRONT_ENDS).slice(),
          mode: "single",
          dataRateSps: 128,
        },
      });
      gasPorts.push(new Ads1115Port(adc, CELL_CHANNELS));
    }
    if (wiring.variant !== "gas") {
      const select = device.pin.accelSelect;
      if (select === undefined)
        throw new RuntimeError("bad-option", "device.pin.accelSelect is not defined", select);
      accel = new Adxl355Port(
        new ADXL355({
          sensor: { ...device.SPI.default, select },
          odrHz: wiring.odrHz ?? 1000,
          fifoWatermark: 16,
        }),
      );
    }
  } catch (e) {
    close();
    throw e;
  }
  return { gasPorts, accel, close };
}

/** The battery sense input from the manifest's config: `"battery": { "pin": 35, "dividerRatio": 2 }`. */
export interface BatteryWiring {
  /** ADC pin (on the ESP32 an ADC1 GPIO, 32..39). */
  pin: number;
  /** (R_top + R_bottom) / R_bottom of the divider in front of the pin. */
  dividerRatio: number;
  /** Low-battery status bit below this, mV (default runtime/health.ts DEFAULT_BATTERY_LOW_MV). */
  lowMv?: number;
}

/**
 * Opens the battery ADC (firmware/drivers/battery.ts) when the manifest names one; undefined when it does
 * not (the node then reports 0 mV, "unknown", and status bit 21). A manifest that names one on a board with
 * no Analog class is refused, naming the pin.
 */
export function openBattery(Analog: AnalogClass | undefined, wiring: BatteryWiring | undefined) {
  if (!wiring) return undefined;
  if (typeof Analog !== "function")
    throw new RuntimeError(
      "bad-option",
      "manifest config battery needs embedded:io/analog on the board",
      wiring.pin,
    );
  return new BatteryVoltage({
    sensor: { io: Analog, pin: wiring.pin },
    configure: { dividerRatio: wiring.dividerRatio },
  });
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(DEFAULT_CELL_FRONT_ENDS);
deepFreeze(VARIANTS);
