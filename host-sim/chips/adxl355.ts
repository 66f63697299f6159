/**
 * Register-level model of the Analog Devices ADXL355 accelerometer on SPI, for the simulator: the firmware's
 * driver (firmware/drivers/adxl355.ts) talks to it byte for byte through host-sim/io/spi.ts.
 *
 * What it models (data sheet ADXL354/ADXL355 Rev. B, "SPI Protocol", "FIFO", Table 41 register map):
 * - command byte (address << 1 | R), multi-byte access that auto-increments, except FIFO_DATA (0x11) whose
 *   address repeats and pops the FIFO; identity registers 0xAD 0x1D 0xED; reset values; RESET 0x52;
 * - measurement at the configured ODR on the board's virtual clock (POWER_CTL standby bit), each sample taken
 *   from a value source (tMs -> x, y, z in m/s^2, e.g. a recording), quantised to the 20-bit LSB of the
 *   configured range and clamped at full scale; XDATA..ZDATA hold the latest sample;
 * - the FIFO: 96 entries (32 x/y/z sets) of 3 bytes, x marker in bit 0 and empty marker in bit 1 of the
 *   third byte, FIFO_ENTRIES, FIFO_FULL at FIFO_SAMPLES, FIFO_OVR when a set arrives at a full FIFO;
 * - INT1 / INT2 levels from INT_MAP and STATUS with INT_POL, and DRDY, driven on board pins.
 * Faults to inject: no answer (MISO 0x00), all-0xFF bus, MISO stuck at a byte, frozen output data, and a
 * power glitch (`powerGlitch()`: registers to reset values, FIFO cleared, standby).
 *
 * [unverified] assumptions, not found in the data sheet text available here: on overflow the oldest set is
 * dropped and the new one kept; reading STATUS clears DATA_RDY and FIFO_OVR; DRDY follows DATA_RDY; an
 * empty-FIFO read returns 0x00 0x00 0x02.
 * Not modelled: the digital low-/high-pass filters (the source is taken as the filtered output), the
 * interpolation/external sync modes, activity detection, self test, offsets, NVM busy time, oscillator error.
 * No Node APIs: bundled into XS by the benchmarks.
 */
import type { SimBoard, SimPin, SPITarget } from "../board.js";
import { fork } from "../fault-plan.js";
import type { Prng } from "../prng.js";

/** Fills `out` with x, y, z in m/s^2 at `tMs`, or returns them. */
export type AccelSource = (tMs: number, out: Float64Array) => ArrayLike<number> | undefined;

export interface Adxl355ModelOptions {
  source: AccelSource;
  /** Board pins the chip's INT1 / INT2 / DRDY outputs are wired to. */
  int1Pin?: number;
  int2Pin?: number;
  drdyPin?: number;
  /** Output noise density in ug/sqrt(Hz) added to each axis (data sheet: 22.5 typical); 0 = exact replay. */
  noiseUgPerRtHz?: number;
  /** Die temperature reported in TEMP2/TEMP1 (1885 LSB at 25 C, -9.05 LSB/C). */
  temperatureC?: number;
}

export type Adxl355Fault =
  | { kind: "none" }
  | { kind: "no-answer" }
  | { kind: "all-ff" }
  | { kind: "stuck-byte"; value: number }
  | { kind: "frozen-data" };

const REG_COUNT = 0x30;
const R = {
  STATUS: 0x04,
  FIFO_ENTRIES: 0x05,
  TEMP2: 0x06,
  TEMP1: 0x07,
  XDATA3: 0x08,
  FIFO_DATA: 0x11,
  FILTER: 0x28,
  FIFO_SAMPLES: 0x29,
  INT_MAP: 0x2a,
  RANGE: 0x2c,
  POWER_CTL: 0x2d,
  RESET: 0x2f,
} as const;
/** Table 41 reset column; every other register resets to 0x00. */
const RESET_VALUES: readonly (readonly [number, number])[] = [
  [0x00, 0xad],
  [0x01, 0x1d],
  [0x02, 0xed],
  [0x03, 0x01],
  [0x29, 0x60],
  [0x2c, 0x81],
  [0x2d, 0x01],
];
/** Writable: OFFSET_X_H (0x1E) .. RESET (0x2F). */
const FIRST_WRITABLE = 0x1e;
const FIFO_ENTRIES = 96;
const ST_DATA_RDY = 0x01;
const ST_FIFO_FULL = 0x02;
const ST_FIFO_OVR = 0x04;
const FULL_SCALE_LSB = 0x7ffff;
const STANDARD_GRAVITY_MPERS2 = 9.80665;

