/**
 * Analog Devices ADXL355: low-noise 3-axis MEMS accelerometer (20-bit, +-2/4/8 g) on SPI, the node's
 * vibration sensor. ECMA-419 sensor class pattern (see ../../../shared/STYLE.md): the constructor opens the
 * bus from `options.sensor`, checks the identity registers, soft-resets and configures the chip, and closes
 * the bus if anything fails; `configure()`, `sample()`, `close()` are the surface.
 *
 * `sample()` reads the whole FIFO in one bulk SPI transfer into a preallocated buffer (Zephyr style: fetch,
 * then convert) and converts it into `accelMPerS2` (x, y, z interleaved, m/s^2), returning the number of
 * samples. It allocates nothing. On a fault it returns `undefined` and `fault` holds the SensorFault code
 * (faults.ts): no answer, garbage (stuck bus, misaligned FIFO, frozen data), FIFO overflow, reset.
 *
 * Interrupts are edges: INT1 rises when the FIFO reaches the watermark and stays high until it is read below
 * it. If a read fails (bus fault) the line stays high and no new edge comes, so the runtime must also call
 * `sample()` from a watchdog timer (period a little over watermark / ODR); the first good read resumes it.
 *
 * Sources. Register map, reset values and bit fields: ADXL354/ADXL355 data sheet (Rev. A/B), "Register
 * Map" (Table 41) and the register descriptions after it; cross-checked against Analog Devices' own no-OS
 * driver (adxl355.c/.h) and the Linux IIO driver (drivers/iio/accel/adxl355_core.c), whose tables agree.
 * Items marked [unverified] could not be checked against the data sheet text here.
 */
import { DriverError, SensorFault, type SensorFaultCode } from "./faults.js";

/** Register addresses (data sheet Table 41). */
export const Reg = Object.freeze({
  DEVID_AD: 0x00, // reads 0xAD (Analog Devices)
  DEVID_MST: 0x01, // reads 0x1D (MEMS)
  PARTID: 0x02, // reads 0xED (ADXL355)
  REVID: 0x03,
  STATUS: 0x04, // bit 0 DATA_RDY, 1 FIFO_FULL, 2 FIFO_OVR, 3 Activity, 4 NVM_BUSY
  FIFO_ENTRIES: 0x05, // bits 6:0, valid entries (0..96) in the FIFO
  TEMP2: 0x06,
  TEMP1: 0x07,
  XDATA3: 0x08, // XDATA3..ZDATA1: 0x08-0x10, 20-bit two's complement, left justified in 3 bytes
  FIFO_DATA: 0x11, // multi-byte reads do not auto-increment here: each byte pops the FIFO
  FILTER: 0x28, // bits 6:4 HPF_CORNER, bits 3:0 ODR_LPF
  FIFO_SAMPLES: 0x29, // FIFO_FULL watermark in entries (1..96), reset 0x60
  INT_MAP: 0x2a, // bit 0 RDY_EN1, 1 FULL_EN1, 2 OVR_EN1, 3 ACT_EN1, 4-7 the same for INT2
  SYNC: 0x2b, // 0 = internal clock, no external sync
  RANGE: 0x2c, // bits 1:0 range (01 = 2 g, 10 = 4 g, 11 = 8 g), bit 6 INT_POL, bit 7 I2C_HS
  POWER_CTL: 0x2d, // bit 0 STANDBY, bit 1 TEMP_OFF, bit 2 DRDY_OFF
  RESET: 0x2f, // write 0x52 = soft reset (as a power-on reset)
});

export const Identity = Object.freeze({ DEVID_AD: 0xad, DEVID_MST: 0x1d, PARTID: 0xed, RESET_CODE: 0x52 });

export const Status = Object.freeze({ DATA_RDY: 0x01, FIFO_FULL: 0x02, FIFO_OVR: 0x04 });
export const IntMap = Object.freeze({ RDY_EN1: 0x01, FULL_EN1: 0x02, OVR_EN1: 0x04 });
/** RANGE bit 6: 1 = INT1/INT2 active high. */
export const RANGE_INT_POL = 0x40;
export const POWER_CTL_STANDBY = 0x01;

