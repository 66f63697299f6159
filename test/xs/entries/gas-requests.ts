/** Request builders and a trace generator shared by test/xs/gas.test.ts and bench/gas.bench.ts. */
import { Prng } from "../../../host-sim/prng.js";
import type { XsWorker } from "../harness.js";
import { CMD_CONFIGURE, SAMPLE_FIELDS } from "./gas.js";

/** Rows of (tMs, ch4, co, o2, h2s). */
export interface GasTrace {
  count: number;
  rows: Float64Array;
}

export function configureRequest(preset: number): Uint8Array {
  const r = new Uint8Array(8);
  r[0] = CMD_CONFIGURE;
  r[1] = preset;
  return r;
}

export function commandRequest(cmd: number): Uint8Array {
  const r = new Uint8Array(8);
  r[0] = cmd;
  return r;
}

export function samplesRequest(cmd: number, trace: GasTrace, from: number, n: number): Uint8Array {
  const r = new Uint8Array(8 + n * SAMPLE_FIELDS * 8);
  r[0] = cmd;
  new Float64Array(r.buffer, 8, n * SAMPLE_FIELDS).set(
    trace.rows.subarray(from * SAMPLE_FIELDS, (from + n) * SAMPLE_FIELDS),
  );
  return r;
}

/**
 * A seeded four-gas day fragment at 1 Hz: noisy baselines, a CH4 inrush past 1.5 %, a CO release past STEL
 * levels, an O2 dip below 19.5 %, an H2S spike, dropouts (NaN), an Infinity and a stuck stretch.
 */
export function busyGasTrace(seed: number, seconds: number): GasTrace {
  const rng = new Prng(seed);
  const rows = new Float64Array(seconds * SAMPLE_FIELDS);
  for (let i = 0; i < seconds; i++) {
    const t = i;
    const bump = (start: number, peak: number, rise: number, hold: number) =>
      t < start
        ? 0
        : t < start + hold
          ? peak * (1 - Math.exp(-(t - start) / rise))
          : peak * Math.exp(-(t - start - hold) / 60);
    let ch4 = 0.15 + rng.gaussian(0, 0.01) + bump(400, 2.2, 20, 200);
    let co = 2 + rng.gaussian(0, 0.3) + bump(900, 160, 30, 600);
    let o2 = 20.9 + rng.gaussian(0, 0.03) - bump(1700, 2, 40, 200) - 0.209 * (ch4 - 0.15);
    const h2s = Math.max(0, rng.gaussian(0, 0.1)) + bump(2200, 12, 10, 120);
    if (t >= 1200 && t < 1206) co = Number.NaN;
    if (t === 1300) ch4 = Number.POSITIVE_INFINITY;
    if (t >= 2500 && t < 2520) ch4 = Number.NaN;
    if (t >= 2600) o2 = 20.85; // a frozen O2 cell
    const r = i * SAMPLE_FIELDS;
    rows[r] = 600_000 + t * 1000;
    rows[r + 1] = Math.round(ch4 * 100) / 100;
    rows[r + 2] = Math.round(co * 10) / 10;
    rows[r + 3] = Math.round(o2 * 100) / 100;
    rows[r + 4] = Math.round(h2s * 10) / 10;
  }
  return { count: seconds, rows };
}

/**
 * Meter units per channel-sample for `cmd`: (compute(2n) - compute(n)) / (4 n), which cancels the per-call
 * overhead; samples start at `from` (the state advances through the trace as in real use).
 */
export async function unitsPerChannelSample(
  xs: XsWorker,
  cmd: number,
  trace: GasTrace,
  from: number,
  n: number,
): Promise<number> {
  const one = await xs.call(samplesRequest(cmd, trace, from, n));
  const two = await xs.call(samplesRequest(cmd, trace, from + n, 2 * n));
  return (two.compute - one.compute) / (4 * n);
}