export class Adxl355Model implements SPITarget {
  /** Register file 0x00..0x2F (STATUS and FIFO_ENTRIES are computed on read). */
  readonly regs = new Uint8Array(REG_COUNT);
  /** Sets produced at the ODR, and sets dropped because the FIFO was full. */
  samplesProduced = 0;
  samplesDropped = 0;
  readonly #board: SimBoard;
  readonly #source: AccelSource;
  readonly #xyz = new Float64Array(3);
  readonly #raw = new Int32Array(3);
  /**
   * FIFO storage kept linear (entries at #head .. #head + #count), compacted to the front when a push would
   * run off the end: a bulk read is then always one contiguous copy, with one view, whatever the fill level.
   */
  readonly #fifo = new Uint8Array(3 * FIFO_ENTRIES);
  #head = 0;
  #count = 0;
  /** Bytes of the head entry already clocked out (a FIFO entry pops after its third byte). */
  #entryByte = 0;
  #latched = 0;
  #timer: number | undefined;
  #fault: Adxl355Fault = { kind: "none" };
  #noiseUgPerRtHz: number;
  readonly #prng: Prng;
  readonly #int1: SimPin | undefined;
  readonly #int2: SimPin | undefined;
  readonly #drdy: SimPin | undefined;
  readonly #tick: () => void;
  // Transaction state: byte index since chip select, register pointer, direction.
  #index = 0;
  #addr = 0;
  #reading = false;

  constructor(board: SimBoard, options: Adxl355ModelOptions) {
    if (typeof options?.source !== "function") {
      throw new RangeError(
        `ADXL355 model: options.source must be a function (tMs, out) => xyz, got ${typeof options?.source}`,
      );
    }
    const noise = options.noiseUgPerRtHz ?? 0;
    if (!(noise >= 0)) throw new RangeError(`ADXL355 model: noiseUgPerRtHz must be >= 0, got ${noise}`);
    this.#board = board;
    this.#source = options.source;
    this.#noiseUgPerRtHz = noise;
    this.#prng = fork(board.prng, "board/adxl355");
    this.#int1 = options.int1Pin === undefined ? undefined : board.pin(options.int1Pin);
    this.#int2 = options.int2Pin === undefined ? undefined : board.pin(options.int2Pin);
    this.#drdy = options.drdyPin === undefined ? undefined : board.pin(options.drdyPin);
    this.#tick = () => this.#sample();
    this.#reset();
    const t = options.temperatureC ?? 25;
    const rawT = Math.round(1885 - 9.05 * (t - 25)) & 0xfff;
    this.regs[R.TEMP2] = rawT >> 8;
    this.regs[R.TEMP1] = rawT & 0xff;
  }

  /** Entries (not sets) in the FIFO. */
  get fifoEntries(): number {
    return this.#count;
  }

  get measuring(): boolean {
    return this.#timer !== undefined;
  }

  get odrHz(): number {
    return 4000 / 2 ** Math.min(this.regs[R.FILTER]! & 0x0f, 10);
  }

  setFault(fault: Adxl355Fault): void {
    this.#fault = fault;
  }

  /** Supply dip: the chip restarts as from power-on (registers at reset values, FIFO empty, standby). */
  powerGlitch(): void {
    this.#reset();
  }

  select(): void {
    this.#index = 0;
  }

  deselect(): void {
    this.#index = 0;
  }

