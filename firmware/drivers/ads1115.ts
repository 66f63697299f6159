/**
 * TI ADS1115 16-bit ADC on I2C (datasheet SBAS444D), reading the analog front ends of electrochemical CO,
 * H2S and O2 cells. ECMA-419 sensor class pattern: `new ADS1115({ sensor: { ...device.I2C.default, io: I2C },
 * alert?: { io: Digital, pin }, onSample? })`, `configure({ channels, dataRateSps, mode })`, `sample()`,
 * `close()`.
 *
 * Non-blocking: Moddable's Timer.delay would stall the node, so `sample()` returns the conversion started by
 * the previous call and starts the next one (single shot, channels in round robin), or reads the running
 * conversion (continuous, one channel). Call it no faster than `conversionMs`. With the ALERT/RDY pin wired,
 * the driver puts the comparator in conversion-ready mode (SBAS444 8.3.8: Hi_thresh MSB = 1, Lo_thresh MSB =
 * 0, COMP_QUE != 11) and calls `onSample` at each conversion end, so the runtime can sample on the edge.
 *
 * Identity: the ADS1115 has no identity register, so the constructor writes a pattern into Lo_thresh and Hi_thresh
 * and reads it back (the thresholds are plain 16-bit read/write registers, 8.6.4): a missing chip NACKs, a
 * different chip or a broken bus reads back something else.
 *
 * Faults (firmware/drivers/faults.ts), checked on every `sample()` by reading the config register back:
 * NACK -> NoAnswer; a config back at its power-on default 0x8583 -> Reset (the driver re-configures);
 * any other unexpected config (all 0xFF, stuck bytes) -> Garbage; a single-shot conversion still running on
 * two calls in a row -> NoAnswer. The config the driver writes always has COMP_QUE = 00, so it can never be
 * mistaken for the default (COMP_QUE = 11).
 *
 * Nothing is allocated in `sample()`: byte buffers, the per-channel tables and the result object are made
 * once in `configure()`.
 */
import { DriverError, SensorFault, type SensorFaultCode } from "./faults.js";

/** Register pointer values (SBAS444 8.6.1). */
const Register = Object.freeze({ Conversion: 0, Config: 1, LoThresh: 2, HiThresh: 3 });

/** Config register fields (SBAS444 8.6.3). */
const Config = Object.freeze({
  OsStart: 0x8000,
  MuxShift: 12,
  PgaShift: 9,
  ModeSingleShot: 0x0100,
  DrShift: 5,
  /** COMP_MODE 0 traditional, COMP_POL 0 active low, COMP_LAT 0, COMP_QUE 00 assert after one conversion. */
  ComparatorRdy: 0x0000,
  PowerOnDefault: 0x8583,
});

/** Thresholds for conversion-ready mode (8.3.8), and the identity pattern (any value with Lo MSB 0). */
const RDY_LO_THRESH = 0x0000;
const RDY_HI_THRESH = 0x8000;
const IDENTITY_LO = 0x5ac3;
const IDENTITY_HI = 0xa53c;

/** Input multiplexer settings (MUX[2:0], 8.6.3): differential pairs, then single-ended against GND. */
export const Mux = Object.freeze({
  AIN0_AIN1: 0,
  AIN0_AIN3: 1,
  AIN1_AIN3: 2,
  AIN2_AIN3: 3,
  AIN0: 4,
  AIN1: 5,
  AIN2: 6,
  AIN3: 7,
});

/** PGA full-scale ranges in volts, index = PGA[2:0] (table 8-3). */
export const FULL_SCALE_VOLTS: readonly number[] = Object.freeze([6.144, 4.096, 2.048, 1.024, 0.512, 0.256]);
/** Data rates in samples per second, index = DR[2:0] (table 8-8). */
export const DATA_RATES_SPS: readonly number[] = Object.freeze([8, 16, 32, 64, 128, 250, 475, 860]);

const MAX_CHANNELS = 8;

/**
 * Two-point calibration from provisioning: the front end's output at zero gas and at a span gas, and the
 * span gas concentration in the channel's unit (ppm for CO / H2S, %vol for O2).
 */
export interface Calibration {
  zeroVolts: number;
  spanVolts: number;
  spanValue: number;
}

export interface ChannelOptions {
  mux: number;
  fullScaleVolts: number;
  calibration: Calibration;
}

