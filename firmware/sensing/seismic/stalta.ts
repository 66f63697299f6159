/**
 * Characteristic functions: STA/LTA ratios exactly as ObsPy defines them (obspy/signal/trigger.py,
 * obspy/signal/src/recstalta.c and stalta.c), computed one sample at a time. ObsPy squares the trace inside
 * the function; here the caller passes the squared value (`energy`), so the detector can feed the squared
 * vector magnitude x^2 + y^2 + z^2 without taking a square root. Feeding `a[i] * a[i]` reproduces ObsPy's
 * output for a trace `a` sample for sample (test/sensing/seismic/stalta.test.ts checks this against a
 * separately written float64 reference on real data).
 *
 * Neither class allocates after construction.
 */

/** Smallest positive normal float64 (numpy `finfo(0.0).tiny`), ObsPy's guard against dividing by zero. */
export const DOUBLE_TINY = 2.2250738585072014e-308;

export interface StaLta {
  /** Adds the next squared sample; returns the characteristic function at that sample. */
  push(energy: number): number;
  /** Forgets all history (after a gap): the next sample is index 0 again. */
  reset(): void;
  /** True until the LTA window is full (ObsPy returns 0 there). */
  readonly warmingUp: boolean;
}

/**
 * Recursive STA/LTA (Withers et al. 1998 p. 98; ObsPy `recursive_sta_lta`):
 *   sta_i = c_s e_i + (1 - c_s) sta_{i-1},  lta_i = c_l e_i + (1 - c_l) lta_{i-1},  c_s = 1/nsta, c_l = 1/nlta,
 * starting from sta = 0, lta = tiny at index 0, which ObsPy skips (its loop starts at i = 1);
 * cf_i = sta_i / lta_i, and cf_i = 0 for i < nlta.
 * Cost: two one-pole filters and a division per sample; memory: constant.
 */
export class RecursiveStaLta implements StaLta {
  readonly nsta: number;
  readonly nlta: number;
  #csta: number;
  #icsta: number;
  #clta: number;
  #iclta: number;
  #sta = 0;
  #lta = DOUBLE_TINY;
  /** Samples seen, counted up to nlta only (all that matters is whether index < nlta). */
  #n = 0;

  constructor(nsta: number, nlta: number) {
    this.nsta = nsta;
    this.nlta = nlta;
    this.#csta = 1 / nsta;
    this.#icsta = 1 - this.#csta;
    this.#clta = 1 / nlta;
    this.#iclta = 1 - this.#clta;
  }

  get warmingUp(): boolean {
    return this.#n < this.nlta;
  }

  reset(): void {
    this.#sta = 0;
    this.#lta = DOUBLE_TINY;
    this.#n = 0;
  }

  push(energy: number): number {
    const i = this.#n;
    if (i === 0) {
      this.#n = 1;
      return 0;
    }
    const sta = this.#csta * energy + this.#icsta * this.#sta;
    const lta = this.#clta * energy + this.#iclta * this.#lta;
    this.#sta = sta;
    this.#lta = lta;
    if (i < this.nlta) {
      this.#n = i + 1;
      return 0;
    }
    return sta / lta;
  }
}

/**
 * Classic STA/LTA (ObsPy `classic_sta_lta`): cf_i = (S_i / nsta) / (L_i / nlta) where S_i and L_i are the
 * sums of the last nsta and nlta squared samples; cf_i = 0 for i < nlta - 1; an LTA below `tiny` is
 * replaced by `tiny` (so an all-zero window gives 0, not NaN).
 *
 * Streaming: a ring of the last nlta squared samples and two running sums. Running sums drift by rounding
 * over a node-day; each sum is therefore also rebuilt from scratch once per window length (a second sum
 * accumulates the samples of the current pass and replaces the running one when the pass completes), which
 * bounds the drift to one window's worth of rounding at O(1) cost per sample and no per-window spike.
 * Memory: 8 bytes x nlta, which is why the detector caps nlta for this method.
 */
export class ClassicStaLta implements StaLta {
  readonly nsta: number;
  readonly nlta: number;
  #ring: Float64Array;
  /** Next write position in the ring; the value there is the one leaving the LTA window. */
  #pos = 0;
  #staSum = 0;
  #ltaSum = 0;
  #staFresh = 0;
  #ltaFresh = 0;
  /** Position within the current STA pass (0..nsta-1). */
  #staPhase = 0;
  #n = 0;
  #ratio: number;

  constructor(nsta: number, nlta: number) {
    this.nsta = nsta;
    this.nlta = nlta;
    this.#ring = new Float64Array(nlta);
    this.#ratio = nlta / nsta;
  }

  get warmingUp(): boolean {
    return this.#n < this.nlta - 1;
  }

  reset(): void {
    this.#ring.fill(0);
    this.#pos = 0;
    this.#staSum = 0;
    this.#ltaSum = 0;
    this.#staFresh = 0;
    this.#ltaFresh = 0;
    this.#staPhase = 0;
    this.#n = 0;
  }

  push(energy: number): number {
    const ring = this.#ring;
    const nlta = this.nlta;
    const nsta = this.nsta;
    const pos = this.#pos;
    const i = this.#n;
    // The sample leaving the STA window entered nsta samples ago; the ring holds zeros before that.
    let out = pos - nsta;
    if (out < 0) out += nlta;
    const staSum = this.#staSum + energy - (i >= nsta ? ring[out]! : 0);
    const ltaSum = this.#ltaSum + energy - ring[pos]!;
    ring[pos] = energy;
    // Drift control: replace each running sum with a freshly accumulated one at the end of each pass.
    const staFresh = this.#staFresh + energy;
    const phase = this.#staPhase + 1;
    if (phase === nsta) {
      this.#staSum = staFresh;
      this.#staFresh = 0;
      this.#staPhase = 0;
    } else {
      this.#staSum = staSum;
      this.#staFresh = staFresh;
      this.#staPhase = phase;
    }
    const ltaFresh = this.#ltaFresh + energy;
    if (pos + 1 === nlta) {
      this.#ltaSum = ltaFresh;
      this.#ltaFresh = 0;
      this.#pos = 0;
    } else {
      this.#ltaSum = ltaSum;
      this.#ltaFresh = ltaFresh;
      this.#pos = pos + 1;
    }
    if (i < nlta - 1) {
      this.#n = i + 1;
      return 0;
    }
    const lta = Math.max(this.#ltaSum, DOUBLE_TINY);
    return (this.#staSum / lta) * this.#ratio;
  }
}