/** FIFO depth: 96 entries of 3 bytes = 32 x/y/z sample sets (data sheet, "FIFO"). */
export const FIFO_ENTRIES_MAX = 96;
export const FIFO_SETS_MAX = 32;
/** Bit 0 of an entry's last byte marks the x axis, bit 1 marks an empty FIFO read (data sheet, FIFO_DATA). */
export const FIFO_X_MARKER = 0x01;
export const FIFO_EMPTY_MARKER = 0x02;

/** Power-on values of FILTER..POWER_CTL (0x28-0x2D), Table 41's reset column: how a reset is recognised. */
export const RESET_CONFIG = Object.freeze([0x00, 0x60, 0x00, 0x00, 0x81, 0x01]);

/** ODR_LPF codes 0..10: 4000 Hz halved per step (data sheet FILTER register; Linux adxl355_odr_table). */
export const ODR_HZ = Object.freeze([4000, 2000, 1000, 500, 250, 125, 62.5, 31.25, 15.625, 7.8125, 3.90625]);
/** HPF_CORNER codes 0..6: -3 dB corner = ODR x factor, 0 = off (data sheet FILTER register, Table 44). */
export const HPF_CORNER_PER_ODR = Object.freeze([
  0, 24.7e-4, 6.2084e-4, 1.5545e-4, 0.3862e-4, 0.0954e-4, 0.0238e-4,
]);
/**
 * Sensitivity, data sheet Table 1: 256,000 LSB/g typical at +-2 g (the "3.9 ug/LSB" scale factor rounded),
 * 128,000 at +-4 g, 64,000 at +-8 g. Standard gravity 9.80665 m/s^2 converts g to m/s^2.
 */
export const LSB_PER_G = Object.freeze({ 2: 256_000, 4: 128_000, 8: 64_000 });
export const STANDARD_GRAVITY_MPERS2 = 9.80665;
const RANGE_CODE = Object.freeze({ 2: 0x01, 4: 0x02, 8: 0x03 });

/** Read command byte: register address in bits 7:1, bit 0 = 1 for read (data sheet, "SPI Protocol"). */
export function readCommand(register: number): number {
  return ((register << 1) | 1) & 0xff;
}
export function writeCommand(register: number): number {
  return (register << 1) & 0xfe;
}
/** The read commands `sample()` sends every call, computed once. */
const READ_STATUS = readCommand(Reg.STATUS);
const READ_FILTER = readCommand(Reg.FILTER);
const READ_FIFO_DATA = readCommand(Reg.FIFO_DATA);

export type Adxl355ErrorCode = "bad-option" | "no-answer" | "bad-identity" | "config-readback" | "closed";

/** The drivers' one error type (faults.ts DriverError): this chip's code, the message named for it. */
function adxlError(code: Adxl355ErrorCode, message: string, value: unknown): DriverError {
  return new DriverError(code, `ADXL355: ${message}`, value);
}

/** The ECMA-419 SPI surface this driver uses (`embedded:io/spi`; host-sim/io/spi.ts in the simulator). */
export interface SpiBus {
  transfer(buffer: Uint8Array): void;
  flush(deselect?: boolean): void;
  close?(): void;
}
export interface SpiOpenOptions {
  clock: number;
  hz: number;
  select?: number;
  in?: number;
  out?: number;
  mode?: number;
  port?: number;
  active?: 0 | 1;
}
export interface SpiSensorOptions extends Partial<SpiOpenOptions> {
  io: new (options: SpiOpenOptions) => SpiBus;
  select: number;
}
/** The ECMA-419 Digital surface used for INT1 (`embedded:io/digital`). */
export interface DigitalPin {
  read(): number;
  close(): void;
}
/**
 * `mode: never` in the constructor makes every Digital class with a narrower mode type (Moddable's `Mode`,
 * the simulator's number) assignable; the driver passes the class's own `Input` (or the caller's mode).
 */
export interface DigitalClass {
  new (options: {
    pin: number;
    mode: never;
    edge: number;
    onReadable: (this: DigitalPin) => void;
  }): DigitalPin;
  readonly Input: unknown;
  readonly Rising: number;
}
export interface InterruptOptions {
  io: DigitalClass;
  pin: number;
  mode?: unknown;
}