export interface Ads1115ConfigureOptions {
  channels?: ChannelOptions[];
  dataRateSps?: number;
  mode?: "single" | "continuous";
}

/** The ECMA-419 I2C surface the driver uses. */
export interface I2CBus {
  read(buffer: Uint8Array, stop?: boolean): unknown;
  write(buffer: Uint8Array, stop?: boolean): void;
  close(): void;
}

export interface I2CBusClass {
  new (options: { address: number; hz: number; data?: number; clock?: number; port?: number }): I2CBus;
}

/**
 * The ECMA-419 Digital surface used for ALERT/RDY, typed structurally so that both Moddable's class (mode
 * constants typed `unknown`) and the simulator's (numbers) fit.
 */
export interface DigitalInputClass<Mode = unknown> {
  readonly InputPullUp: Mode;
  readonly Falling: number;
  new (options: { pin: number; mode: Mode; edge: number; onReadable: () => void }): { close(): void };
}

export interface Ads1115Options {
  sensor: { io: I2CBusClass; address?: number; hz?: number; data?: number; clock?: number; port?: number };
  alert?: { io: DigitalInputClass | DigitalInputClass<number>; pin: number };
  /** Called when ALERT/RDY signals a finished conversion (only with `alert`). */
  onSample?: () => void;
  /** Initial configuration; defaults to AIN0 single-ended, +-2.048 V, volts out, 128 SPS, single shot. */
  configure?: Ads1115ConfigureOptions;
}

/** One reading. The object is reused by every `sample()`: copy what you keep. */
export interface Ads1115Sample {
  /** Index into `configure().channels`. */
  channel: number;
  /** Raw two's-complement conversion code. */
  code: number;
  /** Input voltage (differential or against GND). */
  volts: number;
  /** Calibrated gas value in the channel's unit (ppm or %vol). */
  value: number;
  /** The input was at or beyond full scale: `value` is a lower bound, never a reason to stop alarming. */
  saturated: boolean;
}

export { DriverError };

export class ADS1115 {
  #io: I2CBus | undefined;
  #alert: { close(): void } | undefined;
  readonly #cmd1 = new Uint8Array(1);
  readonly #cmd3 = new Uint8Array(3);
  readonly #rx = new Uint8Array(2);
  #configs = new Uint16Array(MAX_CHANNELS);
  #voltsPerCode = new Float64Array(MAX_CHANNELS);
  #zeroVolts = new Float64Array(MAX_CHANNELS);
  #valuePerVolt = new Float64Array(MAX_CHANNELS);
  #channelCount = 0;
  #continuous = false;
  #dataRateSps = 128;
  #inFlight = -1;
  #busyCount = 0;
  #lastOptions: Ads1115ConfigureOptions = {};
  readonly #result: Ads1115Sample = { channel: 0, code: 0, volts: 0, value: 0, saturated: false };
  #fault: SensorFaultCode = SensorFault.None;
  /** Times the driver found the chip reset and re-configured it. */
  resets = 0;

