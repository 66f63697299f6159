/**
 * The whole vibration path on the real XS engine (test/xs/entries/vibration-path.ts): ADXL355 driver ->
 * bulk FIFO read through the host SPI class from the chip model -> m/s^2 -> sample times as the runtime
 * gives them -> SeismicDetector.pushBlock, with the runtime's defaults at 1 kHz.
 *
 * - XS and Node give the same bytes (every reply and every record), and the path measures a known burst:
 *   the driver's 20-bit quantisation keeps the PPV within 2 % of the true peak velocity.
 * - DESIGN.md budget: <= 200 XS meter units per sample-axis for the whole path, quiet and inside an event,
 *   at the FIFO reads the runtime makes (firmware/node/runtime/sensors.ts Adxl355Port polls at half the
 *   32-set FIFO: 16 sets a read). Per sample-axis = (meter(path call) - meter(bus-only call)) / (3 x sets): the
 *   bus-only call makes the same SPI transactions on a twin chip without a driver, i.e. the host SPI class
 *   and chip model that are native hardware on the board. Meter counts are deterministic, so this is an
 *   exact figure, not a timing.
 * - No allocation per sample: the heap growth of a path call is the same for 1, 16 and 32 sets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventPhase } from "../../firmware/sensing/seismic/index.js";
import { growingTrace, makeTrace, type Trace, truePpv } from "../sensing/seismic/signals.js";
import { CMD_OUTPUTS, handle as nodeHandle } from "./entries/vibration-path.js";
import {
  command,
  feed,
  measurePath,
  parseOutputs,
  perSampleAxis,
  setupRequest,
} from "./entries/vibration-path-requests.js";
import { XsWorker } from "./harness.js";

const ENTRY = "test/xs/entries/vibration-path.ts";
const BUDGET_PER_SAMPLE_AXIS = 200;
/** Sets per FIFO read as the runtime polls (half the ADXL355's 32-set FIFO). */
const RUNTIME_SETS = 16;
/** Field positions in an event record (SeismicEvent's own order, see vibration-path.ts outputs). */
const EV_PHASE = 0;
const EV_PPV_X = 13;
const EV_PPV_AXIS = 17;
const EV_FREQ = 21;

describe("whole vibration path on XS (driver + SPI + chip model + detector)", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start(ENTRY);
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("XS equals Node byte for byte, and the path measures a burst's PPV and frequency", async () => {
    const burst = { startS: 7, vx: 0.004, vy: 0.001, vz: 0.002, freqHz: 40, k: 8 };
    const trace = makeTrace(31, 1000, 13, 0.002, [burst]);
    const xsReplies: number[][] = [];
    const nodeReplies: number[][] = [];
    const both = {
      call: async (req: Uint8Array) => {
        const r = await xs.call(req);
        xsReplies.push(Array.from(r.reply));
        nodeReplies.push(Array.from(nodeHandle(req)));
        return r;
      },
    };
    await both.call(setupRequest());
    // The burst lasts about 1.3 s, then the 2 s post-event window: the final record is out by 13 s.
    await feed(both, trace, 0, 12_992, 32);
    const records = parseOutputs((await both.call(command(CMD_OUTPUTS))).reply);
    expect(xsReplies).toEqual(nodeReplies);
    const finals = records.events.filter((e) => e[EV_PHASE] === EventPhase.Final);
    expect(records.events.length).toBeGreaterThanOrEqual(2);
    expect(finals).toHaveLength(1);
    const ev = finals[0]!;
    expect(ev[EV_PPV_AXIS]).toBe(0);
    const want = truePpv(burst, burst.vx) * 1000;
    expect(Math.abs(ev[EV_PPV_X]! - want)).toBeLessThanOrEqual(0.02 * want);
    expect(Math.abs(ev[EV_FREQ]! - 40)).toBeLessThanOrEqual(0.02 * 40);
  });

  async function heapPerRead(trace: Trace, at: number): Promise<number[]> {
    const deltas: number[] = [];
    for (const sets of [1, 16, 32, 1, 32]) {
      const c = await measurePath(xs, trace, at, sets, 1);
      deltas.push(c.pathHeap[0]!);
      at += sets;
    }
    return deltas;
  }

  it("quiet: <= 200 meter units per sample-axis at the runtime's 16-set reads; heap flat", async () => {
    const quiet = makeTrace(7, 1000, 7, 0.002, []);
    await xs.call(setupRequest());
    await feed(xs, quiet, 0, 5504, 32);
    await xs.evaluate("gc()");
    const deltas = await heapPerRead(quiet, 5504);
    // The per-call allocation (the harness's request and reply, the board's select-pin iteration) is the
    // same whatever the number of sets: nothing is allocated per sample.
    expect(new Set(deltas).size).toBe(1);
    const c = await measurePath(xs, quiet, 6016, RUNTIME_SETS, 16);
    expect(c.bits).toBe(0);
    const s = perSampleAxis(c);
    console.log(
      `vibration path on XS, quiet, ${RUNTIME_SETS}-set reads: ${s.whole.toFixed(1)} units/sample-axis`,
    );
    expect(s.whole).toBeLessThanOrEqual(BUDGET_PER_SAMPLE_AXIS);
    expect(s.driver).toBeGreaterThan(10);
    expect(s.detector).toBeGreaterThan(50);
  });

  it("inside an event: <= 200 meter units per sample-axis at the runtime's 16-set reads; heap flat", async () => {
    // A 62.5 Hz vibration growing as e^(0.2 t) from 6 s (after the 5 s LTA has warmed up) holds the trigger
    // on; every half cycle is a new PPV peak on every axis (the detector's heaviest steady path).
    const loud = growingTrace(8, 1000, 12, 6, 0.00002, 0.2, 62.5);
    await xs.call(setupRequest());
    const warm = await feed(xs, loud, 0, 10_016, 32);
    expect(warm & 1).toBe(1); // the onset happened during the warm-up
    await xs.evaluate("gc()");
    const deltas = await heapPerRead(loud, 10_016);
    expect(new Set(deltas).size).toBe(1);
    const c = await measurePath(xs, loud, 10_528, RUNTIME_SETS, 16);
    expect(c.bits & 3).toBe(0); // no onset, no close: the measurement is inside the one event
    expect(c.lastRatio).toBeGreaterThanOrEqual(1.5); // still triggered (at or above `off`)
    const s = perSampleAxis(c);
    console.log(
      `vibration path on XS, in an event, ${RUNTIME_SETS}-set reads: ${s.whole.toFixed(1)} units/sample-axis`,
    );
    expect(s.whole).toBeLessThanOrEqual(BUDGET_PER_SAMPLE_AXIS);
    expect(s.detector).toBeGreaterThan(50);
  });
});