export interface Adxl355Config {
  /** Full scale in g: 2, 4 or 8. */
  range?: 2 | 4 | 8;
  /** Output data rate in Hz: 4000 / 2^k, k = 0..10. */
  odrHz?: number;
  /** HPF_CORNER code 0..6 (0 = off); corner in Hz = odrHz x HPF_CORNER_PER_ODR[code]. */
  hpfCorner?: number;
  /** INT1 (FIFO_FULL) fires when the FIFO holds this many x/y/z sets (1..32). */
  fifoWatermark?: number;
}

export interface Adxl355Options extends Adxl355Config {
  sensor: SpiSensorOptions;
  /** INT1 wired to a GPIO: FIFO_FULL at the watermark calls `onSample` (Zephyr style trigger). */
  interrupt?: InterruptOptions;
  onSample?: (this: ADXL355) => void;
  /** Identical consecutive x/y/z readings that count as frozen data (a live MEMS always has noise); 0 = off. */
  stuckLimit?: number;
}

const DEFAULTS = Object.freeze({ range: 2 as const, odrHz: 1000, hpfCorner: 0, fifoWatermark: 16 });
/** 8 MHz: under the ADXL355's 10 MHz SPI clock limit [unverified: data sheet SPI timing table]; mode 0. */
const DEFAULT_HZ = 8_000_000;

export class ADXL355 {
  /** Converted samples, x y z interleaved, m/s^2; `sample()` fills the first 3 x count values. */
  readonly accelMPerS2 = new Float64Array(3 * FIFO_SETS_MAX);
  /** Current fault code; SensorFault.None after a good `sample()`. */
  fault: SensorFaultCode = SensorFault.None;
  /** Counters for the runtime's health report. */
  overflows = 0;
  resets = 0;
  #spi: SpiBus | undefined;
  #irq: DigitalPin | undefined;
  #onSample: ((this: ADXL355) => void) | undefined;
  #stuckLimit: number;
  #config = { ...DEFAULTS } as Required<Adxl355Config>;
  #scaleMPerS2PerLsb = 0;
  /** Expected FILTER..POWER_CTL image, compared on every sample() to catch resets and bus faults. */
  readonly #expected = new Uint8Array(6);
  readonly #cmd1 = new Uint8Array(2);
  readonly #cmd2 = new Uint8Array(3);
  readonly #entry = new Uint8Array(4);
  readonly #cmd6 = new Uint8Array(7);
  readonly #cmd6View = new DataView(this.#cmd6.buffer);
  /** #expected as a big-endian u32 (FILTER..INT_MAP, SYNC) and u16 (RANGE, POWER_CTL), for #configMatches. */
  #expectedHead = 0;
  #expectedTail = 0;
  /**
   * FIFO bulk-read buffer: command byte + 96 entries x 3 bytes + one spare byte (a 4-byte big-endian read of
   * the last entry stays inside); one view per whole-set count, made once, so sample() allocates nothing.
   */
  readonly #fifo = new Uint8Array(2 + 3 * FIFO_ENTRIES_MAX);
  readonly #fifoView = new DataView(this.#fifo.buffer);
  readonly #fifoViews: Uint8Array[] = [];
  #lastX = 0;
  #lastY = 0;
  #lastZ = 0;
  #stuckRun = 0;

