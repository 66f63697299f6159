/**
 * XS entry for the whole vibration path (test/xs/vibration-path.test.ts, bench/vibration-path.bench.ts):
 * ADXL355 driver -> one bulk FIFO read over the host SPI class from the chip model -> raw 20-bit to m/s^2 ->
 * sample times as the runtime gives them -> SeismicDetector.pushBlock. The same module runs in Node, so both
 * engines get identical bytes in and must give identical bytes out.
 *
 * Three chips on one simulated board and clock, all fed the same samples (the host loads them, see
 * vibration-path-requests.ts), so every measured call sees the same data:
 *   A: driver + detector, the path as the node runs it (firmware/node/runtime/vibration.ts `poll`);
 *   B: a second driver alone (its share of the path);
 *   C: the same three SPI transactions as `sample()` without any driver: the host SPI class and the chip
 *      model, which on the board are native SPI hardware, measured so a bench can subtract them.
 *
 * Request: byte 0 = command.
 *   0 setup: fresh board, chips, drivers and detector with the runtime's defaults (DETECTOR_DEFAULTS).
 *   1 load: from byte 8, n sets of three float64 LE (x, y, z, m/s^2): the chips' next n output samples.
 *   2 fill: bytes 1-2 = n (u16 LE): the virtual clock runs n output periods; each chip queues n sets.
 *   3 path: chip A's FIFO through driver A into the detector (the measured hot path).
 *   4 driver only: driver B's `sample()`.
 *   5 bus only: chip C's transactions.
 *   6 nothing: the call overhead every command pays (request and reply handling).
 *   7 baseline: a bare one-pole IIR per axis over driver B's last block (DESIGN.md's yardstick, ~29 units).
 *   8 run: byte 1 = sets per read: fills and runs 3, 4 and 5 in turn until the loaded samples are used up
 *     (the warm-up, not measured); reply bits = OR of the detector's results.
 *   9 outputs: the detector's queued events and summaries (kept out of the measured calls).
 *  10 times only: the sample-time step of `path` alone for driver B's last read (the runtime's share).
 * Reply: u8 sets read (0xff = fault), u8 fault, u8 FIFO entries left in chip A, u8 0, u32 detector result
 * bits, f64 last STA/LTA ratio; command 9 then adds u32 events, u32 summaries, and their fields (f64 LE).
 */
import { ADXL355 } from "../../../firmware/drivers/adxl355.js";
import {
  type SeismicConfig,
  SeismicDetector,
  SeismicEvent,
  SeismicSummary,
} from "../../../firmware/sensing/seismic/index.js";
import { SimBoard } from "../../../host-sim/board.js";
import { Adxl355Model } from "../../../host-sim/chips/adxl355.js";
import { VirtualClock } from "../../../host-sim/clock.js";
import { type HostSPI, makeSPI } from "../../../host-sim/io/spi.js";
import { Prng } from "../../../host-sim/prng.js";

/**
 * The detector as the runtime builds it (firmware/node/runtime/vibration.ts `#make` and config.ts
 * `defaultConfig`): the ADXL355 at its default 1 kHz, STA 50 ms, LTA 5 s, on 4.0, off 1.5, a summary per
 * 60 s telemetry period, the detector's own defaults for the rest (pre 1 s, post 2 s, high-pass 0.2 Hz,
 * USBM RI 8507 plaster limits).
 */
export const DETECTOR_DEFAULTS: SeismicConfig = {
  sampleRateHz: 1000,
  staS: 0.05,
  ltaS: 5,
  onThreshold: 4,
  offThreshold: 1.5,
  summaryPeriodMs: 60_000,
};
export const ODR_HZ = 1000;
const PERIOD_MS = 1000 / ODR_HZ;
const MAX_SETS = 32;
/** Loaded samples not yet produced by the chips: at most this many. */
export const SIGNAL_SETS = 16_384;

export const CMD_SETUP = 0;
export const CMD_LOAD = 1;
export const CMD_FILL = 2;
export const CMD_PATH = 3;
export const CMD_DRIVER = 4;
export const CMD_BUS = 5;
export const CMD_NOTHING = 6;
export const CMD_BASELINE = 7;
export const CMD_RUN = 8;
export const CMD_OUTPUTS = 9;
export const CMD_TIMES = 10;

/** The records' numeric fields in declaration order (what the outputs command writes). */
const numericKeys = (o: object) =>
  Object.keys(o).filter((k) => typeof (o as Record<string, unknown>)[k] === "number");
const EVENT_KEYS = numericKeys(new SeismicEvent());
const SUMMARY_KEYS = numericKeys(new SeismicSummary());
export const EVENT_FIELDS = EVENT_KEYS.length;
export const SUMMARY_FIELDS = SUMMARY_KEYS.length;

