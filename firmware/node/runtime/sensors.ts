/**
 * The runtime's view of the sensors: small ports over the drivers (firmware/drivers), so the scheduler and
 * the pipelines do not depend on one chip's calling pattern. Each adapter is a few lines; none allocates in
 * `poll()`. The drivers are built by firmware/main.ts (board) or host-sim/node (simulator) from the device
 * provider, so the driver code that ships is the code the simulator runs.
 */

import { Channel } from "../../../protocol/schema.js";
import type { ADS1115 } from "../../drivers/ads1115.js";
import type { ADXL355 } from "../../drivers/adxl355.js";
import { SensorFault } from "../../drivers/faults.js";
import type { MIPEX02 } from "../../drivers/mipex02.js";
import type { GasName } from "../../sensing/gas/index.js";

/** Gas name of each protocol channel 0..3. */
export const CHANNEL_GAS: readonly GasName[] = Object.freeze(["ch4", "co", "o2", "h2s"] as GasName[]);

/** A sensor that gives gas readings, one channel per poll. */
export interface GasPort {
  /** Protocol channels (Channel.Ch4...) this port reads. */
  readonly channels: readonly number[];
  /** How often to poll, ms (the driver's conversion time and the chip's own rate limit set it). */
  readonly pollMs: number;
  /**
   * Reads once. Returns the protocol channel whose reading is now in `value` (in the gas's unit: %vol for
   * CH4 and O2, ppm for CO and H2S), or -1 when the sensor gave nothing (its code is then in `fault`).
   */
  poll(): number;
  value: number;
  /** SensorFault code of the last poll (0 = none). */
  fault: number;
  close(): void;
}

/** A 3-axis accelerometer read in FIFO blocks. */
export interface AccelPort {
  readonly odrHz: number;
  readonly pollMs: number;
  /** x y z interleaved, m/s^2; `poll()` fills 3 x count values. */
  readonly accelMPerS2: Float64Array;
  /** Reads the FIFO: number of x/y/z sets, or -1 with `fault` set. */
  poll(): number;
  fault: number;
  close(): void;
}

/**
 * MIPEX-02 NDIR methane: 1 Hz at most (the module updates every 1.28 s and flags faster requests, manual
 * ESAT.413347.005 table 12 bit 8), so one poll a second.
 */
export class Mipex02Port implements GasPort {
  readonly channels: readonly number[] = [Channel.Ch4];
  readonly pollMs = 1000;
  value = Number.NaN;
  fault = 0;
  #driver: MIPEX02;

  constructor(driver: MIPEX02) {
    this.#driver = driver;
  }

  poll(): number {
    const s = this.#driver.sample();
    if (s === undefined) {
      this.fault = this.#driver.fault;
      return -1;
    }
    this.fault = SensorFault.None;
    this.value = s.ch4PctVol;
    return Channel.Ch4;
  }

  close(): void {
    this.#driver.close();
  }
}

/**
 * ADS1115 reading electrochemical cells in single-shot round robin: each poll returns the conversion started
 * by the previous one (firmware/drivers/ads1115.ts), so each channel is read once per `cyclePeriodMs`.
 * `channels[i]` is the protocol channel of the driver's configured channel i.
 */
export class Ads1115Port implements GasPort {
  readonly channels: readonly number[];
  readonly pollMs: number;
  value = Number.NaN;
  fault = 0;
  #driver: ADS1115;

  constructor(driver: ADS1115, channels: readonly number[], cyclePeriodMs = 1000) {
    this.#driver = driver;
    this.channels = channels;
    // Never faster than one conversion (SBAS444 8.3.6: single shot takes 1 / DR).
    this.pollMs = Math.max(driver.conversionMs * 2, cyclePeriodMs / channels.length);
  }

  poll(): number {
    const s = this.#driver.sample();
    if (s === undefined) {
      this.fault = this.#driver.fault;
      return -1;
    }
    this.fault = SensorFault.None;
    this.value = s.value;
    return this.channels[s.channel] ?? -1;
  }

  close(): void {
    this.#driver.close();
  }
}

/** ADXL355: polled at half the time its FIFO takes to fill (32 sets, datasheet FIFO_SAMPLES), so no overrun. */
export class Adxl355Port implements AccelPort {
  readonly odrHz: number;
  readonly pollMs: number;
  readonly accelMPerS2: Float64Array;
  fault = 0;
  #driver: ADXL355;

  constructor(driver: ADXL355) {
    this.#driver = driver;
    this.odrHz = driver.config.odrHz;
    this.accelMPerS2 = driver.accelMPerS2;
    this.pollMs = Math.max(1, Math.floor((16 * 1000) / this.odrHz));
  }

  poll(): number {
    const n = this.#driver.sample();
    if (n === undefined) {
      this.fault = this.#driver.fault;
      return -1;
    }
    this.fault = SensorFault.None;
    return n;
  }

  close(): void {
    this.#driver.close();
  }
}
