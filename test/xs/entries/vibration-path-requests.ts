/**
 * Host side of the vibration-path XS entry (vibration-path.ts): request builders and the measurement the
 * XS test and the bench share, so both state the same figures from the same bytes.
 */
import type { Trace } from "../../sensing/seismic/signals.js";
import {
  CMD_BASELINE,
  CMD_BUS,
  CMD_DRIVER,
  CMD_FILL,
  CMD_LOAD,
  CMD_NOTHING,
  CMD_OUTPUTS,
  CMD_PATH,
  CMD_RUN,
  CMD_SETUP,
  CMD_TIMES,
  EVENT_FIELDS,
  SIGNAL_SETS,
  SUMMARY_FIELDS,
} from "./vibration-path.js";

export interface Caller {
  call(req: Uint8Array): Promise<{ reply: Uint8Array; compute: number; heapCount: number }>;
}

export const setupRequest = () => Uint8Array.of(CMD_SETUP);
export const fillRequest = (n: number) => Uint8Array.of(CMD_FILL, n & 0xff, n >> 8);
export const command = (cmd: number, arg = 0) => Uint8Array.of(cmd, arg);

/** Sets [from, from + n) of a trace as a load request. */
export function loadRequest(trace: Trace, from: number, n: number): Uint8Array {
  const bytes = new Uint8Array(8 + 24 * n);
  bytes[0] = CMD_LOAD;
  const v = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) v.setFloat64(8 + 24 * i + 8 * a, trace.xyz[3 * (from + i) + a]!, true);
  }
  return bytes;
}

export interface Reply {
  /** Sets read, or undefined after a fault. */
  sets: number | undefined;
  fault: number;
  fifoEntriesLeft: number;
  bits: number;
  lastRatio: number;
}

export function parseReply(reply: Uint8Array): Reply {
  const v = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  return {
    sets: reply[0] === 0xff ? undefined : reply[0],
    fault: reply[1]!,
    fifoEntriesLeft: reply[2]!,
    bits: v.getUint32(4, true),
    lastRatio: v.getFloat64(8, true),
  };
}

/** The detector's queued records from an outputs reply, as arrays of EVENT_FIELDS / SUMMARY_FIELDS numbers. */
export function parseOutputs(reply: Uint8Array): { events: number[][]; summaries: number[][] } {
  const v = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  const events: number[][] = [];
  const summaries: number[][] = [];
  let r = 24;
  const take = (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++, r += 8) out.push(v.getFloat64(r, true));
    return out;
  };
  for (let i = v.getUint32(16, true); i > 0; i--) events.push(take(EVENT_FIELDS));
  for (let i = v.getUint32(20, true); i > 0; i--) summaries.push(take(SUMMARY_FIELDS));
  return { events, summaries };
}

/** Runs sets [from, to) of a trace through the path in reads of `setsPerRead` (a warm-up; not measured). */
export async function feed(
  xs: Caller,
  trace: Trace,
  from: number,
  to: number,
  setsPerRead: number,
): Promise<number> {
  let bits = 0;
  const chunk = Math.floor(SIGNAL_SETS / 2 / setsPerRead) * setsPerRead;
  for (let at = from; at < to; at += chunk) {
    await xs.call(loadRequest(trace, at, Math.min(chunk, to - at)));
    bits |= parseReply((await xs.call(command(CMD_RUN, setsPerRead))).reply).bits;
  }
  return bits;
}

export interface PathCost {
  /**
   * Meter units per call, averaged over the reads: path (driver A + sample times + detector), driver B,
   * sample times alone, bus C, nothing.
   */
  path: number;
  driver: number;
  times: number;
  bus: number;
  nothing: number;
  /** Detector result bits ORed over the reads. */
  bits: number;
  /** Heap slots added by each path call (the fill before it gives the reference count). */
  pathHeap: number[];
  /** STA/LTA ratio after the last read. */
  lastRatio: number;
  setsPerRead: number;
}

/** Measures `reads` consecutive reads of `setsPerRead` sets starting at set `from` of the trace. */
export async function measurePath(
  xs: Caller,
  trace: Trace,
  from: number,
  setsPerRead: number,
  reads: number,
): Promise<PathCost> {
  const cost: PathCost = {
    path: 0,
    driver: 0,
    times: 0,
    bus: 0,
    nothing: 0,
    bits: 0,
    pathHeap: [],
    lastRatio: 0,
    setsPerRead,
  };
  await xs.call(loadRequest(trace, from, setsPerRead * reads));
  for (let r = 0; r < reads; r++) {
    const before = await xs.call(fillRequest(setsPerRead));
    const p = await xs.call(command(CMD_PATH));
    const got = parseReply(p.reply);
    if (got.sets !== setsPerRead)
      throw new Error(`path read ${got.sets} sets, expected ${setsPerRead} (fault ${got.fault})`);
    cost.pathHeap.push(p.heapCount - before.heapCount);
    cost.bits |= got.bits;
    cost.lastRatio = got.lastRatio;
    cost.path += p.compute / reads;
    cost.driver += (await xs.call(command(CMD_DRIVER))).compute / reads;
    cost.times += (await xs.call(command(CMD_TIMES, setsPerRead))).compute / reads;
    cost.bus += (await xs.call(command(CMD_BUS))).compute / reads;
    cost.nothing += (await xs.call(command(CMD_NOTHING))).compute / reads;
  }
  return cost;
}

/**
 * Per sample-axis shares of a measured read (bus and call overhead subtracted): the whole path, the driver,
 * the runtime's sample-time step, the detector (the rest).
 */
export function perSampleAxis(c: PathCost): {
  whole: number;
  driver: number;
  times: number;
  detector: number;
} {
  const axes = 3 * c.setsPerRead;
  const whole = (c.path - c.bus) / axes;
  const driver = (c.driver - c.bus) / axes;
  const times = (c.times - c.nothing) / axes;
  return { whole, driver, times, detector: whole - driver - times };
}

/** One-pole IIR per axis over driver B's last block of n sets, in meter units (call overhead subtracted). */
export async function baselineCall(xs: Caller, n: number): Promise<number> {
  const b = await xs.call(command(CMD_BASELINE, n));
  const nothing = await xs.call(command(CMD_NOTHING));
  return b.compute - nothing.compute;
}

export { CMD_OUTPUTS };
