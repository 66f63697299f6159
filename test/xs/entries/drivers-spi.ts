/**
 * XS entry for the ADXL355 driver's hot path (test/xs/drivers-spi.test.ts, bench/drivers-spi.bench.ts): the
 * firmware driver, the host SPI class and the chip model, bundled together as the simulator runs them.
 * The same module runs in Node, so both engines must give identical bytes.
 *
 * Request: byte 0 = command.
 *   0 setup: byte 1 = range in g (2, 4, 8), bytes 2-3 = ODR in Hz (u16 LE): a fresh board, chip and driver.
 *   1 fill: bytes 1-2 = n (u16 LE): the virtual clock runs n output periods; the chip fills its FIFO.
 *   2 sample: driver.sample(): the measured hot path (bulk FIFO read over SPI + conversion); header only.
 *   4 values: the header of the last sample plus its converted values (kept out of the measured call).
 *   5 bus only: the same three SPI transactions as sample() (STATUS, FILTER..POWER_CTL, the FIFO) on a second
 *     chip model through the same host SPI class, without the driver: what the simulated bus costs, so a
 *     bench can subtract it (on the board the transfer itself is native code).
 *   3 baseline: byte 1 = n sets: one bare one-pole IIR per axis over the last converted values (the
 *     DESIGN.md yardstick, ~29 units a sample-axis), so a bench states the driver's cost as a ratio.
 * Reply: u8 status (count, 0xff = undefined), u8 fault, u8 FIFO entries left, then (command 4 only)
 * count x 3 float64 LE.
 */
import { ADXL355 } from "../../../firmware/drivers/adxl355.js";
import { SimBoard } from "../../../host-sim/board.js";
import { Adxl355Model } from "../../../host-sim/chips/adxl355.js";
import { VirtualClock } from "../../../host-sim/clock.js";
import { type HostSPI, makeSPI } from "../../../host-sim/io/spi.js";
import { Prng } from "../../../host-sim/prng.js";

const replyBytes = new Uint8Array(3 + 8 * 3 * 32);
const reply = new DataView(replyBytes.buffer);
let board: SimBoard;
let model: Adxl355Model;
let driver: ADXL355;
let periodMs = 1;
let busModel: Adxl355Model;
let bus: HostSPI;
const status3 = new Uint8Array(3);
const config7 = new Uint8Array(7);
const fifoBuf = new Uint8Array(1 + 288);
const fifoViews: Uint8Array[] = [];
for (let sets = 0; sets <= 32; sets++) fifoViews.push(fifoBuf.subarray(0, 1 + 9 * sets));
let hx = 0;
let hy = 0;
let hz = 0;
let px = 0;
let py = 0;
let pz = 0;

/** A deterministic vibration: two tones and seeded noise, written into `out` (no allocation per sample). */
function makeSource(prng: Prng) {
  return (tMs: number, out: Float64Array): undefined => {
    const w = (2 * Math.PI * tMs) / 1000;
    out[0] = 0.3 * Math.sin(37 * w) + 0.01 * prng.next();
    out[1] = 0.2 * Math.sin(53 * w + 1) + 0.01 * prng.next();
    out[2] = 9.80665 + 0.1 * Math.sin(11 * w) + 0.01 * prng.next();
    return undefined;
  };
}

function setup(range: 2 | 4 | 8, odrHz: number): void {
  board = new SimBoard(new VirtualClock(), new Prng(355));
  model = new Adxl355Model(board, { source: makeSource(board.prng.fork(7)) });
  board.attachSPI(1, 5, model);
  driver = new ADXL355({
    sensor: { io: makeSPI(board), port: 1, select: 5, clock: 18, in: 19, out: 23 },
    range,
    odrHz,
    fifoWatermark: 32,
  });
  periodMs = 1000 / odrHz;
  // The bus-only twin: a second chip on select 6, programmed like the driver's by plain register writes.
  busModel = new Adxl355Model(board, { source: makeSource(board.prng.fork(8)) });
  board.attachSPI(1, 6, busModel);
  bus = new (makeSPI(board))({ port: 1, select: 6, clock: 18, in: 19, out: 23, hz: 8_000_000 });
  const image = [
    0x50,
    model.regs[0x28]!,
    0x52,
    model.regs[0x29]!,
    0x54,
    model.regs[0x2a]!,
    0x58,
    model.regs[0x2c]!,
    0x5a,
    0,
  ];
  for (let i = 0; i < image.length; i += 2) {
    bus.transfer(Uint8Array.of(image[i]!, image[i + 1]!));
    bus.flush(true);
  }
}

function busOnly(): number {
  status3.fill(0);
  status3[0] = 0x09;
  bus.transfer(status3);
  bus.flush(true);
  config7.fill(0);
  config7[0] = 0x51;
  bus.transfer(config7);
  bus.flush(true);
  const sets = ((status3[2]! & 0x7f) / 3) | 0;
  const view = fifoViews[sets]!;
  view.fill(0);
  fifoBuf[0] = 0x23;
  bus.transfer(view);
  bus.flush(true);
  return sets;
}

let lastCount: number | undefined;

function answer(count: number | undefined, withValues = false): Uint8Array {
  lastCount = count;
  const n = withValues ? (count ?? 0) : 0;
  replyBytes[0] = count === undefined ? 0xff : count;
  replyBytes[1] = driver.fault;
  replyBytes[2] = model.fifoEntries;
  const a = driver.accelMPerS2;
  for (let i = 0; i < 3 * n; i++) reply.setFloat64(3 + 8 * i, a[i]!, true);
  return replyBytes.subarray(0, 3 + 24 * n);
}

export function handle(req: Uint8Array): Uint8Array {
  const cmd = req[0];
  if (cmd === 0) {
    setup(req[1] as 2 | 4 | 8, req[2]! | (req[3]! << 8));
    return answer(0);
  }
  if (cmd === 1) {
    board.clock.advance((req[1]! | (req[2]! << 8)) * periodMs);
    return answer(undefined);
  }
  if (cmd === 2) return answer(driver.sample());
  if (cmd === 4) return answer(lastCount, true);
  if (cmd === 5) {
    replyBytes[0] = busOnly();
    return replyBytes.subarray(0, 1);
  }
  if (cmd === 3) {
    const n = req[1]!;
    const x = driver.accelMPerS2;
    const a = 0.9987;
    for (let i = 0, k = 0; i < n; i++, k += 3) {
      hx = a * (hx + x[k]! - px);
      hy = a * (hy + x[k + 1]! - py);
      hz = a * (hz + x[k + 2]! - pz);
      px = x[k]!;
      py = x[k + 1]!;
      pz = x[k + 2]!;
    }
    return answer(0);
  }
  throw new Error(`drivers-spi entry: unknown command ${cmd}`);
}
