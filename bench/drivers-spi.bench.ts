/**
 * ADXL355 hot path on the XS engine: `sample()` = STATUS + configuration readback + one bulk FIFO read over
 * SPI + conversion of every x/y/z set to m/s^2, with the firmware driver, the host SPI class and the chip
 * model bundled together (test/xs/entries/drivers-spi.ts). Meter units are deterministic.
 *
 * marginal per sample-axis = (meter(32 sets) - meter(1 set)) / 93: the cost that grows with the data.
 * fixed per call = meter(1 set) - 3 x marginal: the four SPI transactions and checks, paid once per read
 * (on the board the SPI transfer itself is native; here the host SPI class and chip model are JS and count).
 * amortised = the whole call divided by its sample-axes at a given watermark.
 * "all" counts driver + host SPI class + chip model; "driver" subtracts the same transactions run without the
 * driver on a twin chip (what the board does natively). s-a = sample-axis.
 * Baseline: a bare one-pole IIR per axis in the same worker (DESIGN.md's yardstick, ~29 units).
 */
import { XsWorker } from "../test/xs/harness.js";

const setup = (range: number, odrHz: number) => Uint8Array.of(0, range, odrHz & 0xff, odrHz >> 8);
const fill = (n: number) => Uint8Array.of(1, n & 0xff, n >> 8);
const SAMPLE = Uint8Array.of(2);
const BUS_ONLY = Uint8Array.of(5);

async function sampleCost(
  xs: XsWorker,
  sets: number,
  cmd = SAMPLE,
): Promise<{ compute: number; heap: number }> {
  const before = await xs.call(fill(sets));
  const r = await xs.call(cmd);
  if (r.reply[0] !== sets)
    throw new Error(`expected ${sets} sets, driver returned ${r.reply[0]} (fault ${r.reply[1]})`);
  return { compute: r.compute, heap: r.heapCount - before.heapCount };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export async function run(): Promise<void> {
  const xs = await XsWorker.start("test/xs/entries/drivers-spi.ts");
  try {
    const rows: string[][] = [];
    for (const [range, odrHz] of [
      [2, 1000],
      [8, 4000],
    ] as const) {
      await xs.call(setup(range, odrHz));
      await xs.evaluate("gc()");
      const one = await sampleCost(xs, 1);
      const s16 = await sampleCost(xs, 16);
      const s32 = await sampleCost(xs, 32);
      const marginal = (s32.compute - one.compute) / 93;
      const fixed = one.compute - 3 * marginal;
      await xs.call(BUS_ONLY); // drain the twin's FIFO, filled while the driver was measured
      const busOne = await sampleCost(xs, 1, BUS_ONLY);
      const bus32 = await sampleCost(xs, 32, BUS_ONLY);
      const busMarginal = (bus32.compute - busOne.compute) / 93;
      const busFixed = busOne.compute - 3 * busMarginal;
      const ownMarginal = marginal - busMarginal;
      const ownFixed = fixed - busFixed;
      const b1 = await xs.call(Uint8Array.of(3, 1));
      const b32 = await xs.call(Uint8Array.of(3, 32));
      const iir = (b32.compute - b1.compute) / 93;
      rows.push([
        `+-${range} g, ${odrHz} Hz`,
        marginal.toFixed(1),
        fixed.toFixed(0),
        (s16.compute / 48).toFixed(1),
        (s32.compute / 96).toFixed(1),
        ownMarginal.toFixed(1),
        ownFixed.toFixed(0),
        ((ownFixed + 48 * ownMarginal) / 48).toFixed(1),
        iir.toFixed(1),
        `${(ownMarginal / iir).toFixed(2)}x`,
        `${one.heap} / ${s16.heap} / ${s32.heap}`,
      ]);
    }
    console.log(
      "ADXL355 sample() on XS (meter units; budget for the whole vibration path: 200 per sample-axis):\n",
    );
    console.log(
      table(
        [
          "preset",
          "all: marginal/s-a",
          "all: fixed/call",
          "all: @16 sets/s-a",
          "all: @32 sets/s-a",
          "driver: marginal/s-a",
          "driver: fixed/call",
          "driver: @16 sets/s-a",
          "IIR/s-a",
          "driver marginal/IIR",
          "heap delta 1/16/32 sets",
        ],
        rows,
      ),
    );
    console.log(
      `\nXS bundle: ${xs.bundleBytes} bytes (driver + host SPI + chip model + clock + PRNG, not minified)`,
    );
  } finally {
    await xs.close();
  }
}
