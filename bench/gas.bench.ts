/**
 * Gas pipeline on the real XS engine: meter units per channel-sample for each stage alone and for the whole
 * path (four channels: CH4, CO, O2, H2S, kz-ru-coal at the face, 1 Hz), against a bare one-pole IIR per
 * channel measured in the same run (DESIGN.md's ~29-unit yardstick), and the heap growth per call for blocks
 * of 50 and 1600 samples (equal = nothing allocated per sample). Request decoding is measured alone and
 * subtracted from every figure.
 */

import {
  CMD_BASELINE,
  CMD_DECODE,
  CMD_PUSH,
  CMD_STAGE_CALIBRATE,
  CMD_STAGE_EXPOSURE,
  CMD_STAGE_FAULTS,
  CMD_STAGE_FILTER,
  CMD_STAGE_SETPOINTS,
} from "../test/xs/entries/gas.js";
import {
  busyGasTrace,
  configureRequest,
  samplesRequest,
  unitsPerChannelSample,
} from "../test/xs/entries/gas-requests.js";
import { XsWorker } from "../test/xs/harness.js";

const STAGES = [
  [CMD_STAGE_CALIBRATE, "calibrate (two-point)"],
  [CMD_STAGE_FILTER, "filter (EMA)"],
  [CMD_STAGE_EXPOSURE, "STEL + TWA (CO, H2S only; per channel-sample of 4)"],
  [CMD_STAGE_SETPOINTS, "set-points A1 + A2"],
  [CMD_STAGE_FAULTS, "fault checks"],
  [CMD_PUSH, "whole path (GasChannelPipeline.push)"],
] as const;

export async function run(): Promise<void> {
  const xs = await XsWorker.start("test/xs/entries/gas.ts");
  try {
    const trace = busyGasTrace(11, 4000);
    const n = 400;
    await xs.call(configureRequest(0));
    await xs.call(samplesRequest(CMD_PUSH, trace, 0, 600));
    const decode = await unitsPerChannelSample(xs, CMD_DECODE, trace, 600, n);
    const baseline = (await unitsPerChannelSample(xs, CMD_BASELINE, trace, 600, n)) - decode;
    const rows: string[][] = [["one-pole IIR (baseline)", baseline.toFixed(1), "1.00"]];
    for (const [cmd, label] of STAGES) {
      await xs.call(configureRequest(0));
      await xs.call(samplesRequest(cmd, trace, 0, 600));
      const units = (await unitsPerChannelSample(xs, cmd, trace, 600, n)) - decode;
      rows.push([label, units.toFixed(1), (units / baseline).toFixed(2)]);
    }
    await xs.call(configureRequest(0));
    await xs.call(samplesRequest(CMD_PUSH, trace, 0, 1000));
    await xs.evaluate("gc()");
    const heap: number[] = [];
    let at = 1000;
    for (const size of [50, 1600]) {
      const before = (await xs.call(samplesRequest(CMD_DECODE, trace, at, 1))).heapCount;
      heap.push((await xs.call(samplesRequest(CMD_PUSH, trace, at, size))).heapCount - before);
      at += size;
    }
    console.log("| stage (per channel-sample, XS meter units) | units | x IIR |");
    console.log("| --- | ---: | ---: |");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
    console.log(
      `\nheap growth per push call: ${heap[0]} slots for 50 samples, ${heap[1]} slots for 1600 samples ` +
        `(${heap[0] === heap[1] ? "flat: 0 allocation per sample" : "NOT flat"})`,
    );
  } finally {
    await xs.close();
  }
}