  constructor(options: Ads1115Options) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") {
      throw new DriverError("ads1115-options", "ADS1115: options.sensor.io must be an I2C class", sensor?.io);
    }
    const address = sensor.address ?? 0x48;
    if (address < 0x48 || address > 0x4b) {
      throw new DriverError(
        "ads1115-address",
        `ADS1115: address must be 0x48..0x4B, got ${address}`,
        address,
      );
    }
    const io = new sensor.io({ ...sensor, address, hz: sensor.hz ?? 400_000 });
    this.#io = io;
    try {
      this.#checkIdentity();
      this.configure(options.configure ?? {});
      if (options.alert) {
        // Either shape: the constructor gets back the mode constant the same class defines.
        const Digital = options.alert.io as DigitalInputClass;
        const onSample = options.onSample;
        this.#alert = new Digital({
          pin: options.alert.pin,
          mode: Digital.InputPullUp, // ALERT/RDY is open drain (8.3.8)
          edge: Digital.Falling,
          onReadable: () => onSample?.(),
        });
      }
    } catch (e) {
      io.close();
      this.#io = undefined;
      throw e;
    }
  }

  /** Current sensor fault (SensorFault.None after a good sample). */
  get fault(): SensorFaultCode {
    return this.#fault;
  }

  /** Time one conversion takes at the configured data rate. */
  get conversionMs(): number {
    return 1000 / this.#dataRateSps;
  }

  configure(options: Ads1115ConfigureOptions): void {
    this.#bus();
    const channels = options.channels ??
      this.#lastChannels() ?? [
        { mux: Mux.AIN0, fullScaleVolts: 2.048, calibration: { zeroVolts: 0, spanVolts: 1, spanValue: 1 } },
      ];
    const mode = options.mode ?? this.#lastOptions.mode ?? "single";
    const dataRateSps = options.dataRateSps ?? this.#lastOptions.dataRateSps ?? 128;
    if (mode !== "single" && mode !== "continuous") {
      throw new DriverError(
        "ads1115-mode",
        `ADS1115: mode must be "single" or "continuous", got ${mode}`,
        mode,
      );
    }
    const dr = DATA_RATES_SPS.indexOf(dataRateSps);
    if (dr < 0) {
      throw new DriverError(
        "ads1115-data-rate",
        `ADS1115: dataRateSps must be one of ${DATA_RATES_SPS.join(", ")}, got ${dataRateSps}`,
        dataRateSps,
      );
    }
    if (!Array.isArray(channels) || channels.length < 1 || channels.length > MAX_CHANNELS) {
      throw new DriverError("ads1115-channels", `ADS1115: 1..${MAX_CHANNELS} channels required`, channels);
    }
    if (mode === "continuous" && channels.length !== 1) {
      throw new DriverError(
        "ads1115-channels",
        `ADS1115: continuous mode converts one channel, got ${channels.length}`,
        channels.length,
      );
    }
    channels.forEach((ch, i) => {
      if (!Number.isInteger(ch.mux) || ch.mux < 0 || ch.mux > 7) {
        throw new DriverError("ads1115-mux", `ADS1115: channel ${i} mux must be 0..7, got ${ch.mux}`, ch.mux);
      }
      const pga = FULL_SCALE_VOLTS.indexOf(ch.fullScaleVolts);
      if (pga < 0) {
        throw new DriverError(
          "ads1115-gain",
          `ADS1115: channel ${i} fullScaleVolts must be one of ${FULL_SCALE_VOLTS.join(", ")}, got ${ch.fullScaleVolts}`,
          ch.fullScaleVolts,
        );
      }
      const c = ch.calibration;
      if (
        !c ||
        !Number.isFinite(c.zeroVolts) ||
        !Number.isFinite(c.spanVolts) ||
        !Number.isFinite(c.spanValue) ||
        c.spanVolts === c.zeroVolts
      ) {
        throw new DriverError(
          "ads1115-calibration",
          `ADS1115: channel ${i} calibration needs finite zeroVolts, spanVolts, spanValue with spanVolts != zeroVolts, got ${c ? `${c.zeroVolts}/${c.spanVolts}/${c.spanValue}` : c}`,
          c,
        );
      }
      this.#configs[i] =
        (ch.mux << Config.MuxShift) |
        (pga << Config.PgaShift) |
        (mode === "single" ? Config.ModeSingleShot : 0) |
        (dr << Config.DrShift) |
        Config.ComparatorRdy;
      this.#voltsPerCode[i] = ch.fullScaleVolts / 32768;
      this.#zeroVolts[i] = c.zeroVolts;
      this.#valuePerVolt[i] = c.spanValue / (c.spanVolts - c.zeroVolts);
    });
    this.#channelCount = channels.length;
    this.#continuous = mode === "continuous";
    this.#dataRateSps = dataRateSps;
    this.#lastOptions = {
      channels: channels.map((c) => ({ ...c, calibration: { ...c.calibration } })),
      mode,
      dataRateSps,
    };
    this.#program();
  }

  /**
   * Returns the conversion started by the previous call (or the running one in continuous mode) and starts
   * the next, or undefined with `fault` set.
   */
  sample(): Ads1115Sample | undefined {
    const io = this.#bus();
    let config: number;
    try {
      config = this.#readRegister(io, Register.Config);
    } catch {
      return this.#failed(SensorFault.NoAnswer);
    }
    const expected = this.#configs[this.#continuous ? 0 : Math.max(0, this.#inFlight)] as number;
    if ((config & 0x7fff) !== (expected & 0x7fff) || this.#inFlight < 0) {
      if ((config & 0x7fff) === (Config.PowerOnDefault & 0x7fff)) {
        // Brown-out: the chip lost its setup. Re-program it and say so; this sample is lost.
        this.resets++;
        return this.#restart(SensorFault.Reset);
      }
      if (this.#inFlight < 0) return this.#restart(this.#fault);
      return this.#restart(SensorFault.Garbage);
    }
    if (!this.#continuous && (config & Config.OsStart) === 0) {
      // Still converting: allowed once (the caller was early), a stuck conversion the second time.
      this.#busyCount++;
      if (this.#busyCount >= 2) return this.#failed(SensorFault.NoAnswer);
      return undefined;
    }
    this.#busyCount = 0;
    let raw: number;
    try {
      raw = this.#readRegister(io, Register.Conversion);
    } catch {
      return this.#failed(SensorFault.NoAnswer);
    }
    const channel = this.#continuous ? 0 : this.#inFlight;
    const code = raw >= 0x8000 ? raw - 0x10000 : raw;
    const volts = code * (this.#voltsPerCode[channel] as number);
    const r = this.#result;
    r.channel = channel;
    r.code = code;
    r.volts = volts;
    r.value = (volts - (this.#zeroVolts[channel] as number)) * (this.#valuePerVolt[channel] as number);
    r.saturated = code === 0x7fff || code === -0x8000;
    if (!this.#continuous) {
      try {
        this.#start((channel + 1) % this.#channelCount);
      } catch {
        this.#inFlight = -1;
      }
    }
    this.#fault = SensorFault.None;
    return r;
  }

  close(): void {
    this.#alert?.close();
    this.#alert = undefined;
    this.#io?.close();
    this.#io = undefined;
  }

  #lastChannels(): ChannelOptions[] | undefined {
    return this.#lastOptions.channels;
  }

  #bus(): I2CBus {
    if (!this.#io) throw new DriverError("ads1115-closed", "ADS1115: driver is closed", undefined);
    return this.#io;
  }

  #checkIdentity(): void {
    const io = this.#bus();
    let lo: number;
    let hi: number;
    try {
      this.#writeRegister(io, Register.LoThresh, IDENTITY_LO);
      this.#writeRegister(io, Register.HiThresh, IDENTITY_HI);
      lo = this.#readRegister(io, Register.LoThresh);
      hi = this.#readRegister(io, Register.HiThresh);
    } catch (e) {
      throw new DriverError("ads1115-no-answer", `ADS1115: no answer on I2C (${(e as Error).message})`, e);
    }
    if (lo !== IDENTITY_LO || hi !== IDENTITY_HI) {
      const got = `0x${lo.toString(16)}/0x${hi.toString(16)}`;
      throw new DriverError(
        "ads1115-identity",
        `ADS1115: threshold registers read back ${got}, expected 0x${IDENTITY_LO.toString(16)}/0x${IDENTITY_HI.toString(16)}`,
        got,
      );
    }
  }

  /** Thresholds for ALERT/RDY, then the first conversion (single) or the conversion run (continuous). */
  #program(): void {
    const io = this.#bus();
    this.#writeRegister(io, Register.LoThresh, RDY_LO_THRESH);
    this.#writeRegister(io, Register.HiThresh, RDY_HI_THRESH);
    this.#busyCount = 0;
    if (this.#continuous) {
      this.#writeRegister(io, Register.Config, this.#configs[0] as number);
      this.#inFlight = 0;
    } else {
      this.#start(0);
    }
  }

  #start(channel: number): void {
    this.#writeRegister(this.#bus(), Register.Config, (this.#configs[channel] as number) | Config.OsStart);
    this.#inFlight = channel;
  }

  #restart(fault: SensorFaultCode): undefined {
    this.#fault = fault;
    try {
      this.#program();
    } catch {
      this.#inFlight = -1;
      this.#fault = SensorFault.NoAnswer;
    }
    return undefined;
  }

  #failed(fault: SensorFaultCode): undefined {
    this.#fault = fault;
    this.#inFlight = -1;
    this.#busyCount = 0;
    return undefined;
  }

  #writeRegister(io: I2CBus, pointer: number, value: number): void {
    const b = this.#cmd3;
    b[0] = pointer;
    b[1] = value >> 8;
    b[2] = value & 0xff;
    io.write(b);
  }

  #readRegister(io: I2CBus, pointer: number): number {
    this.#cmd1[0] = pointer;
    io.write(this.#cmd1, false);
    io.read(this.#rx);
    return ((this.#rx[0] as number) << 8) | (this.#rx[1] as number);
  }
}

export default ADS1115;