const signal = new Float64Array(3 * SIGNAL_SETS);
/** Samples loaded so far; each chip's source counts the samples it has produced. */
let loaded = 0;
const replyBytes = new Uint8Array(24 + 64 * 8 * (EVENT_FIELDS + SUMMARY_FIELDS));
const reply = new DataView(replyBytes.buffer);
const ev = new SeismicEvent();
const su = new SeismicSummary();

let board: SimBoard;
let chipA: Adxl355Model;
let driverA: ADXL355;
let driverB: ADXL355;
let busC: HostSPI;
let detector: SeismicDetector;
const times = new Float64Array(MAX_SETS);
let lastT = Number.NaN;
/** The times-only command's own running time. */
let timesB = Number.NaN;
let bits = 0;
const status3 = new Uint8Array(3);
const config7 = new Uint8Array(7);
const fifoBuf = new Uint8Array(2 + 288);
const fifoViews: Uint8Array[] = [];
for (let sets = 0; sets <= MAX_SETS; sets++) fifoViews.push(fifoBuf.subarray(0, 1 + 9 * sets));
let hx = 0;
let hy = 0;
let hz = 0;
let px = 0;
let py = 0;
let pz = 0;

/** A chip's value source: the loaded samples in order (each chip keeps its own count). */
function makeSource() {
  let produced = 0;
  return (_tMs: number, out: Float64Array): undefined => {
    if (produced >= loaded)
      throw new Error(`vibration-path entry: chip ran past the ${loaded} loaded samples`);
    const k = 3 * (produced % SIGNAL_SETS);
    out[0] = signal[k]!;
    out[1] = signal[k + 1]!;
    out[2] = signal[k + 2]!;
    produced++;
    return undefined;
  };
}

function setup(): void {
  board = new SimBoard(new VirtualClock(), new Prng(355));
  loaded = 0;
  const spi = makeSPI(board);
  chipA = new Adxl355Model(board, { source: makeSource() });
  board.attachSPI(1, 5, chipA);
  driverA = new ADXL355({
    sensor: { io: spi, port: 1, select: 5, clock: 18, in: 19, out: 23 },
    odrHz: ODR_HZ,
    fifoWatermark: MAX_SETS,
  });
  const chipB = new Adxl355Model(board, { source: makeSource() });
  board.attachSPI(1, 6, chipB);
  driverB = new ADXL355({
    sensor: { io: spi, port: 1, select: 6, clock: 18, in: 19, out: 23 },
    odrHz: ODR_HZ,
    fifoWatermark: MAX_SETS,
  });
  // Chip C is programmed like the drivers' chips by plain register writes (FILTER, FIFO_SAMPLES, INT_MAP,
  // RANGE, then POWER_CTL = measure), at the same virtual time, so all three sample on the same ticks.
  const chipC = new Adxl355Model(board, { source: makeSource() });
  board.attachSPI(1, 7, chipC);
  busC = new spi({ port: 1, select: 7, clock: 18, in: 19, out: 23, hz: 8_000_000 });
  const regs = chipA.regs;
  for (const [reg, value] of [
    [0x28, regs[0x28]!],
    [0x29, regs[0x29]!],
    [0x2a, regs[0x2a]!],
    [0x2c, regs[0x2c]!],
    [0x2d, 0],
  ] as const) {
    busC.transfer(Uint8Array.of(reg << 1, value));
    busC.flush(true);
  }
  detector = new SeismicDetector(DETECTOR_DEFAULTS);
  lastT = Number.NaN;
  hx = hy = hz = px = py = pz = 0;
}

/** Driver A's FIFO into the detector, with sample times as VibrationChannel.poll gives them. */
function path(): number | undefined {
  const n = driverA.sample();
  if (n === undefined || n === 0) return n;
  // Inline, as in VibrationChannel.poll (sampleTimes below is the same code, for measuring it alone).
  const p = PERIOD_MS;
  const nowMs = board.clock.now();
  let next = lastT + p;
  const lastIfRunning = next + (n - 1) * p;
  // biome-ignore lint/suspicious/noSelfCompare: the NaN test exactly as VibrationChannel.poll writes it
  if (next !== next || lastIfRunning - nowMs > 4 * p || nowMs - lastIfRunning > 4 * p)
    next = nowMs - (n - 1) * p;
  for (let k = 0; k < n; k++) times[k] = next + k * p;
  lastT = times[n - 1]!;
  bits = detector.pushBlock(times, driverA.accelMPerS2, n);
  return n;
}

/**
 * Sample times for a read of n sets, exactly as firmware/node/runtime/vibration.ts `poll` computes them:
 * one ODR period apart, continuing from the last read unless that drifted more than 4 periods from the
 * clock. Returns the last time.
 */
function sampleTimes(n: number, after: number): number {
  const p = PERIOD_MS;
  const nowMs = board.clock.now();
  let next = after + p;
  const lastIfRunning = next + (n - 1) * p;
  // biome-ignore lint/suspicious/noSelfCompare: the NaN test exactly as VibrationChannel.poll writes it
  if (next !== next || lastIfRunning - nowMs > 4 * p || nowMs - lastIfRunning > 4 * p)
    next = nowMs - (n - 1) * p;
  for (let k = 0; k < n; k++) times[k] = next + k * p;
  return times[n - 1]!;
}

