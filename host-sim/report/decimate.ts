/**
 * Min/max decimation: a node-day of 1 s trace samples is 86,400 points per series, far more than a chart's
 * ~900 pixel columns. Per column ("bucket") we keep the sample holding the minimum and the one holding the
 * maximum, in time order, so every spike (a methane peak, an STA/LTA trigger) still reaches its full height
 * in the plot. Gaps (null values) are kept: at most the first and last null of a bucket survive, so a gap
 * narrower than a pixel can merge with a neighbour but never vanishes. Output <= 4 points per bucket.
 */
import type { Series } from "../sim/result.js";
import { ReportError } from "./errors.js";

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function checkSeries(s: Series, what: string): void {
  if (!s || !Array.isArray(s.tMs) || !Array.isArray(s.v))
    throw new ReportError("bad-series", `${what}: a series needs arrays tMs and v`, s);
  if (s.tMs.length !== s.v.length)
    throw new ReportError(
      "bad-series",
      `${what}: tMs has ${s.tMs.length} entries but v has ${s.v.length}`,
      s.tMs.length - s.v.length,
    );
}

/**
 * Decimates `s` to at most 4 points per bucket over [t0Ms, t1Ms] (`buckets` equal columns; samples outside
 * the range fall in the edge buckets). A series already short enough (<= 2 points per bucket) is returned
 * as is, with non-finite values turned into gaps.
 */
export function decimateMinMax(s: Series, t0Ms: number, t1Ms: number, buckets: number): Series {
  checkSeries(s, "decimate");
  if (!(t1Ms > t0Ms) || !(buckets >= 1))
    throw new ReportError(
      "bad-range",
      `decimate: need t1Ms > t0Ms and buckets >= 1, got [${t0Ms}, ${t1Ms}] x ${buckets}`,
      [t0Ms, t1Ms, buckets],
    );
  const n = s.tMs.length;
  if (n <= 2 * buckets) return { tMs: s.tMs.slice(), v: s.v.map(finiteOrNull) };
  const tOut: number[] = [];
  const vOut: (number | null)[] = [];
  const perMs = buckets / (t1Ms - t0Ms);
  let bucket = -1;
  let minI = -1;
  let maxI = -1;
  let firstNullI = -1;
  let lastNullI = -1;
  const flush = () => {
    const keep = [minI, maxI, firstNullI, lastNullI].filter((i, k, a) => i >= 0 && a.indexOf(i) === k);
    keep.sort((a, b) => a - b);
    for (const i of keep) {
      const v = finiteOrNull(s.v[i]);
      if (v === null && vOut.length > 0 && vOut[vOut.length - 1] === null) continue; // one gap is enough
      tOut.push(s.tMs[i]!);
      vOut.push(v);
    }
    minI = maxI = firstNullI = lastNullI = -1;
  };
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((s.tMs[i]! - t0Ms) * perMs)));
    if (b !== bucket) {
      if (bucket >= 0) flush();
      bucket = b;
    }
    const v = finiteOrNull(s.v[i]);
    if (v === null) {
      if (firstNullI < 0) firstNullI = i;
      lastNullI = i;
      continue;
    }
    if (minI < 0 || v < (s.v[minI] as number)) minI = i;
    if (maxI < 0 || v > (s.v[maxI] as number)) maxI = i;
  }
  if (bucket >= 0) flush();
  return { tMs: tOut, v: vOut };
}
