/**
 * Stage 3, exposure averages: STEL (15 min) and TWA (8 h) as rolling time-weighted means over a fixed window.
 *
 * Definition (OSHA 29 CFR 1910.1000(d)(1)(i): E = (Ca Ta + Cb Tb + ... + Cn Tn) / 8 h; a STEL is the same
 * over 15 min): the integral of concentration over the last `windowMs`, divided by `windowMs`.
 * - A sample's value counts for the time since the previous sample (the reading that arrives is what the
 *   air was: the average reacts in the same push() as the sample).
 * - Gaps (no valid data): the time counts at the LAST VALID value, not at zero, and the first interval after
 *   a gap longer than `gapMs` counts at the higher of the last and the new value. Zero would dilute the
 *   average and hide an exposure the sensor could not see; holding the last value is the conservative
 *   choice (it may over-state, never under-state, an exposure that was going on when data stopped).
 * - Before the first sample ever (no persisted state), time counts as zero exposure: OSHA's formula divides
 *   by the full 8 h whatever was sampled. After a restart with an imported state, the down time is a gap.
 * - Negative readings (zero drift) count as 0: they must not cancel real exposure.
 * Storage: the window is `buckets` sub-intervals of `windowMs / buckets`; the oldest bucket is pro-rated
 * (taken as uniform inside), which is exact for a steady concentration and within one bucket's share
 * otherwise. STEL: 15 buckets of 1 min; TWA: 32 buckets of 15 min. Nothing is allocated after construction.
 */
import { GasError } from "../errors.js";

const STATE_VERSION = 1;
const STATE_HEADER = 7;

export class RollingExposure {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly buckets: number;
  /** Mean concentration over the window as of the last `add` (0 before any sample). */
  average = 0;
  #ring: Float64Array; // completed buckets, integral in unit*ms; #head = the oldest
  #head = 0;
  #fullSum = 0;
  #cur = 0;
  #curStartMs = Number.NaN;
  #lastMs = Number.NaN;
  #held = Number.NaN;

  constructor(windowMs: number, buckets: number) {
    if (!(windowMs > 0) || !Number.isInteger(buckets) || buckets < 1 || buckets > 1024)
      throw new GasError("bad-config", `exposure window ${windowMs} ms in ${buckets} buckets`, buckets);
    this.windowMs = windowMs;
    this.buckets = buckets;
    this.bucketMs = windowMs / buckets;
    this.#ring = new Float64Array(buckets);
  }

  /** Length of `exportState`'s output. */
  get stateLength(): number {
    return STATE_HEADER + this.buckets;
  }

  /** Adds a sample (NaN / Infinity = no data at `tMs`); returns the new average. */
  add(tMs: number, value: number, gapMs: number): number {
    const valid = Number.isFinite(value);
    if (Number.isNaN(this.#lastMs)) {
      this.#curStartMs = tMs;
      this.#lastMs = tMs;
    } else {
      const dt = tMs - this.#lastMs;
      let level: number;
      if (!valid) level = this.#held;
      else if (dt > gapMs && this.#held > value) level = this.#held;
      else level = value;
      if (Number.isNaN(level) || level < 0) level = 0;
      this.#integrate(tMs, level);
    }
    if (valid) this.#held = value;
    const frac = (tMs - this.#curStartMs) / this.bucketMs;
    const avg = (this.#cur + this.#fullSum - this.#ring[this.#head]! * frac) / this.windowMs;
    this.average = Math.max(avg, 0);
    return this.average;
  }

  #integrate(toMs: number, level: number): void {
    let t = this.#lastMs;
    const n = Math.floor((toMs - this.#curStartMs) / this.bucketMs);
    if (n > this.buckets + 1) {
      // A long gap: finish the current bucket, then every bucket of the window is `level` throughout.
      const end = this.#curStartMs + this.bucketMs;
      this.#cur += level * (end - t);
      this.#rotate();
      this.#ring.fill(level * this.bucketMs);
      this.#curStartMs = end + (n - 1) * this.bucketMs;
      this.#fullSum = level * this.bucketMs * this.buckets;
      t = this.#curStartMs;
    } else {
      for (let i = 0; i < n; i++) {
        const end = this.#curStartMs + this.bucketMs;
        this.#cur += level * (end - t);
        t = end;
        this.#rotate();
      }
    }
    this.#cur += level * (toMs - t);
    this.#lastMs = toMs;
  }

  #rotate(): void {
    const ring = this.#ring;
    ring[this.#head] = this.#cur;
    this.#head = this.#head + 1 === this.buckets ? 0 : this.#head + 1;
    this.#cur = 0;
    this.#curStartMs += this.bucketMs;
    // Re-summed once per bucket (not per sample) so float error cannot build up over days.
    let s = 0;
    for (let i = 0; i < ring.length; i++) s += ring[i]!;
    this.#fullSum = s;
  }

  /** Writes the state (a few numbers) from `offset`; returns the offset after it. */
  exportState(into: Float64Array, offset: number): number {
    into[offset] = STATE_VERSION;
    into[offset + 1] = this.buckets;
    into[offset + 2] = this.bucketMs;
    into[offset + 3] = this.#curStartMs;
    into[offset + 4] = this.#lastMs;
    into[offset + 5] = this.#held;
    into[offset + 6] = this.#cur;
    for (let i = 0; i < this.buckets; i++)
      into[offset + STATE_HEADER + i] = this.#ring[(this.#head + i) % this.buckets]!;
    return offset + this.stateLength;
  }

  /** Restores a state written by `exportState` (same window); the time until the next sample is a gap. */
  importState(from: Float64Array, offset: number): number {
    if (from.length < offset + this.stateLength)
      throw new GasError(
        "bad-state",
        `exposure state needs ${this.stateLength} numbers`,
        from.length - offset,
      );
    if (
      from[offset] !== STATE_VERSION ||
      from[offset + 1] !== this.buckets ||
      from[offset + 2] !== this.bucketMs
    )
      throw new GasError(
        "bad-state",
        `exposure state is for another window (${from[offset + 1]} buckets)`,
        from[offset + 1],
      );
    const curStart = from[offset + 3]!;
    const last = from[offset + 4]!;
    const held = from[offset + 5]!;
    if (!Number.isNaN(curStart) && !(last >= curStart && last - curStart <= this.bucketMs))
      throw new GasError("bad-state", `exposure state times ${curStart}..${last} are impossible`, last);
    if (!Number.isNaN(held) && !Number.isFinite(held))
      throw new GasError("bad-state", `exposure state holds ${held}`, held);
    for (let i = 0; i <= this.buckets; i++) {
      const v = i === 0 ? from[offset + 6]! : from[offset + STATE_HEADER + i - 1]!;
      if (!(v >= 0) || !Number.isFinite(v))
        throw new GasError("bad-state", `exposure state integral ${v}`, v);
    }
    this.#curStartMs = curStart;
    this.#lastMs = last;
    this.#held = held;
    this.#cur = from[offset + 6]!;
    let s = 0;
    for (let i = 0; i < this.buckets; i++) {
      const v = from[offset + STATE_HEADER + i]!;
      this.#ring[i] = v;
      s += v;
    }
    this.#head = 0;
    this.#fullSum = s;
    this.average = !Number.isNaN(last)
      ? Math.max(0, (this.#cur + s - this.#ring[0]! * ((last - curStart) / this.bucketMs)) / this.windowMs)
      : 0;
    return offset + this.stateLength;
  }
}