/** What `sample()` puts on the bus (STATUS + FIFO_ENTRIES, FILTER..POWER_CTL, the FIFO), with no driver. */
function busOnly(): number {
  status3.fill(0);
  status3[0] = 0x09;
  busC.transfer(status3);
  busC.flush(true);
  config7.fill(0);
  config7[0] = 0x51;
  busC.transfer(config7);
  busC.flush(true);
  const sets = ((status3[2]! & 0x7f) / 3) | 0;
  const view = fifoViews[sets]!;
  view.fill(0);
  fifoBuf[0] = 0x23;
  busC.transfer(view);
  busC.flush(true);
  return sets;
}

function answer(count: number | undefined, fault: number): Uint8Array {
  replyBytes[0] = count === undefined ? 0xff : count;
  replyBytes[1] = fault;
  replyBytes[2] = chipA.fifoEntries;
  replyBytes[3] = 0;
  reply.setUint32(4, bits, true);
  reply.setFloat64(8, detector.lastRatio, true);
  return replyBytes.subarray(0, 16);
}

function outputs(): Uint8Array {
  let w = 24;
  let events = 0;
  let summaries = 0;
  while (detector.takeEvent(ev)) {
    for (const k of EVENT_KEYS) {
      reply.setFloat64(w, (ev as unknown as Record<string, number>)[k]!, true);
      w += 8;
    }
    events++;
  }
  while (detector.takeSummary(su)) {
    for (const k of SUMMARY_KEYS) {
      reply.setFloat64(w, (su as unknown as Record<string, number>)[k]!, true);
      w += 8;
    }
    summaries++;
  }
  answer(0, 0);
  reply.setUint32(16, events, true);
  reply.setUint32(20, summaries, true);
  return replyBytes.subarray(0, w);
}

function load(req: Uint8Array): void {
  const view = new DataView(req.buffer, req.byteOffset, req.byteLength);
  const n = (req.byteLength - 8) / 24;
  for (let i = 0, o = 8; i < n; i++, o += 24) {
    const k = 3 * ((loaded + i) % SIGNAL_SETS);
    signal[k] = view.getFloat64(o, true);
    signal[k + 1] = view.getFloat64(o + 8, true);
    signal[k + 2] = view.getFloat64(o + 16, true);
  }
  loaded += n;
}

/** Samples loaded but not yet produced (chip A's count stands for all three). */
function pending(): number {
  return loaded - chipA.samplesProduced;
}

export function handle(req: Uint8Array): Uint8Array {
  const cmd = req[0];
  if (cmd === CMD_SETUP) {
    setup();
    return answer(0, 0);
  }
  if (cmd === CMD_LOAD) {
    load(req);
    return answer(0, 0);
  }
  if (cmd === CMD_FILL) {
    const n = req[1]! | (req[2]! << 8);
    if (n > pending()) throw new Error(`vibration-path entry: fill ${n} with ${pending()} samples loaded`);
    board.clock.advance(n * PERIOD_MS);
    return answer(0, 0);
  }
  if (cmd === CMD_PATH) return answer(path(), driverA.fault);
  if (cmd === CMD_DRIVER) return answer(driverB.sample(), driverB.fault);
  if (cmd === CMD_BUS) return answer(busOnly(), 0);
  if (cmd === CMD_NOTHING) return answer(0, 0);
  if (cmd === CMD_BASELINE) {
    const n = req[1]!;
    const x = driverB.accelMPerS2;
    const a = 0.9987;
    for (let i = 0, k = 0; i < n; i++, k += 3) {
      hx = a * (hx + x[k]! - px);
      hy = a * (hy + x[k + 1]! - py);
      hz = a * (hz + x[k + 2]! - pz);
      px = x[k]!;
      py = x[k + 1]!;
      pz = x[k + 2]!;
    }
    return answer(n, 0);
  }
  if (cmd === CMD_RUN) {
    const sets = req[1]!;
    let all = 0;
    while (pending() >= sets) {
      board.clock.advance(sets * PERIOD_MS);
      const n = path();
      if (n !== sets) throw new Error(`vibration-path entry: driver A read ${n} of ${sets} sets`);
      all |= bits;
      driverB.sample();
      busOnly();
    }
    bits = all;
    return answer(sets, driverA.fault);
  }
  if (cmd === CMD_OUTPUTS) return outputs();
  if (cmd === CMD_TIMES) {
    // Its own running time, so the path's stays untouched (`times` is rewritten by every path call).
    const n = req[1]!;
    timesB = sampleTimes(n, timesB);
    return answer(n, 0);
  }
  throw new Error(`vibration-path entry: unknown command ${cmd}`);
}
