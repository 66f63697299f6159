/**
 * Float64 reference implementations for the seismic tests, written separately from the firmware and
 * straight from the published definitions in ObsPy (obspy/signal/trigger.py, current master):
 * `classic_sta_lta_py` (cumulative-sum form), `recursive_sta_lta_py`, and `trigger_onset` (the deque
 * walk). They take the trace itself (not its square) and whole arrays, as ObsPy does; they are slow and
 * allocate freely, which is the point: nothing is shared with the streaming code under test.
 */

/** numpy.finfo(0.0).tiny */
const TINY = 2.2250738585072014e-308;

/** ObsPy classic_sta_lta_py: sta = moving mean of a^2 over nsta, lta over nlta (cumsum differences). */
export function classicStaLtaRef(a: ArrayLike<number>, nsta: number, nlta: number): Float64Array {
  const n = a.length;
  const cs = new Float64Array(n);
  let run = 0;
  for (let i = 0; i < n; i++) {
    run += a[i]! * a[i]!;
    cs[i] = run;
  }
  const sta = new Float64Array(n);
  const lta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // sta[nsta:] = sta[nsta:] - sta[:-nsta]; lta likewise; both then divided by their lengths.
    sta[i] = (i >= nsta ? cs[i]! - cs[i - nsta]! : cs[i]!) / nsta;
    lta[i] = (i >= nlta ? cs[i]! - cs[i - nlta]! : cs[i]!) / nlta;
  }
  for (let i = 0; i < Math.min(n, nlta - 1); i++) sta[i] = 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sta[i]! / Math.max(lta[i]!, TINY);
  return out;
}

/** ObsPy recursive_sta_lta_py (Withers et al. 1998 p. 98). */
export function recursiveStaLtaRef(a: ArrayLike<number>, nsta: number, nlta: number): Float64Array {
  const n = a.length;
  const csta = 1 / nsta;
  const clta = 1 / nlta;
  const icsta = 1 - csta;
  const iclta = 1 - clta;
  let sta = 0;
  let lta = TINY;
  const cf = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const sq = a[i]! * a[i]!;
    sta = csta * sq + icsta * sta;
    lta = clta * sq + iclta * lta;
    cf[i] = sta / lta;
  }
  for (let i = 0; i < Math.min(n, nlta); i++) cf[i] = 0;
  return cf;
}

/** ObsPy trigger_onset: [on, off] sample index pairs; thresholds compare with >=. */
export function triggerOnsetRef(
  cf: ArrayLike<number>,
  thres1: number,
  thres2: number,
  maxLen = 9e99,
  maxLenDelete = false,
): Array<[number, number]> {
  const ind1: number[] = [];
  const ind2: number[] = [];
  for (let i = 0; i < cf.length; i++) {
    if (cf[i]! >= thres1) ind1.push(i);
    if (cf[i]! >= thres2) ind2.push(i);
  }
  if (ind1.length === 0) return [];
  const on: number[] = [ind1[0]!];
  const of: number[] = [-1];
  // Ends of runs in ind2 (the last element always ends a run).
  for (let k = 0; k < ind2.length; k++)
    if (k === ind2.length - 1 || ind2[k + 1]! - ind2[k]! > 1) of.push(ind2[k]!);
  // Starts of runs in ind1 after the first.
  for (let k = 1; k < ind1.length; k++) if (ind1[k]! - ind1[k - 1]! > 1) on.push(ind1[k]!);
  if (maxLenDelete) {
    of.push(1e99);
    on.push(on[on.length - 1]!);
  } else {
    of.push(ind2[ind2.length - 1]!);
  }
  of.push(cf.length);
  const pick: Array<[number, number]> = [];
  while (on[on.length - 1]! > of[0]!) {
    while (on[0]! <= of[0]!) on.shift();
    while (of[0]! < on[0]!) of.shift();
    if (of[0]! - on[0]! > maxLen) {
      if (maxLenDelete) {
        on.shift();
        continue;
      }
      of.unshift(on[0]! + maxLen);
    }
    pick.push([on[0]!, of[0]!]);
  }
  return pick;
}