  constructor(options: Adxl355Options) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") {
      throw adxlError("bad-option", "options.sensor.io must be the SPI class", sensor?.io);
    }
    if (!Number.isInteger(sensor.select)) {
      throw adxlError(
        "bad-option",
        `options.sensor.select must be a pin number, got ${sensor.select}`,
        sensor.select,
      );
    }
    const stuckLimit = options.stuckLimit ?? 2000;
    if (!Number.isInteger(stuckLimit) || stuckLimit < 0) {
      throw adxlError("bad-option", `stuckLimit must be an integer >= 0, got ${stuckLimit}`, stuckLimit);
    }
    this.#stuckLimit = stuckLimit;
    this.#onSample = options.onSample;
    for (let sets = 0; sets <= FIFO_SETS_MAX; sets++)
      this.#fifoViews.push(this.#fifo.subarray(0, 1 + 9 * sets));
    const { io, ...pins } = sensor;
    this.#spi = new io({ hz: DEFAULT_HZ, mode: 0, ...pins } as SpiOpenOptions);
    try {
      this.#checkIdentity();
      this.#write(Reg.RESET, Identity.RESET_CODE);
      this.configure(options);
      const irq = options.interrupt;
      if (irq) {
        const driver = this;
        this.#irq = new irq.io({
          pin: irq.pin,
          mode: (irq.mode ?? irq.io.Input) as never,
          edge: irq.io.Rising,
          onReadable() {
            driver.#onSample?.call(driver);
          },
        });
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  get config(): Readonly<Required<Adxl355Config>> {
    return this.#config;
  }

  /** The high-pass -3 dB corner in Hz (0 = off). */
  get hpfCornerHz(): number {
    return this.#config.odrHz * HPF_CORNER_PER_ODR[this.#config.hpfCorner]!;
  }

  /** Validates everything first (a bad option leaves the chip untouched), then writes in standby and reads back. */
  configure(options: Adxl355Config = {}): void {
    this.#open();
    const next = { ...this.#config };
    if (options.range !== undefined) next.range = options.range;
    if (options.odrHz !== undefined) next.odrHz = options.odrHz;
    if (options.hpfCorner !== undefined) next.hpfCorner = options.hpfCorner;
    if (options.fifoWatermark !== undefined) next.fifoWatermark = options.fifoWatermark;
    const rangeCode = RANGE_CODE[next.range as 2 | 4 | 8];
    if (rangeCode === undefined)
      throw adxlError("bad-option", `range must be 2, 4 or 8 g, got ${next.range}`, next.range);
    const odrCode = ODR_HZ.findIndex((hz) => Math.abs(hz - next.odrHz) <= hz * 1e-3);
    if (odrCode < 0) {
      throw adxlError("bad-option", `odrHz must be 4000 / 2^k Hz (k = 0..10), got ${next.odrHz}`, next.odrHz);
    }
    next.odrHz = ODR_HZ[odrCode]!;
    if (!Number.isInteger(next.hpfCorner) || next.hpfCorner < 0 || next.hpfCorner > 6) {
      throw adxlError("bad-option", `hpfCorner must be a code 0..6, got ${next.hpfCorner}`, next.hpfCorner);
    }
    const wm = next.fifoWatermark;
    if (!Number.isInteger(wm) || wm < 1 || wm > FIFO_SETS_MAX) {
      throw adxlError("bad-option", `fifoWatermark must be 1..${FIFO_SETS_MAX} sample sets, got ${wm}`, wm);
    }
    const e = this.#expected;
    e[0] = (next.hpfCorner << 4) | odrCode;
    e[1] = 3 * wm;
    // FIFO_FULL always goes to INT1: harmless when INT1 is not wired, and the wiring can change at runtime.
    e[2] = IntMap.FULL_EN1;
    e[3] = 0;
    e[4] = RANGE_INT_POL | rangeCode;
    e[5] = 0;
    this.#expectedHead = ((e[0]! << 24) | (e[1]! << 16) | (e[2]! << 8) | e[3]!) >>> 0;
    this.#expectedTail = (e[4]! << 8) | e[5]!;
    this.#config = next;
    this.#scaleMPerS2PerLsb = STANDARD_GRAVITY_MPERS2 / LSB_PER_G[next.range as 2 | 4 | 8];
    this.#program();
    if (!this.#configMatches()) {
      throw adxlError(
        "config-readback",
        `configuration did not read back: ${hex(this.#cmd6, 1)}`,
        hex(this.#cmd6, 1),
      );
    }
    this.#stuckRun = 0;
  }

  /**
   * Reads STATUS, the configuration and the FIFO; converts every whole x/y/z set into `accelMPerS2`.
   * Returns the number of sets, or undefined with `fault` set. Allocates nothing.
   */
  sample(): number | undefined {
    const spi = this.#open();
    const st = this.#cmd2;
    st.fill(0);
    st[0] = READ_STATUS;
    spi.transfer(st);
    spi.flush(true);
    const c = this.#cmd6;
    c.fill(0);
    c[0] = READ_FILTER;
    spi.transfer(c);
    spi.flush(true);
    if (!this.#configMatches()) return this.#diagnose();
    const status = st[1]!;
    const entries = st[2]! & 0x7f;
    if (entries > FIFO_ENTRIES_MAX) return this.#setFault(SensorFault.Garbage);
    // Only whole x/y/z sets: the chip may be writing a set while FIFO_ENTRIES is read.
    const sets = (entries / 3) | 0;
    const n = sets > 0 ? this.#readFifo(spi, sets) : 0;
    if ((status & Status.FIFO_OVR) !== 0) {
      // The FIFO filled and older samples were lost: how many is not in any register (the runtime knows the
      // time since the last read). The sets just read are dropped so the stream restarts clean after the gap.
      this.overflows++;
      if (n < 0) this.#resync();
      return this.#setFault(SensorFault.Overflow);
    }
    if (n < 0) {
      this.#resync();
      return this.#setFault(SensorFault.Garbage);
    }
    if (this.#stuckLimit > 0 && this.#stuckRun >= this.#stuckLimit)
      return this.#setFault(SensorFault.Garbage);
    this.fault = SensorFault.None;
    return n;
  }

  close(): void {
    this.#irq?.close();
    this.#irq = undefined;
    const spi = this.#spi;
    this.#spi = undefined;
    if (spi) {
      try {
        spi.flush(true);
      } finally {
        spi.close?.();
      }
    }
  }

  #open(): SpiBus {
    if (!this.#spi) throw adxlError("closed", "the driver is closed", undefined);
    return this.#spi;
  }

  #setFault(code: SensorFaultCode): undefined {
    this.fault = code;
    return undefined;
  }

  #checkIdentity(): void {
    const b = this.#cmd2;
    b[0] = readCommand(Reg.DEVID_AD);
    b[1] = 0;
    b[2] = 0;
    const spi = this.#open();
    spi.transfer(b);
    spi.flush(true);
    const got = hex(b, 1);
    if (b[1] === Identity.DEVID_AD && b[2] === Identity.DEVID_MST) {
      // DEVID_AD and DEVID_MST match: the third register (PARTID) settles which chip of the family this is.
      const one = this.#cmd1;
      one[0] = readCommand(Reg.PARTID);
      one[1] = 0;
      spi.transfer(one);
      spi.flush(true);
      if (one[1] === Identity.PARTID) return;
      throw adxlError("bad-identity", `PARTID is 0x${one[1]!.toString(16)}, expected 0xed`, one[1]);
    }
    if ((b[1] === 0xff && b[2] === 0xff) || (b[1] === 0 && b[2] === 0)) {
      throw adxlError("no-answer", `no answer on SPI (MISO reads ${got})`, got);
    }
    throw adxlError("bad-identity", `DEVID_AD/DEVID_MST read ${got}, expected ad 1d`, got);
  }

  #write(register: number, value: number): void {
    const b = this.#cmd1;
    b[0] = writeCommand(register);
    b[1] = value;
    const spi = this.#open();
    spi.transfer(b);
    spi.flush(true);
  }

  /** Standby first: FILTER and RANGE must change in standby (data sheet, POWER_CTL description). */
  #program(): void {
    const e = this.#expected;
    this.#write(Reg.POWER_CTL, POWER_CTL_STANDBY);
    this.#write(Reg.FILTER, e[0]!);
    this.#write(Reg.FIFO_SAMPLES, e[1]!);
    this.#write(Reg.INT_MAP, e[2]!);
    this.#write(Reg.SYNC, e[3]!);
    this.#write(Reg.RANGE, e[4]!);
    this.#write(Reg.POWER_CTL, e[5]!);
    this.#readConfig();
  }

  #readConfig(): void {
    const c = this.#cmd6;
    c.fill(0);
    c[0] = READ_FILTER;
    const spi = this.#open();
    spi.transfer(c);
    spi.flush(true);
  }

  /** FILTER..POWER_CTL as read back equal the expected image (two native reads, not a loop, per sample()). */
  #configMatches(): boolean {
    const c = this.#cmd6View;
    return c.getUint32(1, false) === this.#expectedHead && c.getUint16(5, false) === this.#expectedTail;
  }

  /** The configuration did not read back: a dead or stuck bus, or a chip that reset itself. */
  #diagnose(): undefined {
    const c = this.#cmd6;
    let same = true;
    for (let i = 2; i <= 6; i++) if (c[i] !== c[1]) same = false;
    if (same && (c[1] === 0xff || c[1] === 0)) return this.#setFault(SensorFault.NoAnswer);
    if (same) return this.#setFault(SensorFault.Garbage);
    let isReset = true;
    for (let i = 0; i < 6; i++) if (c[i + 1] !== RESET_CONFIG[i]) isReset = false;
    // Re-program either way: after a reset this restores measurement; after a glitch it rewrites the image.
    this.#program();
    if (!isReset) return this.#setFault(SensorFault.Garbage);
    this.resets++;
    this.#stuckRun = 0;
    return this.#setFault(SensorFault.Reset);
  }

  /**
   * Realigns a FIFO whose next entry is not an x entry (corruption, or an overflow that dropped part of a
   * set): pops single entries until an x entry, then its y and z; that one set is lost.
   */
  #resync(): void {
    const e = this.#entry;
    const spi = this.#open();
    let afterX = -1;
    for (let i = 0; i < FIFO_ENTRIES_MAX && afterX < 2; i++) {
      e.fill(0);
      e[0] = readCommand(Reg.FIFO_DATA);
      spi.transfer(e);
      spi.flush(true);
      if ((e[3]! & FIFO_EMPTY_MARKER) !== 0) return;
      if (afterX >= 0) afterX++;
      else if ((e[3]! & FIFO_X_MARKER) !== 0) afterX = 0;
    }
  }

  /**
   * Bulk FIFO read of `sets` x/y/z sets, then conversion; returns the count or -1 on a misaligned FIFO.
   * The loop is written for XS's interpreter, where cost follows the byte codes run: function-level `let`s
   * (a `const` in the loop body or a second `let` in the `for` head costs extra on XS), one native DataView
   * read per entry that serves both the marker test and the value, and the frozen-data run counted per
   * block rather than per set.
   */
  #readFifo(spi: SpiBus, sets: number): number {
    const view = this.#fifoViews[sets]!;
    const buf = this.#fifo;
    view.fill(0);
    buf[0] = READ_FIFO_DATA;
    spi.transfer(view);
    spi.flush(true);
    const out = this.accelMPerS2;
    const dv = this.#fifoView;
    const scale = this.#scaleMPerS2PerLsb;
    const end = 3 * sets;
    let o = 1;
    let k = 0;
    let xi = 0;
    let yi = 0;
    let zi = 0;
    while (k < end) {
      // A big-endian 32-bit read puts an entry in bits 31:8 (20-bit two's complement, left justified: bits
      // 19:12, 11:4, then 3:0 in the top nibble of the third byte) and the next entry's first byte in 7:0.
      xi = dv.getInt32(o, false);
      yi = dv.getInt32(o + 3, false);
      zi = dv.getInt32(o + 6, false);
      // The marker bits (1:0 of an entry's third byte, bits 9:8 here): the x entry carries the x marker, y and
      // z do not, and no entry may be an empty-FIFO read. x's two bits, then y's OR z's, must read 01 00.
      if ((((xi >> 8) & 3) | (((yi | zi) >> 6) & 12)) !== FIFO_X_MARKER) return -1;
      // The arithmetic shift by 12 sign-extends the entry and drops the marker nibble and the next byte.
      out[k] = (xi >> 12) * scale;
      out[k + 1] = (yi >> 12) * scale;
      out[k + 2] = (zi >> 12) * scale;
      o += 9;
      k += 3;
    }
    // Frozen data: the run of x/y/z sets identical to the set before, counted back from the end of the block
    // (noisy data stops at the first comparison). Equal values here mean equal raw readings: distinct 20-bit
    // integers times one scale stay distinct doubles.
    k -= 3;
    while (k > 0 && out[k] === out[k - 3] && out[k + 1] === out[k - 2] && out[k + 2] === out[k - 1]) k -= 3;
    let run = sets - 1 - k / 3;
    if (k === 0) {
      // The whole block repeats its first set: does that one repeat the last set of the previous read?
      if (
        dv.getInt32(1, false) >> 12 === this.#lastX &&
        dv.getInt32(4, false) >> 12 === this.#lastY &&
        dv.getInt32(7, false) >> 12 === this.#lastZ
      )
        run += this.#stuckRun + 1;
    }
    // The loop left the last set's entries in xi, yi, zi.
    this.#lastX = xi >> 12;
    this.#lastY = yi >> 12;
    this.#lastZ = zi >> 12;
    this.#stuckRun = run;
    return sets;
  }
}

function hex(bytes: Uint8Array, from: number): string {
  let s = "";
  for (let i = from; i < bytes.length; i++)
    s += (i > from ? " " : "") + bytes[i]!.toString(16).padStart(2, "0");
  return s;
}