  transfer(data: Uint8Array): void {
    const f = this.#fault;
    if (f.kind !== "none" && f.kind !== "frozen-data") {
      data.fill(f.kind === "all-ff" ? 0xff : f.kind === "stuck-byte" ? f.value & 0xff : 0x00);
      return;
    }
    let i = 0;
    if (this.#index === 0 && data.length > 0) {
      const cmd = data[0]!;
      this.#addr = cmd >> 1;
      this.#reading = (cmd & 1) === 1;
      data[0] = 0;
      this.#index = 1;
      i = 1;
    }
    if (this.#reading && this.#addr === R.FIFO_DATA) {
      this.#readFifoInto(data, i);
    } else {
      for (; i < data.length; i++) {
        const a = this.#addr;
        if (this.#reading) data[i] = this.#readRegister(a);
        else {
          this.#writeRegister(a, data[i]!);
          data[i] = 0;
        }
        // Auto-increment, except on FIFO_DATA, which repeats.
        if (a !== R.FIFO_DATA) this.#addr = a + 1;
      }
    }
    this.#index += data.length;
    this.#drivePins();
  }

  #status(): number {
    const full = this.#count >= Math.max(1, this.regs[R.FIFO_SAMPLES]!) ? ST_FIFO_FULL : 0;
    return this.#latched | full;
  }

