/**
 * I2C drivers on XS: meter units per `sample()` for the ADS1115 and SHT3x drivers, each against a baseline
 * measured in the same run: the same bus transactions made bare (no checks, no unit conversion) through the
 * same host I2C class and chip model. Driver minus bare is what the driver's own code costs on the node; the
 * bare figure is mostly the simulated bus and model, which on the board are hardware.
 * One sample's cost = (meter(101 samples) - meter(1 sample)) / 100, so the call's fixed cost cancels out.
 * Heap: live-slot growth over a 100-sample call (0 = nothing allocated per sample).
 */
import { XsWorker } from "../test/xs/harness.js";

const req = (mode: number, n: number) => Uint8Array.of(mode, n >> 8, n & 0xff);

async function perSample(xs: XsWorker, mode: number): Promise<{ compute: number; heapPer100: number }> {
  await xs.call(req(mode, 5));
  await xs.evaluate("gc()");
  const one = await xs.call(req(mode, 1));
  const many = await xs.call(req(mode, 101));
  const again = await xs.call(req(mode, 1));
  const hundred = await xs.call(req(mode, 100));
  return {
    compute: (many.compute - one.compute) / 100,
    heapPer100: hundred.heapCount - again.heapCount - (again.heapCount - many.heapCount),
  };
}

export async function run(): Promise<void> {
  const xs = await XsWorker.start("test/xs/entries/drivers-i2c.ts");
  try {
    const rows: string[][] = [];
    for (const [name, driverMode, bareMode] of [
      ["ADS1115 sample (config check + conversion + restart)", 0, 2],
      ["SHT3x sample (result + status + restart, 3 CRCs)", 1, 3],
    ] as const) {
      const d = await perSample(xs, driverMode);
      const b = await perSample(xs, bareMode);
      rows.push([
        name,
        d.compute.toFixed(0),
        b.compute.toFixed(0),
        (d.compute - b.compute).toFixed(0),
        `${(d.compute / b.compute).toFixed(2)}x`,
        String(d.heapPer100),
      ]);
    }
    const header = ["path", "driver", "bare bus", "driver own", "ratio", "heap/100"];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
    const line = (cells: string[]) =>
      cells
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join("  ");
    console.log("XS meter units per sample (ratio = driver / bare-bus baseline, same run):\n");
    console.log([line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n"));
  } finally {
    await xs.close();
  }
}
