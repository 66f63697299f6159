/**
 * Host-side request builders for the seismic XS entry (seismic.ts): the XS test and the bench use them to
 * send the same bytes to XS and to Node.
 */
export const CMD_CONFIGURE = 0;
export const CMD_PUSH = 1;
export const CMD_FLUSH = 2;
export const CMD_BASELINE = 3;
export const CMD_DECODE = 4;

export function configureRequest(preset: number): Uint8Array {
  return new Uint8Array([CMD_CONFIGURE, preset]);
}

export function flushRequest(): Uint8Array {
  return new Uint8Array([CMD_FLUSH]);
}

/** Samples [from, from + n) of a trace (times in ms, interleaved x y z) as a push/baseline/decode request. */
export function samplesRequest(cmd: number, tMs: Float64Array, xyz: Float64Array, from: number, n: number) {
  const bytes = new Uint8Array(8 + 32 * n);
  bytes[0] = cmd;
  const v = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const o = 8 + 32 * i;
    v.setFloat64(o, tMs[from + i]!, true);
    v.setFloat64(o + 8, xyz[3 * (from + i)]!, true);
    v.setFloat64(o + 16, xyz[3 * (from + i) + 1]!, true);
    v.setFloat64(o + 24, xyz[3 * (from + i) + 2]!, true);
  }
  return bytes;
}

/** Counts of records in a reply (header: bits, events, summaries, dropped). */
export function replyHeader(reply: Uint8Array) {
  const v = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  return {
    bits: v.getUint32(0, true),
    events: v.getUint32(4, true),
    summaries: v.getUint32(8, true),
    dropped: v.getUint32(12, true),
  };
}

interface Caller {
  call(req: Uint8Array): Promise<{ compute: number; heapCount: number }>;
}

/**
 * XS meter units per sample of one command over samples [at, at + 3n) of a trace: the difference between a
 * call of 2n samples and one of n samples, which cancels the per-call overhead.
 */
export async function unitsPerSample(
  xs: Caller,
  cmd: number,
  tMs: Float64Array,
  xyz: Float64Array,
  at: number,
  n: number,
): Promise<number> {
  const a = await xs.call(samplesRequest(cmd, tMs, xyz, at, n));
  const b = await xs.call(samplesRequest(cmd, tMs, xyz, at + n, 2 * n));
  return (b.compute - a.compute) / n;
}