  #readRegister(a: number): number {
    if (a === R.STATUS) {
      const s = this.#status();
      this.#latched = 0;
      return s;
    }
    if (a === R.FIFO_ENTRIES) return this.#count;
    if (a === R.FIFO_DATA) return this.#popFifoByte();
    if (a >= R.XDATA3 && a < R.FIFO_DATA) this.#latched &= ~ST_DATA_RDY;
    return a < REG_COUNT ? this.regs[a]! : 0;
  }

  #writeRegister(a: number, value: number): void {
    if (a < FIRST_WRITABLE || a >= REG_COUNT) return;
    if (a === R.RESET) {
      if (value === 0x52) this.#reset();
      return;
    }
    const before = this.regs[a]!;
    this.regs[a] = value;
    if (a === R.POWER_CTL || (a === R.FILTER && (before & 0x0f) !== (value & 0x0f))) this.#schedule();
  }

  /**
   * Bulk FIFO read (what the SPI peripheral's DMA does on the board): whole entries are copied a contiguous
   * ring segment at a time, so the model adds a constant, not a per-byte, cost to the driver's measured path.
   */
  #readFifoInto(data: Uint8Array, from: number): void {
    let i = from;
    const end = data.length;
    while (i < end && this.#entryByte !== 0) data[i++] = this.#popFifoByte();
    const whole = Math.min(this.#count, ((end - i) / 3) | 0);
    if (whole > 0) {
      const at = 3 * this.#head;
      data.set(this.#fifo.subarray(at, at + 3 * whole), i);
      i += 3 * whole;
      this.#count -= whole;
      this.#head = this.#count === 0 ? 0 : this.#head + whole;
    }
    while (i < end) data[i++] = this.#popFifoByte();
  }

  #popFifoByte(): number {
    if (this.#count === 0) {
      // Empty: an entry with the empty marker (bit 1 of its third byte).
      const b = this.#entryByte === 2 ? 0x02 : 0x00;
      this.#entryByte = (this.#entryByte + 1) % 3;
      return b;
    }
    const b = this.#fifo[3 * this.#head + this.#entryByte]!;
    if (++this.#entryByte === 3) {
      this.#entryByte = 0;
      this.#count--;
      this.#head = this.#count === 0 ? 0 : this.#head + 1;
    }
    return b;
  }

  #reset(): void {
    this.regs.fill(0, 0, R.TEMP2);
    this.regs.fill(0, R.XDATA3, REG_COUNT);
    for (const [a, v] of RESET_VALUES) this.regs[a] = v;
    this.#head = 0;
    this.#count = 0;
    this.#entryByte = 0;
    this.#latched = 0;
    this.#schedule();
    this.#drivePins();
  }

  /** Starts, restarts or stops the ODR timer after POWER_CTL / FILTER changes. */
  #schedule(): void {
    const clock = this.#board.clock;
    if (this.#timer !== undefined) clock.clearTimer(this.#timer);
    this.#timer = undefined;
    if ((this.regs[R.POWER_CTL]! & 0x01) === 0) {
      const periodMs = 1000 / this.odrHz;
      this.#timer = clock.setTimer(this.#tick, periodMs, periodMs);
    }
  }

  /** One output sample at the ODR: quantise, update the data registers, push a set into the FIFO. */
  #sample(): void {
    const range = this.regs[R.RANGE]! & 0x03;
    const lsbPerG = range === 3 ? 64_000 : range === 2 ? 128_000 : 256_000;
    const lsbPerMPerS2 = lsbPerG / STANDARD_GRAVITY_MPERS2;
    const raw = this.#raw;
    if (this.#fault.kind !== "frozen-data") {
      const got = this.#source(this.#board.clock.now(), this.#xyz);
      const v = got ?? this.#xyz;
      // Noise rms = density x sqrt(bandwidth); the LPF corner is ODR / 4 (data sheet, FILTER register).
      const sdLsb =
        this.#noiseUgPerRtHz > 0 ? this.#noiseUgPerRtHz * 1e-6 * Math.sqrt(this.odrHz / 4) * lsbPerG : 0;
      for (let a = 0; a < 3; a++) {
        let lsb = Math.round(v[a]! * lsbPerMPerS2 + (sdLsb > 0 ? this.#prng.gaussian(0, sdLsb) : 0));
        // Beyond full scale the 20-bit output saturates.
        if (lsb > FULL_SCALE_LSB) lsb = FULL_SCALE_LSB;
        else if (lsb < -FULL_SCALE_LSB - 1) lsb = -FULL_SCALE_LSB - 1;
        raw[a] = lsb;
      }
    }
    for (let a = 0; a < 3; a++) {
      const r = raw[a]!;
      this.regs[R.XDATA3 + 3 * a] = (r >> 12) & 0xff;
      this.regs[R.XDATA3 + 3 * a + 1] = (r >> 4) & 0xff;
      this.regs[R.XDATA3 + 3 * a + 2] = (r & 0x0f) << 4;
    }
    if (this.#count + 3 > FIFO_ENTRIES) {
      // Full: the oldest set makes room [unverified, see header] and FIFO_OVR latches.
      this.#latched |= ST_FIFO_OVR;
      this.#head += 3;
      this.#count -= 3;
      this.samplesDropped++;
    }
    if (this.#head + this.#count + 3 > FIFO_ENTRIES) {
      this.#fifo.copyWithin(0, 3 * this.#head, 3 * (this.#head + this.#count));
      this.#head = 0;
    }
    for (let a = 0; a < 3; a++) {
      const r = raw[a]!;
      const at = 3 * (this.#head + this.#count);
      this.#fifo[at] = (r >> 12) & 0xff;
      this.#fifo[at + 1] = (r >> 4) & 0xff;
      this.#fifo[at + 2] = ((r & 0x0f) << 4) | (a === 0 ? 0x01 : 0x00);
      this.#count++;
    }
    this.#latched |= ST_DATA_RDY;
    this.samplesProduced++;
    this.#drivePins();
  }

  #drivePins(): void {
    const status = this.#status();
    const map = this.regs[R.INT_MAP]!;
    const activeHigh = (this.regs[R.RANGE]! & 0x40) !== 0;
    // INT_MAP bits 0-2 route DATA_RDY, FIFO_FULL, FIFO_OVR to INT1; bits 4-6 to INT2 (same STATUS bit order).
    const i1 = (status & map & 0x07) !== 0;
    const i2 = (status & (map >> 4) & 0x07) !== 0;
    this.#int1?.drive(i1 === activeHigh ? 1 : 0);
    this.#int2?.drive(i2 === activeHigh ? 1 : 0);
    const drdyOff = (this.regs[R.POWER_CTL]! & 0x04) !== 0;
    this.#drdy?.drive(!drdyOff && (this.#latched & ST_DATA_RDY) !== 0 ? 1 : 0);
  }
}
