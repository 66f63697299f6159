/**
 * Seismic detector on the real XS engine: meter units per sample-axis (quiet data and inside a long event)
 * for each preset of test/xs/entries/seismic.ts, against a bare one-pole IIR per axis measured in the same
 * run (DESIGN.md's yardstick), and the heap growth per call for blocks of 0.5 s and 4 s of samples (equal =
 * nothing allocated per sample). Request decoding is measured alone and subtracted from both.
 */

import { growingTrace, makeTrace, type Trace } from "../test/sensing/seismic/signals.js";
import {
  CMD_BASELINE,
  CMD_DECODE,
  CMD_PUSH,
  configureRequest,
  samplesRequest,
  unitsPerSample,
} from "../test/xs/entries/seismic-requests.js";
import { XsWorker } from "../test/xs/harness.js";

const BUDGET = 200;
const PRESETS = [
  [0, 1000, "1 kHz, recursive STA/LTA"],
  [1, 1000, "1 kHz, classic STA/LTA (4000-sample ring)"],
  [2, 100, "100 Hz, recursive STA/LTA"],
] as const;

export async function run(): Promise<void> {
  const xs = await XsWorker.start("test/xs/entries/seismic.ts");
  try {
    const rows: string[][] = [];
    let baseline = 0;
    for (const [preset, rate, label] of PRESETS) {
      // Blocks of 4 s stay within the entry's 8192-sample buffers (a measurement sends n and 2n samples).
      const n = 4 * rate;
      const feed = async (trace: Trace, untilS: number) => {
        for (let i = 0; i < untilS * rate; i += n)
          await xs.call(samplesRequest(CMD_PUSH, trace.tMs, trace.xyz, i, n));
      };
      const quiet = makeTrace(1, rate, 60, 0.002, []);
      // A growing vibration (velocity e^(0.2 t)) that holds the trigger on from ~20-33 s to the end (50 s).
      const loud = growingTrace(2, rate, 50, 20, 0.00002, 0.2, rate / 16);
      await xs.call(configureRequest(preset));
      await feed(quiet, 16);
      const decode = await unitsPerSample(xs, CMD_DECODE, quiet.tMs, quiet.xyz, 16 * rate, n);
      const quietUnits = (await unitsPerSample(xs, CMD_PUSH, quiet.tMs, quiet.xyz, 16 * rate, n)) - decode;
      if (preset === 0)
        baseline = (await unitsPerSample(xs, CMD_BASELINE, quiet.tMs, quiet.xyz, 0, n)) - decode;
      await xs.evaluate("gc()");
      const heap: number[] = [];
      let at = 40 * rate;
      for (const size of [n / 8, n]) {
        const before = (await xs.call(samplesRequest(CMD_DECODE, quiet.tMs, quiet.xyz, at, 1))).heapCount;
        heap.push(
          (await xs.call(samplesRequest(CMD_PUSH, quiet.tMs, quiet.xyz, at, size))).heapCount - before,
        );
        at += size;
      }
      await xs.call(configureRequest(preset));
      await feed(loud, 36);
      const loudUnits = (await unitsPerSample(xs, CMD_PUSH, loud.tMs, loud.xyz, 36 * rate, n)) - decode;
      const q = quietUnits / 3;
      const l = loudUnits / 3;
      const b = baseline / 3;
      rows.push([
        label,
        q.toFixed(1),
        l.toFixed(1),
        `${(q / b).toFixed(2)}x / ${(l / b).toFixed(2)}x`,
        `${heap[0]} / ${heap[1]}`,
        Math.max(q, l) <= BUDGET ? "ok" : "OVER",
      ]);
    }
    const header = [
      "case",
      "units/sample-axis quiet",
      "in event",
      "ratio vs one-pole IIR (quiet / event)",
      "heap slots per call (0.5 s / 4 s block)",
      `budget ${BUDGET}`,
    ];
    const table = [header, ...rows];
    const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
    for (const r of table) console.log(`| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`);
    console.log(
      `\nbaseline: a bare one-pole IIR per axis costs ${(baseline / 3).toFixed(1)} units per sample-axis in the same ` +
        `worker on the same samples; request decoding subtracted; bundle ${xs.bundleBytes} bytes`,
    );
  } finally {
    await xs.close();
  }
}
