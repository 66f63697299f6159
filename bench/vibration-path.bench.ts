/**
 * The whole vibration path on the real XS engine (test/xs/entries/vibration-path.ts): ADXL355 driver, one
 * bulk FIFO read through the host SPI class from the chip model, conversion to m/s^2, sample times as the
 * runtime gives them, SeismicDetector.pushBlock with the runtime's defaults, 1 kHz. Meter units are
 * deterministic.
 *
 * Per sample-axis = (meter(path call) - meter(bus-only call)) / (3 x sets read), averaged over 16 reads:
 * the bus-only call makes the same SPI transactions on a twin chip without a driver (host SPI class + chip
 * model, native hardware on the board), so subtracting it leaves driver + sample times + detector. The
 * driver share is a second driver's `sample()` on a third chip minus the same bus cost; the sample-time
 * share is the runtime's per-read time stamping (VibrationChannel.poll) run alone; the detector share is
 * the rest. Per-read costs (three SPI transactions, pushBlock's entry and exit) are included, amortised over
 * the sets read.
 * Baseline: a bare one-pole IIR per axis in the same worker (DESIGN.md's yardstick, ~29 units).
 */

import { growingTrace, makeTrace, type Trace } from "../test/sensing/seismic/signals.js";
import {
  baselineCall,
  feed,
  measurePath,
  perSampleAxis,
  setupRequest,
} from "../test/xs/entries/vibration-path-requests.js";
import { XsWorker } from "../test/xs/harness.js";

const BUDGET = 200;
const READS = 16;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export async function run(): Promise<void> {
  const xs = await XsWorker.start("test/xs/entries/vibration-path.ts");
  try {
    // Quiet: sensor-like noise (2 mm/s^2 sd) on gravity, measured after the 5 s LTA has warmed up.
    const quiet = makeTrace(1, 1000, 12, 0.002, []);
    // Triggered: a vibration growing as e^(0.2 t) from 20 s holds the trigger on (the seismic bench's event
    // case); measured 10 s into it, where every half cycle is a new PPV peak on every axis. 62.5 Hz is the
    // seismic bench's frequency; 250 Hz (the ADXL355's low-pass corner at 1 kHz) is the most zero crossings.
    const loud = growingTrace(2, 1000, 32, 20, 0.00002, 0.2, 62.5);
    const loud250 = growingTrace(2, 1000, 32, 20, 0.00002, 0.2, 250);
    // Post-event window: a 40 Hz burst at 7 s; the trigger goes off near 7.5 s and the event stays open for
    // the 2 s post window, measured from 8 s.
    const burst = makeTrace(31, 1000, 13, 0.002, [
      { startS: 7, vx: 0.004, vy: 0.001, vz: 0.002, freqHz: 40, k: 8 },
    ]);
    const cases: [string, Trace, number, number, "quiet" | "on" | "post"][] = [
      ["quiet, 32-set reads", quiet, 8000, 32, "quiet"],
      ["quiet, 16-set reads", quiet, 8000, 16, "quiet"],
      ["triggered 62.5 Hz, 32-set reads", loud, 30_016, 32, "on"],
      ["triggered 62.5 Hz, 16-set reads", loud, 30_016, 16, "on"],
      ["triggered 250 Hz, 32-set reads", loud250, 30_016, 32, "on"],
      ["post-event window, 32-set reads", burst, 8000, 32, "post"],
    ];
    await xs.call(setupRequest());
    await feed(xs, quiet, 0, 32, 32);
    const iir = ((await baselineCall(xs, 32)) - (await baselineCall(xs, 1))) / 93;
    const rows: string[][] = [];
    for (const [label, trace, at, sets, kind] of cases) {
      await xs.call(setupRequest());
      const warm = await feed(xs, trace, 0, at, sets);
      await xs.evaluate("gc()");
      const c = await measurePath(xs, trace, at, sets, READS);
      // The state during the measurement: quiet = never triggered; on = one event open, ratio >= off (1.5);
      // post = one event open, ratio below off. No onset or close inside the measured reads.
      const open = (warm & 3) === 1 && (c.bits & 3) === 0;
      const ok =
        kind === "quiet"
          ? (warm | c.bits) === 0
          : open && (kind === "on" ? c.lastRatio >= 1.5 : c.lastRatio < 1.5);
      if (!ok)
        throw new Error(
          `${label}: the detector is not in the state this row measures (bits ${warm}/${c.bits}, ratio ${c.lastRatio})`,
        );
      const s = perSampleAxis(c);
      rows.push([
        label,
        s.whole.toFixed(1),
        s.driver.toFixed(1),
        s.times.toFixed(1),
        s.detector.toFixed(1),
        `${(s.whole / iir).toFixed(2)}x`,
        ((c.bus - c.nothing) / (3 * sets)).toFixed(1),
        `${Math.min(...c.pathHeap)}..${Math.max(...c.pathHeap)}`,
        s.whole <= BUDGET ? "ok" : "OVER",
      ]);
    }
    console.log("Whole vibration path on XS, 1 kHz, runtime defaults (meter units per sample-axis):\n");
    console.log(
      table(
        [
          "case",
          "whole path",
          "driver",
          "sample times",
          "detector",
          "vs one-pole IIR",
          "bus+model (subtracted)",
          "heap slots per read",
          `budget ${BUDGET}`,
        ],
        rows,
      ),
    );
    console.log(
      `\nbaseline: a bare one-pole IIR per axis costs ${iir.toFixed(1)} units per sample-axis in the same worker; ` +
        `averages over ${READS} reads; XS bundle ${xs.bundleBytes} bytes (driver + detector + host SPI + chip model)`,
    );
  } finally {
    await xs.close();
  }
}
