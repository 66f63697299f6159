/**
 * The gas pipeline on the real XS engine: same outputs as in Node for the same input (byte for byte: same
 * alarms, faults, states, at the same sample times, and the same values/averages), heap flat across blocks
 * (no allocation per sample), and its compute per channel-sample (reported, and bounded here so a
 * regression shows).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANGE_FIELDS, CMD_ACK, CMD_DECODE, CMD_PUSH, handle as nodeHandle } from "./entries/gas.js";
import {
  busyGasTrace,
  commandRequest,
  configureRequest,
  samplesRequest,
  unitsPerChannelSample,
} from "./entries/gas-requests.js";
import { XsWorker } from "./harness.js";

const ENTRY = "test/xs/entries/gas.ts";

describe("gas pipeline on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start(ENTRY);
  });
  afterAll(async () => {
    await xs?.close();
  });

  for (const preset of [0, 1]) {
    it(`preset ${preset}: XS and Node give identical bytes for a busy trace (alarms, faults, times, values)`, async () => {
      const trace = busyGasTrace(7 + preset, 4800);
      const block = 600;
      let changes = 0;
      const kinds = new Set<number>();
      const send = async (req: Uint8Array) => {
        const x = (await xs.call(req)).reply;
        const n = nodeHandle(req).slice();
        expect(Buffer.from(x).equals(Buffer.from(n))).toBe(true);
        const dv = new DataView(n.buffer);
        const count = dv.getUint32(0, true);
        changes += count;
        for (let i = 0; i < count; i++) kinds.add(dv.getFloat64(8 + i * CHANGE_FIELDS * 8 + 16, true));
        return dv;
      };
      await send(configureRequest(preset));
      for (let i = 0; i < trace.count; i += block)
        await send(samplesRequest(CMD_PUSH, trace, i, Math.min(block, trace.count - i)));
      const ack = await send(commandRequest(CMD_ACK));
      // The trace raises alarms (several distinct alarm masks) and the latched A2s reset on ack.
      expect(changes).toBeGreaterThan(10);
      expect(kinds.size).toBeGreaterThan(3);
      expect(ack.getUint32(4, true)).toBeGreaterThan(0);
    });
  }

  it("heap is flat: growth per call does not depend on the number of samples in it", async () => {
    const trace = busyGasTrace(3, 4000);
    await xs.call(configureRequest(0));
    await xs.call(samplesRequest(CMD_PUSH, trace, 0, 1000));
    await xs.evaluate("gc()");
    const growth: number[] = [];
    let at = 1000;
    for (const n of [50, 400, 1600]) {
      const before = (await xs.call(samplesRequest(CMD_DECODE, trace, at, 1))).heapCount;
      growth.push((await xs.call(samplesRequest(CMD_PUSH, trace, at, n))).heapCount - before);
      at += n;
    }
    expect(growth[1]).toBe(growth[0]);
    expect(growth[2]).toBe(growth[0]);
  });

  it("compute per channel-sample is measured and bounded", async () => {
    const trace = busyGasTrace(4, 4000);
    await xs.call(configureRequest(0));
    await xs.call(samplesRequest(CMD_PUSH, trace, 0, 600));
    const decode = await unitsPerChannelSample(xs, CMD_DECODE, trace, 600, 400);
    const push = (await unitsPerChannelSample(xs, CMD_PUSH, trace, 1800, 400)) - decode;
    expect(push).toBeGreaterThan(29); // more than a bare one-pole IIR
    expect(push).toBeLessThan(2000);
  });
});
